import type { RequestHandler } from "express";
import type { Keyward } from "keyward";
import { type AuthOptions, createAuthenticator, headerValues } from "keyward/http";
import { assertKeyward, pathOf } from "../shared/http.js";
import { AdmittedBy, scopeGuards } from "../shared/scopes.js";
import { send } from "./send.js";

const admitted = new AdmittedBy();

/**
 * Express middleware that authenticates the request with an API key:
 * `Authorization: Bearer <key>` (and `options.header`, e.g. `X-API-Key`, when
 * set; never the query string). On success it sets `req.apiKey` and calls
 * `next()`; otherwise it answers 400, 401, 403 or 503 with the RFC 6750
 * `WWW-Authenticate` challenge and the JSON error body of the core.
 * Options are validated once, here.
 *
 * @example
 * ```ts
 * import { apiKeyAuth, requireScopes } from "keyward/express";
 *
 * app.use("/v1", apiKeyAuth(keyward));
 * app.get("/v1/jobs", requireScopes("jobs:read"), (req, res) => {
 *   res.json({ owner: req.apiKey?.owner });
 * });
 * ```
 */
export function apiKeyAuth(keyward: Keyward, options: AuthOptions = {}): RequestHandler {
  assertKeyward(keyward, "apiKeyAuth");
  const auth = createAuthenticator(keyward, options);
  return async function keywardApiKeyAuth(req, res, next) {
    try {
      const outcome = await auth.authenticate(
        {
          authorization: headerValues(req, "authorization"),
          ...(auth.header !== null && { apiKey: headerValues(req, auth.header) }),
        },
        () => pathOf(req.originalUrl),
      );
      if (!outcome.ok) return send(res, outcome.response);
      req.apiKey = outcome.apiKey;
      admitted.set(req, auth);
    } catch (error) {
      return next(error);
    }
    next();
  };
}

/**
 * Express middleware, placed after {@link apiKeyAuth}, that lets the request
 * through only when `req.apiKey` holds every one of `scopes` (wildcards
 * apply); otherwise it answers 403 `insufficient_scope` naming them (401 if
 * no key was authenticated). Scopes are validated once, here.
 *
 * @example
 * ```ts
 * app.post("/v1/jobs", apiKeyAuth(keyward), requireScopes("jobs:write"), createJob);
 * ```
 */
export function requireScopes(...scopes: string[]): RequestHandler {
  const guardFor = scopeGuards(scopes);
  return function keywardRequireScopes(req, res, next) {
    const denied = guardFor(admitted.get(req)).check(req.apiKey, () => pathOf(req.originalUrl));
    if (denied) return send(res, denied);
    next();
  };
}
