/**
 * Hono 4 middleware for keyward: {@link apiKeyAuth} authenticates a request
 * with an API key and sets `c.get("apiKey")` and `c.get("principal")` (the key
 * with its effective scopes), {@link requireScopes} checks those scopes,
 * {@link apiKeyRoutes} is the key-management API as a Hono app. All decisions come from the framework-neutral core in `keyward/http`.
 * Web APIs only: Node, Bun, Deno and edge runtimes such as Cloudflare Workers.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { keyActor } from "keyward";
 * import { apiKeyAuth, apiKeyRoutes, type KeywardVariables, requireScopes } from "keyward/hono";
 *
 * const app = new Hono<{ Variables: KeywardVariables }>();
 * app.get("/v1/jobs", apiKeyAuth(keyward), requireScopes("jobs:read"), (c) => c.json({ owner: c.get("apiKey").owner }));
 * app.route("/settings/api-keys", apiKeyRoutes(keyward, { actor: keyActor(keyward) }));
 * ```
 *
 * @module keyward/hono
 */
import type { ApiKey } from "keyward";
import type { Principal } from "keyward/http";

export type { AuthOptions, Principal, SecretScanningOptions, SelfRevocationOptions } from "keyward/http";
export { apiKeyAuth, type HonoAuthOptions, type KeywardVariables, requireScopes } from "./auth.js";
export { secretScanning, selfRevocation } from "./leaks.js";
export { type ApiKeyRoutesOptions, apiKeyRoutes } from "./routes.js";

declare module "hono" {
  interface ContextVariableMap {
    /** The API key `apiKeyAuth` authenticated. */
    apiKey: ApiKey;
    /** Who `apiKeyAuth` authenticated: the key and its effective scopes (own ∪ role's), with `has(...scopes)`. */
    principal: Principal;
  }
}
