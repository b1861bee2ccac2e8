/**
 * Express 4 and 5 middleware for keyward: {@link apiKeyAuth} authenticates a
 * request with an API key and sets `req.apiKey` and `req.principal` (the key
 * with its effective scopes), {@link requireScopes} checks those scopes,
 * {@link apiKeyRoutes} is the key-management API as a Router. All decisions
 * (credential parsing, status codes, `WWW-Authenticate`, error bodies) come
 * from the framework-neutral core in `keyward/http`.
 *
 * @example
 * ```ts
 * import express from "express";
 * import { keyActor } from "keyward";
 * import { apiKeyAuth, apiKeyRoutes, requireScopes } from "keyward/express";
 *
 * const app = express();
 * app.get("/v1/jobs", apiKeyAuth(keyward), requireScopes("jobs:read"), (req, res) => res.json({ owner: req.apiKey?.owner }));
 * app.use("/settings/api-keys", apiKeyRoutes(keyward, { actor: keyActor(keyward) }));
 * ```
 *
 * @module keyward/express
 */
import type { ApiKey } from "keyward";
import type { Principal } from "keyward/http";

export type { AuthOptions, Principal, SecretScanningOptions, SelfRevocationOptions } from "keyward/http";
export { apiKeyAuth, requireScopes } from "./auth.js";
export { secretScanning, selfRevocation } from "./leaks.js";
export { type ApiKeyRoutesOptions, apiKeyRoutes } from "./routes.js";

declare global {
  namespace Express {
    interface Request {
      /** The API key `apiKeyAuth` authenticated; undefined before it ran or when it did not. */
      apiKey?: ApiKey;
      /** Who `apiKeyAuth` authenticated: the key and its effective scopes (own ∪ role's), with `has(...scopes)`. */
      principal?: Principal;
    }
  }
}
