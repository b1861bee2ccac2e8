import { checkedRecord, isFrozenRecord, sameRecord } from "./record-shape.js";
import type { ScopeSet } from "./scopes.js";
import type { KeyRecord } from "./types.js";

/** Most records whose latest entry is kept by hash. */
const LATEST_MEMORY = 10_000;

/** What verification derives from one record (`R`: its success result); built once, reused while the record is unchanged. */
export interface MemoEntry<R> {
  /** The checked, frozen copy every decision is made on. */
  readonly record: KeyRecord;
  /** Whether the store object can never change (frozen, own data fields), so a hit needs no comparison. */
  readonly frozen: boolean;
  /** The role scopes `granted` and `result` were built with (a role change rebuilds them). */
  roleScopes: readonly string[] | null;
  granted: ScopeSet | null;
  /** The frozen success result, shared by every verification of this entry; built on first success. */
  result: R | null;
  /** `result` as a frozen resolved promise, shared like `result` by the answers given without waiting; built on first use. */
  promise: Promise<R> | null;
  /** When this entry's last use was handed to the last-used tracker (a pre-filter that skips its map). */
  usedAt: number;
  /** Whether verifying this record involves usage control (an allowlist, a rate limit, credits); set with `granted`. */
  usage: boolean;
  /**
   * `record.hash` without the memo's tag, as a flat string, when it carries
   * that tag; null otherwise. A presented key's untagged digest is compared
   * with it (see `hashParts`).
   */
  readonly digest: string | null;
}

/**
 * Memo entries by record object: the store's object and the checked copy made
 * from it (which is what the verification cache holds). A store's object is
 * checked once; a hit is reused only while that object still holds the data
 * the entry was built from — always, if it cannot change — so a store that
 * edits its records in place never leaves a removed scope granted.
 */
export class RecordMemo<R> {
  private readonly entries = new WeakMap<object, MemoEntry<R>>();
  /**
   * The latest entry of each record a store hands out as a new object on
   * every read (a database's decoded row), and of each record with credits
   * (a new object for every spent balance), by hash. A new object holding
   * the same data reuses the entry; with credits, the balance may differ,
   * since verification reads it from `consume`, never from the entry.
   */
  private readonly latest = new Map<string, MemoEntry<R>>();

  /** @param tag - The tag of the current hash (`v1:` or `v2:`), whose digests entries keep apart. */
  constructor(private readonly tag: string | null = null) {}

  /**
   * The entry of a store object that can never change, if it has one: a
   * record seen before needs no check and no comparison.
   */
  frozenHit(found: object): MemoEntry<R> | undefined {
    const hit = this.entries.get(found);
    return hit?.frozen ? hit : undefined;
  }

  /** The entry of a store answer; null when it is not a well-formed record. Never throws. */
  entryOf(found: unknown): MemoEntry<R> | null {
    if (found === null || typeof found !== "object") return null;
    const hit = this.entries.get(found);
    if (hit !== undefined && (hit.frozen || hit.record === found || sameRecord(found, hit.record))) return hit;
    if (this.latest.size > 0) {
      const previous = this.latest.get((found as { hash?: unknown }).hash as string);
      if (previous !== undefined && sameRecord(found, previous.record, previous.record.credits != null, true)) return previous;
    }
    const record = checkedRecord(found);
    if (record === undefined) return null;
    const frozen = isFrozenRecord(found);
    const entry: MemoEntry<R> = {
      record,
      frozen,
      roleScopes: null,
      granted: null,
      result: null,
      promise: null,
      usedAt: Number.NEGATIVE_INFINITY,
      usage: false,
      digest: this.tag !== null && record.hash.startsWith(this.tag) ? flatCopy(record.hash.slice(this.tag.length)) : null,
    };
    this.entries.set(found, entry);
    this.entries.set(record, entry);
    if (!frozen || record.credits != null) {
      if (this.latest.size >= LATEST_MEMORY) this.latest.clear();
      this.latest.set(record.hash, entry);
    }
    return entry;
  }
}

/**
 * A copy of `text` as one flat string. A slice or a concatenation is a view
 * on other strings in V8, and reading its characters one by one (as a
 * constant-time comparison does) costs about twice as much; a string parsed
 * from JSON is always flat.
 */
function flatCopy(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}
