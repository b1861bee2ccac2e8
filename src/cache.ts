import { Doorkeeper, PresenceFilter } from "./internal/string-filters.js";
import type { KeyRecord } from "./types.js";

/**
 * Options of the verification cache.
 *
 * @example
 * ```ts
 * const options: CacheOptions = { ttl: 30_000, max: 10_000 };
 * const keyward = createKeyward({ store, prefix: "cho", cache: options });
 * ```
 */
export interface CacheOptions {
  /** How long a record is served from memory, in ms. Default 30 000. */
  ttl?: number | undefined;
  /**
   * Most records held; the least recently inserted is evicted (in constant
   * time). Once full, a key is cached on its second read within about `max`
   * reads. Default 10 000.
   */
  max?: number | undefined;
}

interface Entry {
  record: KeyRecord;
  expires: number;
  /** Its place in the insertion ring. */
  slot: number;
}

/**
 * Hot records by the current hash of the key that found them, bounded in
 * size and age. A key hashed under an older pepper is found in the store by
 * an older hash but cached under its current one, so its next verification
 * costs no lookup either. Holds only records the verifier checked (well
 * formed, hash compared). Evicted by id when a change is seen (locally at
 * once, from other instances through the store's change feed); cleared when
 * the feed says changes may have been missed.
 */
export class VerificationCache {
  readonly ttl: number;
  readonly max: number;
  private readonly byHash = new Map<string, Entry>();
  private readonly hashById = new Map<string, string>();
  /**
   * Hashes in insertion order, a ring of at most `max` slots: the next insert
   * takes the slot at `cursor` and evicts whatever still lives there, so
   * eviction costs O(1) however many entries were deleted meanwhile.
   */
  private readonly ring: (string | undefined)[] = [];
  private cursor = 0;
  private readonly slots: number;
  /** The hashes in `byHash`, so that most misses need no probe of it. */
  private readonly filter: PresenceFilter;
  private generation = 0;
  private suspended = false;
  /** Admission while full (see {@link VerificationCache.offer}). */
  private readonly door: Doorkeeper;

  constructor(options: CacheOptions = {}) {
    this.ttl = options.ttl ?? 30_000;
    this.max = options.max ?? 10_000;
    if (!(this.ttl > 0) || !(this.max > 0)) throw new RangeError("cache: ttl and max must be positive");
    this.slots = Math.max(1, Math.floor(this.max));
    this.filter = new PresenceFilter(this.slots);
    this.door = new Doorkeeper(this.slots);
  }

  /** The cached record for `hash`, if fresh (never while suspended). */
  get(hash: string, now: number): KeyRecord | undefined {
    if (this.suspended || !this.filter.mayHold(hash)) return undefined;
    const entry = this.byHash.get(hash);
    if (entry === undefined) return undefined;
    if (entry.expires <= now) {
      this.delete(hash, entry.record.id);
      return undefined;
    }
    return entry.record;
  }

  /** A stamp to take before a store read; pass it to {@link VerificationCache.set}. */
  stamp(): number {
    return this.generation;
  }

  /**
   * Cache a record read from the store under `hash`, the current hash of the
   * key that found it (which differs from `record.hash` for an older pepper).
   * Ignored if anything was evicted since `stamp` was taken, so a read that
   * raced a revoke never caches the old state.
   */
  set(hash: string, record: KeyRecord, now: number, stamp: number): void {
    if (stamp !== this.generation || this.suspended) return;
    const present = this.byHash.get(hash);
    if (present !== undefined) {
      if (present.record.id !== record.id) this.hashById.delete(present.record.id);
      present.record = record;
      present.expires = now + this.ttl;
      this.hashById.set(record.id, hash);
      return;
    }
    const slot = this.cursor;
    const previous = this.ring[slot];
    if (previous !== undefined) {
      const entry = this.byHash.get(previous);
      if (entry !== undefined && entry.slot === slot) this.delete(previous, entry.record.id);
    }
    this.ring[slot] = hash;
    this.cursor = slot + 1 >= this.slots ? 0 : slot + 1;
    this.byHash.set(hash, { record, expires: now + this.ttl, slot });
    this.filter.add(hash);
    this.hashById.set(record.id, hash);
  }

  /**
   * {@link VerificationCache.set} for a record a verification just read from
   * the store. While the cache is full, a key is cached only on its second
   * read within about `max` reads (see `Doorkeeper`): a key read again and
   * again gets in, while a working set far beyond `max`, which no cache of
   * this size holds, costs no inserts and evictions.
   */
  offer(hash: string, record: KeyRecord, now: number, stamp: number): void {
    if (this.byHash.size >= this.slots && !this.door.admits(hash)) return;
    this.set(hash, record, now, stamp);
  }

  /** Drop the record with this id, if cached. */
  evict(id: string): void {
    this.generation++;
    const hash = this.hashById.get(id);
    if (hash !== undefined) this.delete(hash, id);
  }

  /** The change feed is down: serve nothing and cache nothing until {@link VerificationCache.resume}. */
  suspend(): void {
    this.suspended = true;
    this.clear();
  }

  /** The feed is back (after a reset): clear and cache again. */
  resume(): void {
    this.clear();
    this.suspended = false;
  }

  clear(): void {
    this.generation++;
    this.byHash.clear();
    this.filter.clear();
    this.hashById.clear();
    this.ring.length = 0;
    this.cursor = 0;
  }

  get size(): number {
    return this.byHash.size;
  }

  private delete(hash: string, id: string): void {
    if (this.byHash.delete(hash)) this.filter.remove(hash);
    this.hashById.delete(id);
  }
}
