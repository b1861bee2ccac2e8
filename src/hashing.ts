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
  const sha = digest.sha256;
  if (peppers.length === 0) return withParts({ hash: tagged(SHA256_TAG, sha), fallbacks: [] }, SHA256_TAG, sha);
  const [current, ...older] = peppers.map((p) => digest.hmacSha256(p));
  const hasher = {
    hash: tagged(HMAC_TAG, current as Digest),
    fallbacks: [...older.map((fn) => tagged(HMAC_TAG, fn)), tagged(SHA256_TAG, sha)],
  };
  return withParts(hasher, HMAC_TAG, current as Digest);
}

/**
 * The current hash of a hasher in its two parts: `hash(key) === tag + digest(key)`.
 * Verification looks keys up and compares them by digest, which spares
 * building the tagged string where it is not needed.
 *
 * @internal
 */
export interface HashParts {
  /** {@link SHA256_TAG} or {@link HMAC_TAG}; "" for a hasher {@link createHasher} did not make. */
  readonly tag: string;
  /** The untagged digest of a key (the whole hash when `tag` is ""). */
  readonly digest: Digest;
}

const PARTS = new WeakMap<KeyHasher, HashParts>();

/**
 * The parts of `hasher`'s current hash (for a hasher {@link createHasher}
 * did not make: no tag, and its whole hash as the digest).
 *
 * @internal
 */
export function hashParts(hasher: KeyHasher): HashParts {
  return PARTS.get(hasher) ?? { tag: "", digest: hasher.hash };
}

/**
 * `tag + digest`, built by `join` rather than `+`: V8 builds a concatenation
 * this long as a rope (two pointers), which every `Map` lookup hashes through
 * a scratch copy and every character read must unwrap; `join` writes one
 * flat string.
 *
 * @internal
 */
export function joinHash(tag: string, digest: string): string {
  return tag === "" ? digest : [tag, digest].join("");
}

function withParts(hasher: KeyHasher, tag: string, digest: Digest): KeyHasher {
  PARTS.set(hasher, { tag, digest });
  return hasher;
}

function tagged(tag: string, fn: Digest): (key: string) => string {
  return (key) => joinHash(tag, fn(key));
}
