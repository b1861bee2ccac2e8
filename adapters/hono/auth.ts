import type { Context, MiddlewareHandler } from "hono";
import type { ApiKey, Keyward } from "keyward";
import { type AuthOptions, createAuthenticator, createScopeGuard, type LegacyAuthOptions, type Principal } from "keyward/http";
import { assertKeyward } from "../shared/http.js";
import { honoHeaders } from "./headers.js";
import { pathnameOf, respond } from "./respond.js";

/**
 * The context variables {@link apiKeyAuth} sets, for a typed app.
 *
 * @example
 * ```ts
 * const app = new Hono<{ Variables: KeywardVariables }>();
 * app.get("/v1/jobs", apiKeyAuth(keyward), (c) => c.json({ owner: c.var.apiKey.owner, scopes: c.var.principal.scopes }));
 * ```
 */
export type KeywardVariables = {
  /** The API key `apiKeyAuth` authenticated. */
  apiKey: ApiKey;
  /** Who `apiKeyAuth` authenticated: the key and its effective scopes (own ∪ role's), with `has(...scopes)`. */
  principal: Principal;
};

/**
 * Options of the Hono {@link apiKeyAuth}: those of every adapter, and how to
 * find the client's address where Hono does not run on `@hono/node-server`.
 *
 * @example
 * ```ts
 * // Bun: the server object is `c.env`
 * app.use("/v1/*", apiKeyAuth(keyward, { getAddress: (c) => c.env?.requestIP?.(c.req.raw)?.address }));
 * ```
 */
export interface HonoAuthOptions extends AuthOptions {
  /**
   * The socket's remote address of a request. Default: Node's
   * (`c.env.incoming.socket.remoteAddress`, as `@hono/node-server` sets it);
   * other runtimes pass their own (Bun's `server.requestIP`, Deno's
   * `info.remoteAddr`). Without an address, keys with an IP allowlist are refused.
   */
  getAddress?: ((c: Context) => string | undefined) | undefined;
}

/** The socket address on `@hono/node-server`, where `c.env.incoming` is Node's request. */
function nodeAddress(c: Context): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: unknown } } } | undefined;
  const address = env?.incoming?.socket?.remoteAddress;
  return typeof address === "string" ? address : undefined;
}

function isEmpty(headers: Readonly<Record<string, string>>): boolean {
  for (const _ in headers) return false;
  return true;
}

/** Node's response on `@hono/node-server` (`c.env.outgoing`) while its headers can still be set; else undefined. */
function nodeResponse(c: Context): { setHeader(name: string, value: string): unknown } | undefined {
  const outgoing = (c.env as { outgoing?: { setHeader?: unknown; headersSent?: unknown } } | undefined)?.outgoing;
  return outgoing !== undefined && typeof outgoing.setHeader === "function" && outgoing.headersSent === false
    ? (outgoing as { setHeader(name: string, value: string): unknown })
    : undefined;
}

/**
 * Hono middleware that authenticates the request with an API key:
 * `Authorization: Bearer <key>` (and `options.header`, e.g. `X-API-Key`, when
 * set; never the query string). On success it does `c.set("apiKey", key)`
 * and `c.set("principal", principal)` (the key with its effective scopes)
 * and continues; otherwise it answers 400, 401, 403, 429 or 503 with the RFC 6750
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
export function apiKeyAuth(keyward: Keyward, options?: HonoAuthOptions): MiddlewareHandler<{ Variables: KeywardVariables }>;
/** @deprecated `header: true` / `false`: pass the header's name instead (`{ header: "x-api-key" }`). */
export function apiKeyAuth(
  keyward: Keyward,
  options?: LegacyAuthOptions & Pick<HonoAuthOptions, "getAddress">,
): MiddlewareHandler<{ Variables: KeywardVariables }>;
export function apiKeyAuth(
  keyward: Keyward,
  options: LegacyAuthOptions & Pick<HonoAuthOptions, "getAddress"> = {},
): MiddlewareHandler<{ Variables: KeywardVariables }> {
  assertKeyward(keyward, "apiKeyAuth");
  const { getAddress, ...rest } = options;
  if (getAddress !== undefined && typeof getAddress !== "function")
    throw new TypeError("apiKeyAuth: `getAddress` must be a function");
  const auth = createAuthenticator(keyward, rest);
  const addressOf = getAddress ?? nodeAddress;
  return async function keywardApiKeyAuth(c, next) {
    const outcome = await auth.authenticate(honoHeaders(c).values, () => pathnameOf(c), addressOf(c));
    if (!outcome.ok) return respond(c, outcome.response);
    c.set("apiKey", outcome.apiKey);
    c.set("principal", outcome.principal);
    const headers = outcome.headers;
    const none = isEmpty(headers);
    const outgoing = none ? undefined : nodeResponse(c);
    // on Node's response, as the Express and Koa adapters do: a Fetch `Headers` per request costs more than the check
    if (outgoing !== undefined) for (const name in headers) outgoing.setHeader(name, headers[name] as string);
    await next(); // awaited, never returned: Hono would take what it resolves to for the response
    if (none || outgoing !== undefined) return;
    // elsewhere on the response in place: c.header() after the handler rebuilds the Response for every header
    try {
      for (const name in headers) c.res.headers.set(name, headers[name] as string);
    } catch {
      // a response whose headers cannot change (a redirect, one from fetch): a copy that can
      const copy = new Response(c.res.body, c.res);
      for (const name in headers) copy.headers.set(name, headers[name] as string);
      c.res = undefined; // replace rather than merge: some Hono versions write to the old headers when merging
      c.res = copy;
    }
  };
}

/**
 * Hono middleware, placed after {@link apiKeyAuth}, that continues only when
 * `c.get("principal")` holds every one of `scopes` (its effective scopes;
 * wildcards apply); otherwise it answers 403 `insufficient_scope` naming
 * them, or 401 when no key was authenticated (or `principal` / `apiKey`
 * were replaced since). Scopes are validated once, here.
 *
 * @example
 * ```ts
 * app.post("/v1/jobs", apiKeyAuth(keyward), requireScopes("jobs:write"), (c) => c.json({ ok: true }, 201));
 * ```
 */
export function requireScopes(...scopes: string[]): MiddlewareHandler {
  const guard = createScopeGuard(scopes);
  return async function keywardRequireScopes(c, next) {
    const denied = guard.check(c.get("principal") as Principal | undefined, c.get("apiKey"), () => pathnameOf(c));
    if (denied) return respond(c, denied);
    await next();
  };
}
