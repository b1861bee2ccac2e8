import { ConfigError } from "./errors.js";
import { backend, type Digest } from "./internal/sha256.js";

/** A hashing back-end: plain SHA-256 and HMAC-SHA-256, base64url out. */
type DigestBackend = typeof backend;

/**
 * Tag of a plain SHA-256 hash (no pepper).
 *
 * @example
 * ```ts
 * // records hashed before any pepper was configured
 * const unpeppered = records.filter((r) => r.hash.startsWith(SHA256_TAG)); // "v1:…"
 * ```
 */
export const SHA256_TAG = "v1:";
/**
 * Tag of an HMAC-SHA-256 hash keyed with a pepper.
 *
 * @example
 * ```ts
 * createHasher("my-pepper").hash(key).startsWith(HMAC_TAG); // true: "v2:…"
 * ```
 */
export const HMAC_TAG = "v2:";

/**
 * Turns a key into the versioned hash a store indexes.
 *
 * @example
 * ```ts
 * const hasher: KeyHasher = createHasher(["new-pepper", "old-pepper"]);
 * let record = await store.findByHash(hasher.hash(key));
 * for (const older of hasher.fallbacks) record ??= await store.findByHash(older(key));
 * ```
 */
export interface KeyHasher {
  /** The hash new keys are stored under (current pepper, or plain SHA-256). */
  readonly hash: (key: string) => string;
  /**
   * Hashes to try after a miss on {@link KeyHasher.hash}: one per older
   * pepper, then plain SHA-256, so keys created before a pepper rotation —
   * or before any pepper was configured — keep verifying.
   */
  readonly fallbacks: readonly ((key: string) => string)[];
}

/**
 * Builds the hasher for a `pepper` option: HMAC-SHA-256 keyed by each pepper
 * (current first) when given, plain SHA-256 otherwise. Hashes are tagged so
 * schemes can coexist in one store.
 *
 * @example
 * ```ts
 * const hasher = createHasher(["new-pepper", "old-pepper"]);
 * hasher.hash(key); // "v2:…"
 * ```
 */
export function createHasher(pepper?: string | readonly string[]): KeyHasher;
/**
 * The same, on a chosen hashing back-end (tests compare the native and the
 * portable one).
 *
 * @internal
 */
export function createHasher(pepper: string | readonly string[] | undefined, digest: DigestBackend): KeyHasher;
export function createHasher(pepper?: string | readonly string[], digest: DigestBackend = backend): KeyHasher {
  const peppers = pepper === undefined ? [] : typeof pepper === "string" ? [pepper] : pepper;
  if (!Array.isArray(peppers) || peppers.some((p) => typeof p !== "string" || p.length === 0)) {
    throw new ConfigError("pepper must be a non-empty string or a list of them (current first)");
  }
  if (peppers.length === 0) {
    const sha = digest.sha256;
    return { hash: (key) => flat(SHA256_TAG + sha(key)), fallbacks: [] };
  }
  const [current, ...older] = peppers.map((p) => tagged(digest.hmacSha256(p)));
  const sha = digest.sha256;
  return { hash: current as (key: string) => string, fallbacks: [...older, (key) => flat(SHA256_TAG + sha(key))] };
}

function tagged(fn: Digest): (key: string) => string {
  return (key) => flat(HMAC_TAG + fn(key));
}

/**
 * Returns `hash` flattened. V8 builds a concatenation this long as a rope
 * (two pointers), which it hashes through a scratch copy in every `Map`
 * lookup and compares piece by piece; reading a character flattens it in
 * place, once, before the cache, the store and the comparison use it.
 * Every tag starts with "v"; checking it keeps the read.
 */
function flat(hash: string): string {
  if (hash.charCodeAt(0) !== 118) throw new Error("createHasher: unexpected tag");
  return hash;
}
