import { checkedRecord, isFrozenRecord, sameRecord } from "./record-shape.js";

/** Most metered records whose latest entry is kept by hash. */
const METERED_MEMORY = 10_000;

import type { ScopeSet } from "./scopes.js";
import type { KeyRecord } from "./types.js";

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
  /** When this entry's last use was handed to the last-used tracker (a pre-filter that skips its map). */
  usedAt: number;
  /** Whether verifying this record involves usage control (an allowlist, a rate limit, credits); set with `granted`. */
  usage: boolean;
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
   * The latest entry of each record with credits, by hash: a store hands out
   * a new object for every spent balance, which is otherwise the same
   * record. Verification reads the balance from `consume`, never from the
   * entry, so such an object reuses the entry.
   */
  private readonly metered = new Map<string, MemoEntry<R>>();

  /** The entry of a store answer; null when it is not a well-formed record. Never throws. */
  entryOf(found: unknown): MemoEntry<R> | null {
    if (found === null || typeof found !== "object") return null;
    const hit = this.entries.get(found);
    if (hit !== undefined && (hit.frozen || hit.record === found || sameRecord(found, hit.record))) return hit;
    if (this.metered.size > 0) {
      const previous = this.metered.get((found as { hash?: unknown }).hash as string);
      if (previous !== undefined && sameRecord(found, previous.record, true)) return previous;
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
      usedAt: Number.NEGATIVE_INFINITY,
      usage: false,
    };
    this.entries.set(found, entry);
    this.entries.set(record, entry);
    if (record.credits != null) {
      if (this.metered.size >= METERED_MEMORY) this.metered.clear();
      this.metered.set(record.hash, entry);
    }
    return entry;
  }
}
