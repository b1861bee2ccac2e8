/**
 * keyward/fetch in a Next.js App Router route handler:
 * `app/v1/jobs/route.ts`. Route handlers take a `Request` and return a
 * `Response`, so `apiKeyAuth` and `requireScopes` drop in as they are.
 */
import { apiKeyAuth, requireScopes } from "keyward/fetch";
import { keyward } from "../app.js";

const authenticate = apiKeyAuth(keyward);
const canRead = requireScopes("jobs:read");

export async function GET(request: Request): Promise<Response> {
  const auth = await authenticate(request);
  if (!auth.ok) return auth.response;
  const denied = canRead(auth, request);
  if (denied) return denied;
  return Response.json({ owner: auth.apiKey.owner, scopes: auth.principal.scopes });
}
