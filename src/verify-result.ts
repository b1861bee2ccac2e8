import type { VerificationFailure } from "./events.js";
import type { ApiKey } from "./types.js";
import type { RateLimitState } from "./usage/state.js";

/**
 * Longest string `verify` will look at; anything longer is refused before hashing.
 *
 * @example
 * ```ts
 * // longer values are never keys: verify() answers "malformed" without hashing them
 * if (token.length > MAX_KEY_LENGTH) return null;
 * ```
 */
export const MAX_KEY_LENGTH = 256;

/**
 * A failed verification. `message` is for logs; it never contains the key.
 * `status` is the HTTP status the failure maps to: the HTTP layer takes it
 * from here and derives the `WWW-Authenticate` challenge and body from it.
 *
 * @example
 * ```ts
 * const result = await keyward.verify(key);
 * if (!result.ok) {
 *   const { code, status, message }: VerifyError = result.error;
 *   console.warn(code, message); // safe to log: never holds the key
 *   res.sendStatus(status); // 401, 403, 429 or 503
 * }
 * ```
 */
export interface VerifyError {
  code: VerificationFailure;
  status: 400 | 401 | 403 | 429 | 503;
  message: string;
  /**
   * For `rate_limited`: ms until the key's window admits a verification
   * again; for `usage_exceeded`: ms until its next refill (absent without
   * one). HTTP answers with `Retry-After` in seconds.
   */
  retryAfter?: number;
}

/**
 * The outcome of {@link Keyward.verify}. For a key with a rate limit (its
 * own or the configured default), `ratelimit` holds the window's state after
 * this verification, on success and on a `rate_limited` or
 * `usage_exceeded` refusal; for a key with credits, `key.remaining` is the
 * balance after this verification spent its `cost`.
 *
 * @example
 * ```ts
 * const result: VerifyResult = await keyward.verify(req.headers["x-api-key"]);
 * if (result.ok) console.log(result.key.owner, result.scopes, result.ratelimit?.remaining); // scopes: own ∪ role's
 * else console.log(result.error.code, result.error.retryAfter); // "missing", "invalid", "rate_limited", …
 * ```
 */
export type VerifyResult =
  | { ok: true; key: ApiKey; scopes: string[]; ratelimit?: RateLimitState }
  | { ok: false; error: VerifyError; ratelimit?: RateLimitState };

/**
 * Options of {@link Keyward.verify}.
 *
 * @example
 * ```ts
 * const options: VerifyOptions = { scopes: ["jobs:read", "jobs:write"] }; // all of them
 * const result = await keyward.verify(key, options);
 * if (!result.ok && result.error.code === "insufficient_scope") console.log(result.error.status); // 403
 * ```
 */
export interface VerifyOptions {
  /** Scopes the key must hold (all of them). */
  scopes?: readonly string[] | undefined;
  /** Credits this verification spends when the key has credits (a non-negative integer; default 1). */
  cost?: number | undefined;
  /**
   * The client's address, checked against the key's `allowedIps` (a key
   * with an allowlist is refused without one). The HTTP adapters pass the
   * socket's remote address, or the forwarded one with `trustProxy`.
   */
  ip?: string | undefined;
}

/** Every verification failure, with its one status. */
const FAILURES: Readonly<Record<VerificationFailure, Readonly<VerifyError>>> = {
  missing: { code: "missing", status: 401, message: "No API key was presented" },
  malformed: { code: "malformed", status: 401, message: "The API key is malformed or has a bad checksum" },
  invalid: { code: "invalid", status: 401, message: "The API key is not recognised" },
  disabled: { code: "disabled", status: 401, message: "The API key is disabled" },
  expired: { code: "expired", status: 401, message: "The API key has expired" },
  revoked: { code: "revoked", status: 401, message: "The API key has been revoked" },
  insufficient_scope: { code: "insufficient_scope", status: 403, message: "The API key lacks a required scope" },
  ip_not_allowed: { code: "ip_not_allowed", status: 403, message: "The API key may not be used from this address" },
  rate_limited: { code: "rate_limited", status: 429, message: "The API key's rate limit is exhausted" },
  usage_exceeded: { code: "usage_exceeded", status: 429, message: "The API key has no credits left" },
  unavailable: { code: "unavailable", status: 503, message: "The key store is unavailable" },
};

/**
 * The error of a credential that is syntactically broken or doubled (two
 * `Authorization` headers, a comma-joined value, an empty Bearer token):
 * `malformed` with status 400, RFC 6750's `invalid_request`. It is what
 * `readCredential` reports with `kind: "invalid"`.
 */
export const BROKEN_CREDENTIAL: Readonly<VerifyError> = Object.freeze({
  code: "malformed",
  status: 400,
  message: "The credential is syntactically broken or doubled",
});

/**
 * The error `verify` answers with for `code`, as a fresh object: the one
 * place a failure gets its status. (A credential that could not even be
 * read is reported by `readCredential`, as `malformed` with status 400.)
 *
 * @example
 * ```ts
 * verifyError("revoked"); // { code: "revoked", status: 401, message: "The API key has been revoked" }
 * verifyError("insufficient_scope").status; // 403
 * ```
 */
export function verifyError(code: VerificationFailure): VerifyError {
  return { ...FAILURES[code] };
}
