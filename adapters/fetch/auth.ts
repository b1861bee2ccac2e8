import type { ApiKey, Keyward } from "keyward";
import { type AuthOptions, createAuthenticator, createScopeGuard, type LegacyAuthOptions, type Principal } from "keyward/http";
import { assertKeyward } from "../shared/http.js";
import { requestHeaders, runtimeAddress } from "./headers.js";
import { pathnameOf, toResponse } from "./respond.js";

/**
 * What {@link apiKeyAuth}'s function resolves to: the authenticated key and
 * its principal, or the ready error `Response` (400, 401, 403, 429 or 503 with
 * the `WWW-Authenticate` challenge and the JSON error body) to return as is.
 *
 * @example
 * ```ts
 * const auth: AuthResult = await authenticate(request);
 * if (!auth.ok) return auth.response;
 * return Response.json({ owner: auth.apiKey.owner, scopes: auth.principal.scopes });
 * ```
 */
export type AuthResult =
  | {
      ok: true;
      /** The API key the request presented. */
      apiKey: ApiKey;
      /** The key and its effective scopes (own ∪ role's), with `has(...scopes)`. */
      principal: Principal;
      /** The effective scopes (the principal's, repeated). */
      scopes: readonly string[];
      /**
       * Headers to copy onto your response: the IETF `RateLimit-Policy` and
       * `RateLimit` fields when the key has a rate limit; empty otherwise.
       */
      headers: Readonly<Record<string, string>>;
    }
  | {
      ok: false;
      /** The error answer, ready to return from the handler. */
      response: Response;
    };

/**
 * Options of {@link apiKeyAuth}: those of every adapter, plus where the
 * client's address comes from when the runtime does not say.
 *
 * @example
 * ```ts
 * // behind Cloudflare, whose edge sets CF-Connecting-IP
 * const authenticate = apiKeyAuth(keyward, { getAddress: (request) => request.headers.get("cf-connecting-ip") ?? undefined });
 * ```
 */
export interface FetchAuthOptions extends AuthOptions {
  /** The client's address for a request; by default what the runtime hands the handler (see {@link apiKeyAuth}). */
  getAddress?: ((request: Request, server: unknown) => string | undefined) | undefined;
}

/**
 * Authenticates one `Request`: what {@link apiKeyAuth} returns. `server` is
 * the optional second argument your server hands its fetch handler (on Node
 * through `@hono/node-server`, `{ incoming }`: the raw headers are then read,
 * so a doubled header counts twice); leave it out elsewhere.
 *
 * @example
 * ```ts
 * const authenticate: Authenticate = apiKeyAuth(keyward);
 * const auth = await authenticate(request);
 * ```
 */
export type Authenticate = (request: Request, server?: unknown) => Promise<AuthResult>;

/**
 * Checks the scopes of an authenticated request: what {@link requireScopes}
 * returns. `null` lets the request through; otherwise it is the `Response`
 * to return.
 *
 * @example
 * ```ts
 * const canWrite: ScopeCheck = requireScopes("jobs:write");
 * const denied = canWrite(auth, request);
 * if (denied) return denied;
 * ```
 */
export type ScopeCheck = (auth: AuthResult, request: Request) => Response | null;

/**
 * Builds a function that authenticates a Fetch `Request` with an API key:
 * `Authorization: Bearer <key>` (and `options.header`, e.g. `X-API-Key`, when
 * set; never the query string). It resolves to `{ ok: true, apiKey,
 * principal, scopes }`, or to `{ ok: false, response }` where `response` is
 * the 400, 401, 403, 429 or 503 answer, with the RFC 6750 `WWW-Authenticate`
 * challenge and the JSON error body, ready to return. The client's address
 * (for `allowedIps` and, with `trustProxy`, forwarded headers) comes from
 * `options.getAddress(request, server)`, else from what the runtime hands the
 * handler: Node's socket through `@hono/node-server`, Bun's
 * `server.requestIP(request)`, Deno's `info.remoteAddr`. Options are validated
 * once, here. Web APIs only: Node, Bun, Deno, Cloudflare Workers, Next.js
 * route handlers.
 *
 * @example
 * ```ts
 * import { apiKeyAuth } from "keyward/fetch";
 *
 * const authenticate = apiKeyAuth(keyward, { scopes: ["jobs:read"] });
 * export async function GET(request: Request) {
 *   const auth = await authenticate(request);
 *   if (!auth.ok) return auth.response;
 *   return Response.json({ owner: auth.apiKey.owner });
 * }
 * ```
 */
export function apiKeyAuth(keyward: Keyward, options?: FetchAuthOptions): Authenticate;
/** @deprecated `header: true` / `false`: pass the header's name instead (`{ header: "x-api-key" }`). */
export function apiKeyAuth(keyward: Keyward, options?: LegacyAuthOptions & Pick<FetchAuthOptions, "getAddress">): Authenticate;
export function apiKeyAuth(
  keyward: Keyward,
  options: LegacyAuthOptions & Pick<FetchAuthOptions, "getAddress"> = {},
): Authenticate {
  assertKeyward(keyward, "apiKeyAuth");
  const { getAddress, ...rest } = options;
  if (getAddress !== undefined && typeof getAddress !== "function")
    throw new TypeError("apiKeyAuth: `getAddress` must be a function");
  const auth = createAuthenticator(keyward, rest);
  const addressOf = getAddress ?? runtimeAddress;
  return async function keywardApiKeyAuth(request, server) {
    const outcome = await auth.authenticate(
      requestHeaders(request, server).values,
      () => pathnameOf(request),
      addressOf(request, server),
    );
    if (!outcome.ok) return { ok: false, response: toResponse(outcome.response) };
    return { ok: true, apiKey: outcome.apiKey, principal: outcome.principal, scopes: outcome.scopes, headers: outcome.headers };
  };
}

/**
 * Builds a check, used after {@link apiKeyAuth}, that returns `null` when the
 * authenticated principal holds every one of `scopes` (its effective scopes;
 * wildcards apply), and otherwise the `Response` to return: 403
 * `insufficient_scope` naming them, the failed result's own `response`, or
 * 401 when what it is given is no result of `apiKeyAuth`. Scopes are
 * validated once, here.
 *
 * @example
 * ```ts
 * import { apiKeyAuth, requireScopes } from "keyward/fetch";
 *
 * const authenticate = apiKeyAuth(keyward);
 * const canWrite = requireScopes("jobs:write");
 * export async function POST(request: Request) {
 *   const auth = await authenticate(request);
 *   if (!auth.ok) return auth.response;
 *   const denied = canWrite(auth, request);
 *   if (denied) return denied;
 *   return Response.json({ owner: auth.apiKey.owner }, { status: 201 });
 * }
 * ```
 */
export function requireScopes(...scopes: string[]): ScopeCheck {
  const guard = createScopeGuard(scopes);
  return function keywardRequireScopes(auth, request) {
    if (auth && auth.ok === false && auth.response instanceof Response) return auth.response;
    const granted = auth as { principal?: Principal; apiKey?: unknown } | undefined;
    const denied = guard.check(granted?.principal, granted?.apiKey, () => pathnameOf(request));
    return denied ? toResponse(denied) : null;
  };
}
