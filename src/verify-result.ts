import type { VerificationFailure } from "./events.js";
import type { ApiKey } from "./types.js";

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
 *   res.sendStatus(status); // 401, 403 or 503
 * }
 * ```
 */
export interface VerifyError {
  code: VerificationFailure;
  status: 400 | 401 | 403 | 503;
  message: string;
}

/**
 * The outcome of {@link Keyward.verify}.
 *
 * @example
 * ```ts
 * const result: VerifyResult = await keyward.verify(req.headers["x-api-key"]);
 * if (result.ok) console.log(result.key.owner, result.scopes); // scopes: own ∪ role's
 * else console.log(result.error.code); // "missing", "invalid", "revoked", …
 * ```
 */
export type VerifyResult = { ok: true; key: ApiKey; scopes: string[] } | { ok: false; error: VerifyError };

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
