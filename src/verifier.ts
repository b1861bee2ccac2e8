import type { VerificationCache } from "./cache.js";
import { type EventListener, emitEvent, type VerificationFailure } from "./events.js";
import type { KeyHasher } from "./hashing.js";
import { deepFreeze, failure, promiseOf } from "./internal/shared-results.js";
import { withDeadline } from "./internal/store-call.js";
import { timingSafeEqual } from "./internal/timing-safe.js";
import { isWellFormedKey } from "./key-format.js";
import type { LastUsedTracker } from "./last-used.js";
import { type MemoEntry, RecordMemo } from "./record-memo.js";
import { toApiKey } from "./records.js";
import type { RoleBook } from "./roles.js";
import { isValidScope } from "./scopes.js";
import type { KeyStore } from "./store.js";
import type { KeyRecord } from "./types.js";
import { UsageGate } from "./usage/gate.js";
import type { RateLimit } from "./usage/types.js";
import { MAX_KEY_LENGTH, type VerifyOptions, type VerifyResult } from "./verify-result.js";

/** What a {@link Verifier} works with. */
export interface VerifierOptions {
  store: KeyStore;
  /** The key prefix keys must carry. */
  prefix: string;
  hasher: KeyHasher;
  roles: RoleBook;
  /** The verification cache, or null when off. */
  cache: VerificationCache | null;
  /** The last-used coalescer, or null when off. */
  lastUsed: LastUsedTracker | null;
  /** Deadline of one store read, in ms. */
  storeTimeout: number;
  onEvent: EventListener | undefined;
  /** Epoch ms. */
  clock: () => number;
  /** The rate limit of keys without their own, or null. */
  defaultRateLimit: RateLimit | null;
}

/** The verification hot path, kept apart from management. */
export class Verifier {
  private readonly store: KeyStore;
  private readonly prefix: string;
  private readonly hasher: KeyHasher;
  private readonly roles: RoleBook;
  private readonly cache: VerificationCache | null;
  private readonly lastUsed: LastUsedTracker | null;
  private readonly timeout: number;
  private readonly onEvent: EventListener | undefined;
  private readonly clock: () => number;
  /** Bumped by every {@link invalidate}: a read that sees it move is repeated, so it never misses a local change. */
  private changes = 0;
  private readonly memo = new RecordMemo<VerifyResult>();
  private readonly checkedScopes = new Set<string>();
  private lastChecked: readonly string[] | undefined;
  private readonly gate: UsageGate;

  constructor(options: VerifierOptions) {
    this.store = options.store;
    this.prefix = options.prefix;
    this.hasher = options.hasher;
    this.roles = options.roles;
    this.cache = options.cache;
    this.lastUsed = options.lastUsed;
    this.timeout = options.storeTimeout;
    this.onEvent = options.onEvent;
    this.clock = options.clock;
    this.gate = new UsageGate({
      store: options.store,
      timeout: options.storeTimeout,
      defaultRateLimit: options.defaultRateLimit,
      onEvent: options.onEvent,
      fail: (reason, record) => this.fail(reason, record),
      used: (record, now) => this.lastUsed?.record(record.id, now),
    });
  }

  /**
   * Forgets what verification knows about key `id` after a state change on
   * this instance, before the change's call returns: its cached record, its
   * last-used window, and any read of the store already in flight (it is
   * repeated).
   */
  invalidate(id: string): void {
    this.changes++;
    this.cache?.evict(id);
    this.lastUsed?.forget(id);
  }

  verify(key: unknown, options?: VerifyOptions): Promise<VerifyResult> {
    const required = options?.scopes;
    if (required !== undefined && required !== this.lastChecked) {
      try {
        this.checkScopes(required);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    const cost = options?.cost;
    if (cost !== undefined && !(Number.isSafeInteger(cost) && cost >= 0)) {
      return Promise.reject(new TypeError("verify: `cost` must be a non-negative integer"));
    }
    if (typeof key !== "string" || key === "") return this.failed("missing", null);
    if (key.length > MAX_KEY_LENGTH || !isWellFormedKey(key, this.prefix)) return this.failed("malformed", null);
    try {
      return this.lookup(key, this.hasher.hash(key), options);
    } catch {
      return this.failed("unavailable", null); // whatever a store does, verify never throws
    }
  }

  /** Looks a well-formed key up: the cache, then the store (and older peppers). */
  private lookup(key: string, hash: string, required: VerifyOptions | undefined): Promise<VerifyResult> {
    const cache = this.cache;
    let readAt = 0;
    let stamp = 0;
    if (cache !== null) {
      readAt = this.clock();
      // the cache holds checked records under the current hash of the key that found them (whichever pepper matched)
      const cached = cache.get(hash, readAt);
      if (cached !== undefined) return promiseOf(this.decide(this.memo.entryOf(cached), required));
      stamp = cache.stamp();
    }
    // synchronous stores (memory) answer without a promise: no timer, no extra tick
    const found = this.read(hash);
    if (!(found instanceof Promise) && (found !== null || this.hasher.fallbacks.length === 0)) {
      return promiseOf(this.settle(found, hash, hash, stamp, readAt, required));
    }
    if (found instanceof Promise && this.hasher.fallbacks.length === 0) {
      // one promise hop for the common case: a store that answers with a promise, one pepper
      const before = this.changes;
      return found.then(
        (answer: unknown) => {
          try {
            if (this.changes !== before) return this.verifyAsync(key, hash, this.read(hash), stamp, readAt, required);
            return this.settle(answer, hash, hash, stamp, readAt, required);
          } catch {
            return this.fail("unavailable", null);
          }
        },
        () => this.fail("unavailable", null),
      );
    }
    return this.verifyAsync(key, hash, found, stamp, readAt, required);
  }

  /** The path for stores that answer with a promise, and for older peppers after a miss. */
  private async verifyAsync(
    key: string,
    hash: string,
    pending: unknown,
    stamp: number,
    readAt: number,
    required: VerifyOptions | undefined,
  ): Promise<VerifyResult> {
    let matched = hash;
    let found: unknown;
    try {
      found = await this.reread(hash, pending);
      const older = this.hasher.fallbacks;
      for (let i = 0; found === null && i < older.length; i++) {
        matched = (older[i] as (k: string) => string)(key);
        found = await this.reread(matched, this.read(matched));
      }
      return this.settle(found, hash, matched, stamp, readAt, required);
    } catch {
      return this.fail("unavailable", null);
    }
  }

  /** Reads by hash through the store deadline. May throw (the store threw). */
  private read(hash: string): unknown {
    return withDeadline(this.store.findByHash(hash), this.timeout);
  }

  /** Awaits a read; if a local state change landed meanwhile, reads again so it is never missed. */
  private async reread(hash: string, pending: unknown): Promise<unknown> {
    const before = this.changes;
    const found = await pending;
    return this.changes === before ? found : await this.read(hash);
  }

  /**
   * Judges a store answer to the lookup of `matched`: `null` is an unknown
   * key, anything else must be a well-formed record whose hash is `matched`.
   * A match is cached under `hash`, the key's current hash, so keys of an
   * older pepper are served from the cache too.
   */
  private settle(
    found: unknown,
    hash: string,
    matched: string,
    stamp: number,
    readAt: number,
    required: VerifyOptions | undefined,
  ): VerifyResult | Promise<VerifyResult> {
    if (found === null) return this.fail("invalid", null);
    const entry = this.memo.entryOf(found);
    if (entry === null) return this.fail("unavailable", null); // a damaged record: fail closed
    if (!timingSafeEqual(entry.record.hash, matched)) return this.fail("invalid", null);
    this.cache?.set(hash, entry.record, readAt, stamp);
    return this.decide(entry, required);
  }

  /** Status, expiry and scope checks on a matched record's entry, then usage control for keys that have it. */
  private decide(
    entry: MemoEntry<VerifyResult> | null,
    options: VerifyOptions | undefined,
  ): VerifyResult | Promise<VerifyResult> {
    if (entry === null) return this.fail("unavailable", null);
    const record = entry.record;
    const now = this.clock();
    if (record.revokedAt !== null) return this.fail("revoked", record);
    if (record.disabledAt !== null) return this.fail("disabled", record);
    if (record.expiresAt !== null && !(record.expiresAt > now)) return this.fail("expired", record);
    const roleScopes = this.roles.scopesOf(record.role);
    let granted = entry.granted;
    if (granted === null || entry.roleScopes !== roleScopes) {
      entry.usage = this.gate.applies(record);
      granted = this.roles.effective(record.scopes, record.role);
      entry.roleScopes = roleScopes;
      entry.granted = granted;
      entry.result = null;
    }
    const required = options?.scopes;
    if (required !== undefined && !granted.coversAll(required)) return this.fail("insufficient_scope", record);
    let result = entry.result;
    if (result === null) {
      try {
        const key = deepFreeze(toApiKey(record, now));
        result = Object.freeze({ ok: true as const, key, scopes: granted.list as string[] });
      } catch {
        return this.fail("unavailable", record); // metadata a getter or proxy changed under us
      }
      entry.result = result;
    }
    if (entry.usage) {
      return this.gate.check(record, result as Extract<VerifyResult, { ok: true }>, options?.ip, options?.cost ?? 1, now);
    }
    const tracker = this.lastUsed;
    if (tracker !== null && !(now - entry.usedAt < tracker.window)) entry.usedAt = tracker.record(record.id, now);
    return result;
  }

  private checkScopes(scopes: readonly string[]): void {
    for (const s of scopes) {
      if (this.checkedScopes.has(s)) continue;
      if (!isValidScope(s)) throw new TypeError("verify: malformed required scope");
      if (this.checkedScopes.size < 1024) this.checkedScopes.add(s);
    }
    this.lastChecked = scopes; // callers (middleware) pass the same array every time
  }

  /** {@link Verifier.fail}, as the shared resolved promise of its failure. */
  private failed(reason: VerificationFailure, record: KeyRecord | null): Promise<VerifyResult> {
    this.report(reason, record);
    return failure(reason).promise;
  }

  /** Reports a failure to the event listener, if any (with its time), and returns the shared frozen failure of `reason`. */
  private fail(reason: VerificationFailure, record: KeyRecord | null): VerifyResult {
    this.report(reason, record);
    return failure(reason).result;
  }

  private report(reason: VerificationFailure, record: KeyRecord | null): void {
    if (this.onEvent) {
      emitEvent(this.onEvent, {
        type: "key.verification_failed",
        time: new Date(this.clock()).toISOString(),
        keyId: record?.id ?? null,
        owner: record?.owner ?? null,
        actor: null,
        reason,
      });
    }
  }
}
