/**
 * Koa 2 and 3 middleware for keyward: {@link apiKeyAuth} authenticates a
 * request with an API key and sets `ctx.state.apiKey` and `ctx.state.principal`
 * (the key with its effective scopes), {@link requireScopes} checks those
 * scopes, {@link apiKeyRoutes} is the key-management API as a middleware
 * answering under a prefix. All decisions come from the framework-neutral
 * core in `keyward/http`.
 *
 * @example
 * ```ts
 * import Koa from "koa";
 * import { keyActor } from "keyward";
 * import { apiKeyAuth, apiKeyRoutes, requireScopes } from "keyward/koa";
 *
 * const app = new Koa();
 * app.use(apiKeyRoutes(keyward, { actor: keyActor(keyward), prefix: "/settings/api-keys" }));
 * app.use(apiKeyAuth(keyward));
 * app.use(requireScopes("jobs:read"));
 * app.use((ctx) => { ctx.body = { owner: ctx.state.apiKey?.owner }; });
 * ```
 *
 * @module keyward/koa
 */
import type { ApiKey } from "keyward";
import type { Principal } from "keyward/http";

export type { AuthOptions, Principal, SecretScanningOptions, SelfRevocationOptions } from "keyward/http";
export { apiKeyAuth, type KeywardState, requireScopes } from "./auth.js";
export {
  type KoaSecretScanningOptions,
  type KoaSelfRevocationOptions,
  type MountPath,
  secretScanning,
  selfRevocation,
} from "./leaks.js";
export { type ApiKeyRoutesOptions, apiKeyRoutes } from "./routes.js";

declare module "koa" {
  interface DefaultState {
    /** The API key `apiKeyAuth` authenticated; undefined before it ran or when it did not. */
    apiKey?: ApiKey;
    /** Who `apiKeyAuth` authenticated: the key and its effective scopes (own ∪ role's), with `has(...scopes)`. */
    principal?: Principal;
  }
}
