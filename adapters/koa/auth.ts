import type { ApiKey, Keyward } from "keyward";
import {
  type AuthOptions,
  createAuthenticator,
  createScopeGuard,
  headersFromRaw,
  type LegacyAuthOptions,
  type Principal,
} from "keyward/http";
import type { Middleware } from "koa";
import { assertKeyward, pathOf } from "../shared/http.js";
import { respond } from "./respond.js";

/**
 * The state {@link apiKeyAuth} sets, for a typed app.
 *
 * @example
 * ```ts
 * const app = new Koa<KeywardState>();
 * app.use(apiKeyAuth(keyward));
 * app.use((ctx) => { ctx.body = { owner: ctx.state.apiKey?.owner, scopes: ctx.state.principal?.scopes }; });
 * ```
 */
export interface KeywardState {
  /** The API key `apiKeyAuth` authenticated; undefined before it ran or when it did not. */
  apiKey?: ApiKey;
  /** Who `apiKeyAuth` authenticated: the key and its effective scopes (own ∪ role's), with `has(...scopes)`. */
  principal?: Principal;
}

/**
 * Koa middleware that authenticates the request with an API key:
 * `Authorization: Bearer <key>` (and `options.header`, e.g. `X-API-Key`, when
 * set; never the query string). On success it sets `ctx.state.apiKey` and
 * `ctx.state.principal` (the key with its effective scopes) and awaits
 * `next()`; otherwise it answers 400, 401, 403 or 503 with the RFC 6750
 * `WWW-Authenticate` challenge and the JSON error body of the core.
 *
 * @example
 * ```ts
 * import { apiKeyAuth, requireScopes } from "keyward/koa";
 *
 * app.use(apiKeyAuth(keyward));
 * app.use(requireScopes("jobs:read"));
 * app.use((ctx) => { ctx.body = { owner: ctx.state.apiKey?.owner }; });
 * ```
 */
export function apiKeyAuth(keyward: Keyward, options?: AuthOptions): Middleware<KeywardState>;
/** @deprecated `header: true` / `false`: pass the header's name instead (`{ header: "x-api-key" }`). */
export function apiKeyAuth(keyward: Keyward, options?: LegacyAuthOptions): Middleware<KeywardState>;
export function apiKeyAuth(keyward: Keyward, options: LegacyAuthOptions = {}): Middleware<KeywardState> {
  assertKeyward(keyward, "apiKeyAuth");
  const auth = createAuthenticator(keyward, options);
  return async function keywardApiKeyAuth(ctx, next) {
    const outcome = await auth.authenticate(
      headersFromRaw(ctx.req.rawHeaders).values,
      () => pathOf(ctx.originalUrl),
      ctx.req.socket?.remoteAddress,
    );
    if (!outcome.ok) return respond(ctx, outcome.response);
    for (const name in outcome.headers) ctx.set(name, outcome.headers[name] as string);
    ctx.state.apiKey = outcome.apiKey;
    ctx.state.principal = outcome.principal;
    return next();
  };
}

/**
 * Koa middleware, placed after {@link apiKeyAuth}, that awaits `next()` only
 * when `ctx.state.principal` holds every one of `scopes` (its effective
 * scopes; wildcards apply); otherwise it answers 403 `insufficient_scope`
 * naming them, or 401 when no key was authenticated (or the state's
 * `principal` / `apiKey` were replaced since). Scopes are validated once, here.
 *
 * @example
 * ```ts
 * router.post("/v1/jobs", apiKeyAuth(keyward), requireScopes("jobs:write"), createJob);
 * ```
 */
export function requireScopes(...scopes: string[]): Middleware<KeywardState> {
  const guard = createScopeGuard(scopes);
  // not async: one promise fewer per request (koa-compose turns a throw into a rejection)
  return function keywardRequireScopes(ctx, next) {
    const denied = guard.check(ctx.state.principal, ctx.state.apiKey, () => pathOf(ctx.originalUrl));
    if (denied) {
      respond(ctx, denied);
      return Promise.resolve();
    }
    return next();
  };
}
