import { ConfigError, type Keyward } from "keyward";
import { AddressLimiter } from "./address-limiter.js";
import { BodyTooLargeError, MalformedBodyError, parseJsonObject } from "./body.js";
import type { HeaderReader, RequestHeaders } from "./headers.js";
import { errorBody, errorResponse, type HttpResponse } from "./responses.js";

/**
 * Options of `selfRevocation` in every adapter.
 *
 * @example
 * ```ts
 * const options: SelfRevocationOptions = {
 *   rateLimit: { limit: 5, window: 60_000 },
 *   clientKey: ({ header, address }) => header("cf-connecting-ip")[0] ?? address, // behind Cloudflare
 * };
 * app.post("/revoke", selfRevocation(keyward, options));
 * ```
 */
export interface SelfRevocationOptions {
  /** Most keys in one request (more → 400). Default 100. */
  maxKeys?: number | undefined;
  /** Largest body accepted, in bytes (more → 413). Default 32 KiB. */
  maxBodyBytes?: number | undefined;
  /**
   * Requests allowed per client (see `clientKey`) per `window` ms; over it →
   * 429 with `Retry-After`. Kept in memory, per instance. Default 10 per
   * minute; `false` turns it off (when your gateway limits the route).
   */
  rateLimit?: { limit: number; window: number } | false | undefined;
  /**
   * The client a request counts against: by default the socket's remote
   * address (never a forwarded-for header). Behind a proxy or a CDN, return
   * the address it passes on. Requests without one share one window.
   */
  clientKey?: ((client: { address: string | null; header: HeaderReader }) => string | null | undefined) | undefined;
  /** Clock in epoch ms (tests). Default `Date.now`. */
  now?: (() => number) | undefined;
}

/**
 * One self-revocation request, as an adapter hands it over.
 *
 * @example
 * ```ts
 * const request: SelfRevocationRequest = {
 *   headers: headersFromRaw(req.rawHeaders), path: "/revoke",
 *   address: req.socket.remoteAddress ?? null, readBody: (limit) => readText(req, limit), // your body reader
 * };
 * ```
 */
export interface SelfRevocationRequest {
  headers: RequestHeaders;
  path: string;
  /** The socket's remote address, when known. */
  address: string | null;
  /** Reads the body as text; should reject with `BodyTooLargeError` past `limit` bytes. */
  readBody: (limit: number) => Promise<string>;
}

/** The one body of every accepted request, whether or not any key existed. */
const ACCEPTED = Object.freeze({
  status: 202,
  message: "Accepted: every key in the request that exists is revoked.",
});

/**
 * A public endpoint (no authentication) where whoever holds a key can
 * revoke it, in GitHub's credential-revocation style: `POST { "keys": [...] }`.
 * It revokes the keys that exist (emitting `key.revoked` and `key.leaked`
 * with source `self-revocation`) and answers the same `202`, same body and
 * headers, whether they existed, were already revoked, or never did: no
 * existence oracle. A body that is not `{ keys: string[] }` with 1 to
 * `maxKeys` keys is a 400; each client gets `rateLimit` requests per window
 * (429 with `Retry-After` beyond). A failing store is a 503.
 *
 * @example
 * ```ts
 * const handle = createSelfRevocationHandler(keyward, { maxKeys: 50 });
 * const answer = await handle({ headers, path: "/revoke", address: req.socket.remoteAddress ?? null, readBody });
 * // answer.status === 202
 * ```
 */
export function createSelfRevocationHandler(
  keyward: Keyward,
  options: SelfRevocationOptions = {},
): (req: SelfRevocationRequest) => Promise<HttpResponse> {
  const maxKeys = positive(options.maxKeys, 100, "maxKeys");
  const maxBody = positive(options.maxBodyBytes, 32 * 1024, "maxBodyBytes");
  const clientKey = options.clientKey ?? (({ address }) => address);
  if (typeof clientKey !== "function") throw new ConfigError("selfRevocation: `clientKey` must be a function");
  const limiter = limiterOf(options.rateLimit, options.now ?? Date.now);

  return async function handleSelfRevocation(req: SelfRevocationRequest): Promise<HttpResponse> {
    const headers: Record<string, string> = { "cache-control": "no-store" };
    const fail = (status: number, message: string): HttpResponse => ({
      status,
      headers,
      body: errorBody(status, message, req.path),
    });
    if (limiter) {
      const wait = limiter.take(clientKey({ address: req.address, header: req.headers.values }) ?? "");
      if (wait > 0) return { ...fail(429, "Too many requests"), headers: { ...headers, "retry-after": String(wait) } };
    }
    try {
      const body = parseJsonObject(await req.readBody(maxBody), maxBody);
      const keys = body.keys;
      if (!Array.isArray(keys) || keys.length === 0 || !keys.every((k) => typeof k === "string")) {
        return fail(400, "The body must be { keys: string[] } with at least one key");
      }
      if (keys.length > maxKeys) return fail(400, `At most ${maxKeys} keys per request`);
      for (const key of new Set(keys as string[])) await keyward.reportLeak(key, { action: "revoke", source: "self-revocation" });
      return { status: 202, headers, body: ACCEPTED };
    } catch (error) {
      if (error instanceof BodyTooLargeError) return fail(413, error.message);
      if (error instanceof MalformedBodyError) return fail(400, error.message);
      const answer = errorResponse(error, { realm: "api", path: req.path });
      answer.headers["cache-control"] = "no-store";
      return answer;
    }
  };
}

function limiterOf(option: SelfRevocationOptions["rateLimit"], clock: () => number): AddressLimiter | null {
  if (option === false) return null;
  const { limit, window } = option ?? { limit: 10, window: 60_000 };
  positive(limit, 1, "rateLimit.limit");
  positive(window, 1, "rateLimit.window");
  return new AddressLimiter(limit, window, clock);
}

function positive(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
    throw new ConfigError(`selfRevocation: \`${name}\` must be a positive integer`);
  }
  return value;
}
