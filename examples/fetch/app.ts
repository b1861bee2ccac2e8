/**
 * One Fetch handler, `(request) => Promise<Response>`, built from
 * `keyward/fetch`: protected /v1/jobs routes and the key-management API
 * under /settings/api-keys. The files beside it serve it on Node, Bun, Deno
 * and Cloudflare Workers; nextjs/ splits it into route handlers.
 */
import { createKeyward, type Keyward, keyActor } from "keyward";
import { apiKeyAuth, apiKeyRoutes, requireScopes } from "keyward/fetch";
import { memoryStore } from "keyward/memory";

export const keyward: Keyward = createKeyward({
  store: memoryStore(),
  prefix: "cho",
  roles: { owner: ["*"], admin: ["jobs:*", "api_keys:manage"], viewer: ["jobs:read"] },
});

/** The application's own data, per tenant (the key's owner). */
const jobs = new Map<string, { id: number; title: string }[]>();
const jobsOf = (owner: string) => jobs.get(owner) ?? jobs.set(owner, []).get(owner) ?? [];

const authenticate = apiKeyAuth(keyward);
const canRead = requireScopes("jobs:read");
const canWrite = requireScopes("jobs:write");
// The management API; the caller is an API key holding api_keys:manage.
const manageKeys = apiKeyRoutes(keyward, { actor: keyActor(keyward), prefix: "/settings/api-keys" });

/** GET and POST /v1/jobs, behind an API key. `server` is what the runtime passes its fetch handler second. */
export async function jobsRoute(request: Request, server?: unknown): Promise<Response> {
  const auth = await authenticate(request, server);
  if (!auth.ok) return auth.response;
  const list = jobsOf(auth.apiKey.owner);
  if (request.method === "GET") return canRead(auth, request) ?? Response.json({ data: list });
  const denied = canWrite(auth, request);
  if (denied) return denied;
  const body = (await request.json().catch(() => ({}))) as { title?: unknown };
  const job = { id: list.length + 1, title: typeof body.title === "string" ? body.title.slice(0, 200) : "Untitled job" };
  list.push(job);
  return Response.json(job, { status: 201 });
}

/** The whole application as one Fetch handler. */
export async function handle(request: Request, server?: unknown): Promise<Response> {
  const { pathname } = new URL(request.url);
  if (pathname === "/v1/jobs" && (request.method === "GET" || request.method === "POST")) return jobsRoute(request, server);
  if (pathname === "/settings/api-keys" || pathname.startsWith("/settings/api-keys/")) return manageKeys(request, server);
  return Response.json({ error: "not found" }, { status: 404 });
}

/** Creates the first admin key of the demo tenant: print it once, never log it again. */
export async function bootstrapKey(): Promise<string> {
  return (await keyward.create({ owner: "org_demo", label: "Bootstrap admin", role: "admin" })).key;
}
