/**
 * Fastify 4 and 5 hooks and plugin for keyward: {@link apiKeyAuth}
 * authenticates a request with an API key and sets `request.apiKey` and
 * `request.principal` (the key with its effective scopes),
 * {@link requireScopes} checks those scopes, both as `preHandler` hooks;
 * {@link apiKeyRoutes} is the key-management API as an encapsulated plugin
 * to register with a prefix. All decisions come from the framework-neutral
 * core in `keyward/http`.
 *
 * @example
 * ```ts
 * import Fastify from "fastify";
 * import { keyActor } from "keyward";
 * import { apiKeyAuth, apiKeyRoutes, requireScopes } from "keyward/fastify";
 *
 * const app = Fastify();
 * app.get("/v1/jobs", { preHandler: [apiKeyAuth(keyward), requireScopes("jobs:read")] }, async (request) => ({
 *   owner: request.apiKey?.owner,
 * }));
 * await app.register(apiKeyRoutes(keyward, { actor: keyActor(keyward) }), { prefix: "/settings/api-keys" });
 * ```
 *
 * @module keyward/fastify
 */
import type { ApiKey } from "keyward";
import type { Principal } from "keyward/http";

export type { AuthOptions, Principal, SecretScanningOptions, SelfRevocationOptions } from "keyward/http";
export { apiKeyAuth, type KeywardHook, requireScopes } from "./auth.js";
export { type LeakRoute, secretScanning, selfRevocation } from "./leaks.js";
export { type ApiKeyRoutesOptions, apiKeyRoutes } from "./routes.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The API key `apiKeyAuth` authenticated; undefined before it ran or when it did not. */
    apiKey?: ApiKey;
    /** Who `apiKeyAuth` authenticated: the key and its effective scopes (own ∪ role's), with `has(...scopes)`. */
    principal?: Principal;
  }
}
