import { ConfigError } from "./errors.js";
import { BASE62_CLASS, BASE62_DIGITS, decodeBase62, encodeUint32, randomBase62, UINT32_WIDTH } from "./internal/base62.js";
import { CRC_TABLE, crc32 } from "./internal/crc32.js";

/** Random base62 characters in a key body: 48 × log2(62) ≈ 285.8 bits. */
export const SECRET_LENGTH = 48;
/** Base62 characters of the CRC32 checksum that ends a key body. */
export const CHECKSUM_LENGTH = UINT32_WIDTH;
/** Secret characters shown in `keyPrefix` (≈ 47.6 bits). */
export const DISPLAY_LENGTH = 8;
/** Longest prefix accepted by {@link assertPrefix}. */
export const MAX_PREFIX_LENGTH = 24;

const BODY_LENGTH = SECRET_LENGTH + CHECKSUM_LENGTH;
const PREFIX_SOURCE = "[a-z][a-z0-9]*(?:_[a-z0-9]+)*";
const PREFIX_RE = new RegExp(`^${PREFIX_SOURCE}$`);

/**
 * Matches any keyward key, whatever its prefix, for secret scanners
 * (GitHub secret scanning custom patterns, gitleaks, trufflehog). Confirm a
 * hit with {@link hasValidChecksum} to rule out false positives.
 *
 * @example
 * ```ts
 * const leaks = text.match(new RegExp(KEY_PATTERN, "g")) ?? [];
 * ```
 */
export const KEY_PATTERN: RegExp = /* @__PURE__ */ new RegExp(`\\b${PREFIX_SOURCE}_${BASE62_CLASS}{${BODY_LENGTH}}\\b`);

/**
 * The pattern for keys of one prefix, anchored at word boundaries.
 *
 * @example
 * ```ts
 * keyPattern("cho").test(`token=${key}`); // true
 * ```
 */
export function keyPattern(prefix: string): RegExp {
  assertPrefix(prefix);
  return new RegExp(`\\b${prefix}_${BASE62_CLASS}{${BODY_LENGTH}}\\b`);
}

/**
 * Throws {@link ConfigError} unless `prefix` is lowercase letters and digits,
 * optionally in `_`-separated parts (`cho`, `sk_live`), starting with a letter.
 *
 * @example
 * ```ts
 * assertPrefix("sk_live"); // ok
 * ```
 */
export function assertPrefix(prefix: unknown): asserts prefix is string {
  if (typeof prefix !== "string" || prefix.length > MAX_PREFIX_LENGTH || !PREFIX_RE.test(prefix)) {
    throw new ConfigError(
      `prefix must be 1-${MAX_PREFIX_LENGTH} lowercase letters and digits, optionally in "_"-separated parts, starting with a letter (e.g. "cho", "sk_live")`,
    );
  }
}

/**
 * A freshly generated key with its non-secret display parts.
 *
 * @example
 * ```ts
 * const generated: GeneratedKey = generateKey("cho");
 * generated.keyPrefix; // "cho_" and the first 8 secret characters
 * generated.last4; // generated.key.slice(-4)
 * ```
 */
export interface GeneratedKey {
  /** The full key, shown once. */
  key: string;
  /** `<prefix>_` and the first 8 (`DISPLAY_LENGTH`) secret characters. */
  keyPrefix: string;
  /** The last four characters of the key. */
  last4: string;
}

/**
 * Generates `<prefix>_<48 random base62><6 base62 CRC32 of the random part>`.
 *
 * @example
 * ```ts
 * const { key, keyPrefix, last4 } = generateKey("cho");
 * ```
 */
export function generateKey(prefix: string): GeneratedKey {
  const secret = randomBase62(SECRET_LENGTH);
  const key = `${prefix}_${secret}${encodeUint32(crc32(secret))}`;
  return {
    key,
    keyPrefix: `${prefix}_${secret.slice(0, DISPLAY_LENGTH)}`,
    last4: key.slice(-4),
  };
}

/**
 * Whether `key` is `<prefix>_` followed by a body of the right length, of
 * base62 characters, whose checksum matches. Never throws; does no hashing
 * and no I/O, so a mistyped key costs almost nothing.
 *
 * @example
 * ```ts
 * isWellFormedKey(key, "cho"); // true for a key generateKey("cho") made
 * ```
 */
export function isWellFormedKey(key: string, prefix: string): boolean {
  const start = prefix.length + 1;
  if (key.length !== start + BODY_LENGTH || key.charCodeAt(prefix.length) !== 95 || !key.startsWith(prefix)) {
    return false;
  }
  const end = start + SECRET_LENGTH;
  // one pass over the secret, inline (this runs on every verification): its alphabet is checked while its CRC-32 is computed
  // (the tables in locals: an imported binding read in a loop can cost a getter call per read once transpiled)
  const digits = BASE62_DIGITS;
  const table = CRC_TABLE;
  let crc = -1;
  for (let i = start; i < end; i++) {
    const c = key.charCodeAt(i);
    if (c > 127 || digits[c] === 255) return false;
    crc = (table[(crc ^ c) & 0xff] as number) ^ (crc >>> 8);
  }
  return decodeBase62(key, end, key.length) === ~crc >>> 0;
}

/**
 * Whether a string found by {@link KEY_PATTERN} carries a valid checksum,
 * whatever its prefix.
 *
 * @example
 * ```ts
 * hasValidChecksum(match[0]); // true for a real keyward key
 * ```
 */
export function hasValidChecksum(candidate: string): boolean {
  const cut = candidate.length - BODY_LENGTH - 1;
  return cut > 0 && isWellFormedKey(candidate, candidate.slice(0, cut));
}
