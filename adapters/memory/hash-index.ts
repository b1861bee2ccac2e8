import type { KeyRecord } from "keyward";

/** The registered symbol keyward's core looks for a store's lookup by digest under. */
export const DIGEST_LOOKUP: symbol = Symbol.for("keyward.digestLookup");

/**
 * The lookup by digest a store offers verification: the `findByHash` it
 * stands for (verification uses it only while the store's `findByHash` is
 * still that function, so a wrapped or spied store is always asked), and,
 * for a hash tag, a synchronous function answering for a digest what
 * `findByHash(tag + digest)` answers.
 */
export interface DigestLookup {
  readonly findByHash: (hash: string) => KeyRecord | null;
  readonly under: (tag: string) => (digest: string) => KeyRecord | null;
}

/** The {@link DigestLookup} of `index`, standing for `findByHash`. */
export function digestLookup(index: HashIndex, findByHash: (hash: string) => KeyRecord | null): DigestLookup {
  return Object.freeze({
    findByHash,
    under: (tag: string) => {
      // a tag this index files apart gets its own map; for any other, tag + digest is looked up whole
      if (typeof tag !== "string" || tag.length !== 3 || tagLength(`${tag}0`) !== 3) {
        return (digest: string) => findByHash(`${tag}${digest}`);
      }
      const digests = index.digests(tag);
      return (digest: string) => digests.get(digest) ?? null;
    },
  });
}

/** Length of the tag of `hash`: 3 for `v<digit>:` (as keyward writes, `v1:` and `v2:`), else 0. */
function tagLength(hash: string): number {
  const digit = hash.charCodeAt(1);
  return hash.length > 3 && hash.charCodeAt(0) === 118 && digit >= 48 && digit <= 57 && hash.charCodeAt(2) === 58 ? 3 : 0;
}

/**
 * `text` as one flat string. A slice is a view on its parent in V8, and
 * every lookup that finds a slice key compares it through the runtime; a
 * string parsed from JSON is always flat.
 */
function flat(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

/**
 * Records by hash, filed under the hash's tag and then its digest, so that
 * verification can look a key up by digest without building the tagged
 * string. Untagged hashes are filed under the tag "".
 */
export class HashIndex {
  private readonly byTag = new Map<string, Map<string, KeyRecord>>();

  get(hash: string): KeyRecord | undefined {
    const n = tagLength(hash);
    return this.byTag.get(hash.slice(0, n))?.get(n === 0 ? hash : hash.slice(n));
  }

  has(hash: string): boolean {
    return this.get(hash) !== undefined;
  }

  set(hash: string, record: KeyRecord): void {
    const n = tagLength(hash);
    const digests = this.digests(hash.slice(0, n));
    if (n === 0) digests.set(hash, record);
    else if (digests.has(hash.slice(n)))
      digests.set(hash.slice(n), record); // keeps the flat key already there
    else digests.set(flat(hash.slice(n)), record);
  }

  clear(): void {
    for (const digests of this.byTag.values()) digests.clear(); // kept: lookups handed out hold them
  }

  /** The records of one tag by digest (created empty on first use, and never replaced). */
  digests(tag: string): Map<string, KeyRecord> {
    let digests = this.byTag.get(tag);
    if (digests === undefined) this.byTag.set(tag, (digests = new Map()));
    return digests;
  }
}
