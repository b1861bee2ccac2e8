/**
 * Fetch-standard building blocks for keyward, for runtimes and frameworks
 * that hand you a `Request` and take a `Response`: Next.js route handlers,
 * `Bun.serve`, `Deno.serve`, Cloudflare Workers. {@link apiKeyAuth} builds a
 * function that authenticates a request and resolves to the key or to the
 * ready error `Response`, {@link requireScopes} checks the key's scopes,
 * {@link apiKeyRoutes} is the key-management API as a
 * `(request) => Promise<Response>` handler. All decisions come from the
 * framework-neutral core in `keyward/http`. Web APIs only.
 *
 * @example
 * ```ts
 * import { keyActor } from "keyward";
 * import { apiKeyAuth, apiKeyRoutes, requireScopes } from "keyward/fetch";
 *
 * const authenticate = apiKeyAuth(keyward);
 * const canRead = requireScopes("jobs:read");
 * const manageKeys = apiKeyRoutes(keyward, { actor: keyActor(keyward), prefix: "/settings/api-keys" });
 *
 * export default {
 *   async fetch(request: Request): Promise<Response> {
 *     if (new URL(request.url).pathname.startsWith("/settings/api-keys")) return manageKeys(request);
 *     const auth = await authenticate(request);
 *     if (!auth.ok) return auth.response;
 *     return canRead(auth, request) ?? Response.json({ owner: auth.apiKey.owner });
 *   },
 * };
 * ```
 *
 * @module keyward/fetch
 */
export type { AuthOptions, Principal, SecretScanningOptions, SelfRevocationOptions } from "keyward/http";
export { type Authenticate, type AuthResult, apiKeyAuth, type FetchAuthOptions, requireScopes, type ScopeCheck } from "./auth.js";
export { secretScanning, selfRevocation } from "./leaks.js";
export { type ApiKeyRoutesOptions, apiKeyRoutes, type FetchHandler } from "./routes.js";
