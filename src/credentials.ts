import { BROKEN_CREDENTIAL, MAX_KEY_LENGTH, type VerifyError } from "./verify-result.js";

/**
 * What a request presented.
 *
 * @example
 * ```ts
 * const credential: Credential = readCredential({ authorization: header("authorization") });
 * if (credential.kind === "token") await keyward.verify(credential.token);
 * else if (credential.kind === "invalid") console.log(credential.reason, credential.error.status); // 400
 * ```
 */
export type Credential =
  /** Nothing, or another scheme than Bearer (nothing is looked up). */
  | { kind: "none" }
  /** A syntactically broken or doubled credential: `error` is `malformed` with status 400 (`invalid_request`). */
  | { kind: "invalid"; reason: string; error: VerifyError }
  /** One token to verify. */
  | { kind: "token"; token: string };

/**
 * The header values a request carried.
 *
 * @example
 * ```ts
 * const sources: CredentialSources = {
 *   authorization: header("authorization"), // every value, e.g. from `headersFromRaw(req.rawHeaders).values`
 *   apiKey: header("x-api-key"),
 * };
 * readCredential(sources); // { kind: "invalid", … } when a key is sent in both
 * ```
 */
export interface CredentialSources {
  /** Every `Authorization` value. */
  authorization: readonly string[];
  /** Every value of the API-key header, when that header is enabled. */
  apiKey?: readonly string[];
}

const NONE: Credential = Object.freeze({ kind: "none" });

function invalid(reason: string): Credential {
  return { kind: "invalid", reason, error: { ...BROKEN_CREDENTIAL } };
}
/** RFC 6750 b64token / RFC 9110 token68. */
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
/**
 * Also read as a token (and so refused as an invalid key, 401): a token68 with
 * `:`, the shape of a stored hash (`v1:…`) presented as a key.
 */
const HASH_SHAPED = /^[A-Za-z0-9\-._~+/:]+=*$/;
/** A comma followed by an auth-scheme and a space or the end: a second credential, not an auth-param. */
const SECOND_SCHEME = /,\s*[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*(?:\s|$)/;
/** An empty element in a comma-joined value (`, `, `Basic x, `): an empty header was sent beside another. */
const EMPTY_ELEMENT = /^\s*,|,\s*(?:,|$)/;
/** Longer values cannot be keys: refused as invalid tokens without a regex pass or hashing (400 if they hold a comma). */
const CAP = MAX_KEY_LENGTH;

/**
 * Reads the credential of a request: `Authorization: Bearer <token>` (scheme
 * case-insensitive, any number of spaces) and, when enabled, an API-key
 * header. Never reads the query string. Never throws.
 *
 * @example
 * ```ts
 * readCredential({ authorization: ["Bearer cho_…"] }); // { kind: "token", token: "cho_…" }
 * readCredential({ authorization: ["Basic dTpw"] }); // { kind: "none" }
 * ```
 */
export function readCredential(sources: CredentialSources): Credential {
  const auth = sources.authorization;
  const alt = sources.apiKey ?? [];
  if (auth.length + alt.length === 0) return NONE;
  if (auth.length + alt.length > 1) return invalid("More than one credential was presented");
  if (alt.length === 1) return token(alt[0] as string);
  const value = auth[0] as string;
  const space = value.indexOf(" ");
  const scheme = space === -1 ? value : value.slice(0, space);
  if (scheme.length !== 6 || scheme.toLowerCase() !== "bearer") {
    if (value.trim() === "") return invalid("Empty Authorization header");
    // `Basic a, Basic b` (two headers joined by a Fetch `Headers`): a second scheme after a comma
    return SECOND_SCHEME.test(value) || EMPTY_ELEMENT.test(value) ? invalid("More than one credential was presented") : NONE;
  }
  let start = space === -1 ? value.length : space;
  while (value.charCodeAt(start) === 32) start++;
  return token(value.slice(start));
}

function token(value: string): Credential {
  if (value.length > CAP) {
    // still a 400 when a Fetch `Headers` joined two credentials into one long value: a comma is never in a token
    return value.includes(",") ? invalid("More than one credential was presented") : { kind: "token", token: value };
  }
  if (value === "") return invalid("The Bearer token is empty");
  if (!TOKEN68.test(value) && !HASH_SHAPED.test(value)) return invalid("The Bearer token is not a valid token");
  return { kind: "token", token: value };
}
