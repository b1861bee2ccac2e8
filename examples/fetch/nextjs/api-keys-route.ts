/**
 * The key-management API in a Next.js App Router catch-all route handler:
 * `app/settings/api-keys/[[...path]]/route.ts`. One handler serves every
 * method; `prefix` is the folder's path.
 */
import { keyActor } from "keyward";
import { apiKeyRoutes } from "keyward/fetch";
import { keyward } from "../app.js";

const handler = apiKeyRoutes(keyward, { actor: keyActor(keyward), prefix: "/settings/api-keys" });

export { handler as DELETE, handler as GET, handler as PATCH, handler as POST };
