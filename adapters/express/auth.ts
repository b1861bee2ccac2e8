import type { RequestHandler } from "express";
import type { Keyward } from "keyward";
import { type AuthOptions, createAuthenticator, createScopeGuard, headersFromRaw, type LegacyAuthOptions } from "keyward/http";
import { assertKeyward, pathOf } from "../shared/http.js";
import { send } from "./send.js";

/**
 * Express middleware that authenticates the request with an API key:
 * `Authorization: Bearer <key>` (and `options.header`, e.g. `X-API-Key`, when
 * set; never the query string). On success it sets `req.apiKey` and
 * `req.principal` (the key with its effective scopes) and calls `next()`;
 * otherwise it answers 400, 401, 403, 429 or 503 with the RFC 6750
 * `WWW-Authenticate` challenge and the JSON error body of the core.
 * The client's address is the socket's peer (`req.socket.remoteAddress`),
 * or with `trustProxy` the one trusted proxies forwarded. Options are
 * validated once, here.
 *
 * @example
 * ```ts
 * import { apiKeyAuth, requireScopes } from "keyward/express";
 *
 * app.use("/v1", apiKeyAuth(keyward));
 * app.get("/v1/jobs", requireScopes("jobs:read"), (req, res) => {
 *   res.json({ owner: req.apiKey?.owner, scopes: req.principal?.scopes });
 * });
 * ```
 */
export function apiKeyAuth(keyward: Keyward, options?: AuthOptions): RequestHandler;
/** @deprecated `header: true` / `false`: pass the header's name instead (`{ header: "x-api-key" }`). */
export function apiKeyAuth(keyward: Keyward, options?: LegacyAuthOptions): RequestHandler;
export function apiKeyAuth(keyward: Keyward, options: LegacyAuthOptions = {}): RequestHandler {
  assertKeyward(keyward, "apiKeyAuth");
  const auth = createAuthenticator(keyward, options);
  return async function keywardApiKeyAuth(req, res, next) {
    try {
      const outcome = await auth.authenticate(
        headersFromRaw(req.rawHeaders).values,
        () => pathOf(req.originalUrl),
        req.socket?.remoteAddress,
      );
      if (!outcome.ok) return send(res, outcome.response);
      for (const name in outcome.headers) res.setHeader(name, outcome.headers[name] as string);
      req.apiKey = outcome.apiKey;
      req.principal = outcome.principal;
    } catch (error) {
      return next(error);
    }
    next();
  };
}

/**
 * Express middleware, placed after {@link apiKeyAuth}, that lets the request
 * through only when `req.principal` holds every one of `scopes` (its
 * effective scopes; wildcards apply); otherwise it answers 403
 * `insufficient_scope` naming them, or 401 when no key was authenticated (or
 * `req.principal` / `req.apiKey` were replaced since). Scopes are validated
 * once, here.
 *
 * @example
 * ```ts
 * app.post("/v1/jobs", apiKeyAuth(keyward), requireScopes("jobs:write"), createJob);
 * ```
 */
export function requireScopes(...scopes: string[]): RequestHandler {
  const guard = createScopeGuard(scopes);
  return function keywardRequireScopes(req, res, next) {
    const denied = guard.check(req.principal, req.apiKey, () => pathOf(req.originalUrl));
    if (denied) return send(res, denied);
    next();
  };
}
