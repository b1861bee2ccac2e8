import type { MiddlewareHandler } from "hono";
import type { ApiKey, Keyward } from "keyward";
import { type AuthOptions, createAuthenticator, headerValues } from "keyward/http";
import { assertKeyward } from "../shared/http.js";
import { AdmittedBy, scopeGuards } from "../shared/scopes.js";
import { headerSource, pathnameOf, respond } from "./respond.js";

/**
 * The context variables {@link apiKeyAuth} sets, for a typed app.
 *
 * @example
 * ```ts
 * const app = new Hono<{ Variables: KeywardVariables }>();
 * app.get("/v1/jobs", apiKeyAuth(keyward), (c) => c.text(c.var.apiKey.owner));
 * ```
 */
export type KeywardVariables = {
  /** The API key `apiKeyAuth` authenticated. */
  apiKey: ApiKey;
};

const admitted = new AdmittedBy();

/**
 * Hono middleware that authenticates the request with an API key:
 * `Authorization: Bearer <key>` (and `options.header`, e.g. `X-API-Key`, when
 * set; never the query string). On success it does `c.set("apiKey", key)`
 * and continues; otherwise it answers 400, 401, 403 or 503 with the RFC 6750
 * `WWW-Authenticate` challenge and the JSON error body of the core. Web APIs
 * only: runs on Node, Bun, Deno and Cloudflare Workers.
 *
 * @example
 * ```ts
 * import { apiKeyAuth, requireScopes } from "keyward/hono";
 *
 * app.use("/v1/*", apiKeyAuth(keyward));
 * app.get("/v1/jobs", requireScopes("jobs:read"), (c) => c.json({ owner: c.get("apiKey").owner }));
 * ```
 */
export function apiKeyAuth(keyward: Keyward, options: AuthOptions = {}): MiddlewareHandler<{ Variables: KeywardVariables }> {
  assertKeyward(keyward, "apiKeyAuth");
  const auth = createAuthenticator(keyward, options);
  return async function keywardApiKeyAuth(c, next) {
    const source = headerSource(c);
    const outcome = await auth.authenticate(
      {
        authorization: headerValues(source, "authorization"),
        ...(auth.header !== null && { apiKey: headerValues(source, auth.header) }),
      },
      () => pathnameOf(c),
    );
    if (!outcome.ok) return respond(c, outcome.response);
    c.set("apiKey", outcome.apiKey);
    admitted.set(c, auth);
    await next();
  };
}

/**
 * Hono middleware, placed after {@link apiKeyAuth}, that continues only when
 * `c.get("apiKey")` holds every one of `scopes` (wildcards apply); otherwise
 * it answers 403 `insufficient_scope` naming them (401 if no key was
 * authenticated). Scopes are validated once, here.
 *
 * @example
 * ```ts
 * app.post("/v1/jobs", apiKeyAuth(keyward), requireScopes("jobs:write"), (c) => c.json({ ok: true }, 201));
 * ```
 */
export function requireScopes(...scopes: string[]): MiddlewareHandler {
  const guardFor = scopeGuards(scopes);
  return async function keywardRequireScopes(c, next) {
    const apiKey = c.get("apiKey") as ApiKey | undefined;
    const denied = guardFor(admitted.get(c)).check(apiKey, () => pathnameOf(c));
    if (denied) return respond(c, denied);
    await next();
  };
}
