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
  /** Most records held; the least recently inserted is evicted. Default 10 000. */
  max?: number | undefined;
}

interface Entry {
  record: KeyRecord;
  expires: number;
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
  private generation = 0;
  private suspended = false;

  constructor(options: CacheOptions = {}) {
    this.ttl = options.ttl ?? 30_000;
    this.max = options.max ?? 10_000;
    if (!(this.ttl > 0) || !(this.max > 0)) throw new RangeError("cache: ttl and max must be positive");
  }

  /** The cached record for `hash`, if fresh (never while suspended). */
  get(hash: string, now: number): KeyRecord | undefined {
    if (this.suspended) return undefined;
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
    if (this.byHash.size >= this.max && !this.byHash.has(hash)) {
      const oldest = this.byHash.keys().next();
      if (!oldest.done) {
        const entry = this.byHash.get(oldest.value) as Entry;
        this.delete(oldest.value, entry.record.id);
      }
    }
    this.byHash.set(hash, { record, expires: now + this.ttl });
    this.hashById.set(record.id, hash);
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
    this.hashById.clear();
  }

  get size(): number {
    return this.byHash.size;
  }

  private delete(hash: string, id: string): void {
    this.byHash.delete(hash);
    this.hashById.delete(id);
  }
}
