import type { FastifyReply, FastifyRequest } from "fastify";
import type { Keyward } from "keyward";
import { type AuthOptions, createAuthenticator, createScopeGuard, headersFromRaw, type LegacyAuthOptions } from "keyward/http";
import { assertKeyward } from "../shared/http.js";
import { pathOfRequest, send } from "./respond.js";

/**
 * A Fastify hook as {@link apiKeyAuth} and {@link requireScopes} return it:
 * use it as a `preHandler` (or `onRequest`) hook, on a route or with
 * `addHook`. It resolves to the reply when it answered, else to undefined.
 *
 * @example
 * ```ts
 * const hook: KeywardHook = apiKeyAuth(keyward);
 * app.get("/v1/jobs", { preHandler: hook }, async (request) => ({ owner: request.apiKey?.owner }));
 * ```
 */
export type KeywardHook = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;

/**
 * A Fastify hook that authenticates the request with an API key:
 * `Authorization: Bearer <key>` (and `options.header`, e.g. `X-API-Key`, when
 * set; never the query string). On success it sets `request.apiKey` and
 * `request.principal` (the key with its effective scopes) and the request
 * goes on; otherwise it answers 400, 401, 403, 429 or 503 with the RFC 6750
 * `WWW-Authenticate` challenge and the JSON error body of the core. The
 * client's address is the socket's peer, or with `trustProxy` the one
 * trusted proxies forwarded (Fastify's own `trustProxy` is not consulted). Use it
 * as a `preHandler` hook, or as an `onRequest` hook to refuse a request
 * before its body is read. Options are validated once, here.
 *
 * @example
 * ```ts
 * import { apiKeyAuth, requireScopes } from "keyward/fastify";
 *
 * app.get("/v1/jobs", { preHandler: [apiKeyAuth(keyward), requireScopes("jobs:read")] }, async (request) => {
 *   return { owner: request.apiKey?.owner, scopes: request.principal?.scopes };
 * });
 * ```
 */
export function apiKeyAuth(keyward: Keyward, options?: AuthOptions): KeywardHook;
/** @deprecated `header: true` / `false`: pass the header's name instead (`{ header: "x-api-key" }`). */
export function apiKeyAuth(keyward: Keyward, options?: LegacyAuthOptions): KeywardHook;
export function apiKeyAuth(keyward: Keyward, options: LegacyAuthOptions = {}): KeywardHook {
  assertKeyward(keyward, "apiKeyAuth");
  const auth = createAuthenticator(keyward, options);
  return async function keywardApiKeyAuth(request, reply) {
    const outcome = await auth.authenticate(
      headersFromRaw(request.raw.rawHeaders).values,
      () => pathOfRequest(request),
      request.raw.socket?.remoteAddress,
    );
    if (!outcome.ok) return send(reply, outcome.response);
    for (const name in outcome.headers) reply.header(name, outcome.headers[name] as string);
    request.apiKey = outcome.apiKey;
    request.principal = outcome.principal;
    return undefined;
  };
}

/**
 * A Fastify hook, placed after {@link apiKeyAuth}, that lets the request go
 * on only when `request.principal` holds every one of `scopes` (its
 * effective scopes; wildcards apply); otherwise it answers 403
 * `insufficient_scope` naming them, or 401 when no key was authenticated (or
 * `request.principal` / `request.apiKey` were replaced since). Scopes are
 * validated once, here.
 *
 * @example
 * ```ts
 * app.post("/v1/jobs", { preHandler: [apiKeyAuth(keyward), requireScopes("jobs:write")] }, createJob);
 * ```
 */
export function requireScopes(...scopes: string[]): KeywardHook {
  const guard = createScopeGuard(scopes);
  return async function keywardRequireScopes(request, reply) {
    const denied = guard.check(request.principal, request.apiKey, () => pathOfRequest(request));
    return denied ? send(reply, denied) : undefined;
  };
}
