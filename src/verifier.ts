import type { VerificationCache } from "./cache.js";
import { type EventListener, emitEvent, type VerificationFailure } from "./events.js";
import { type HashParts, hashParts, joinHash, type KeyHasher } from "./hashing.js";
import { type DirectLookup, digestLookup } from "./internal/digest-lookup.js";
import { deepFreeze, type Failure, failure, promiseOf } from "./internal/shared-results.js";
import { withDeadline } from "./internal/store-call.js";
import { timingSafeEqual } from "./internal/timing-safe.js";
import { isWellFormedKey } from "./key-format.js";
import type { LastUsedTracker } from "./last-used.js";
import { type MemoEntry, RecordMemo } from "./record-memo.js";
import { toApiKey } from "./records.js";
import type { RoleBook } from "./roles.js";
import { isValidScope, type ScopeSet } from "./scopes.js";
import type { KeyStore } from "./store.js";
import type { KeyRecord } from "./types.js";
import { UsageGate } from "./usage/gate.js";
import type { RateLimit } from "./usage/types.js";
import { MAX_KEY_LENGTH, type VerifyOptions, type VerifyResult } from "./verify-result.js";

/** The rejections answered before any store read. */
const MISSING = failure("missing");
const MALFORMED = failure("malformed");
const INVALID = failure("invalid");
const UNAVAILABLE = failure("unavailable");

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
  /** The current hash in parts. */
  private readonly parts: HashParts;
  /** The store's lookup by digest under the current tag, when it has one (see `DIGEST_LOOKUP`). */
  private readonly direct: DirectLookup | null;
  private readonly roles: RoleBook;
  private readonly cache: VerificationCache | null;
  private readonly lastUsed: LastUsedTracker | null;
  private readonly timeout: number;
  private readonly onEvent: EventListener | undefined;
  private readonly clock: () => number;
  /** Whether `clock` is `Date.now` itself, which is then called directly (the compiler inlines it; not through a field). */
  private readonly systemClock: boolean;
  /** Bumped by every {@link invalidate}: a read that sees it move is repeated, so it never misses a local change. */
  private changes = 0;
  private readonly memo: RecordMemo<VerifyResult>;
  private readonly checkedScopes = new Set<string>();
  private lastChecked: readonly string[] | undefined;
  private readonly gate: UsageGate;

  constructor(options: VerifierOptions) {
    this.store = options.store;
    this.prefix = options.prefix;
    this.hasher = options.hasher;
    this.parts = hashParts(options.hasher);
    this.direct = digestLookup(options.store, this.parts.tag);
    this.memo = new RecordMemo<VerifyResult>(this.parts.tag);
    this.roles = options.roles;
    this.cache = options.cache;
    this.lastUsed = options.lastUsed;
    this.timeout = options.storeTimeout;
    this.onEvent = options.onEvent;
    this.clock = options.clock;
    this.systemClock = options.clock === Date.now;
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
    if (typeof key !== "string" || key === "") return this.rejected(MISSING, null);
    if (key.length > MAX_KEY_LENGTH || !isWellFormedKey(key, this.prefix)) return this.rejected(MALFORMED, null);
    try {
      return this.lookup(key, this.parts.digest(key), options);
    } catch {
      return this.rejected(UNAVAILABLE, null); // whatever a store does, verify never throws
    }
  }

  /**
   * Looks a well-formed key up by `digest`, its current hash without the
   * tag: the cache, then the store (and older peppers).
   */
  private lookup(key: string, digest: string, required: VerifyOptions | undefined): Promise<VerifyResult> {
    const cache = this.cache;
    let readAt = 0;
    let stamp = 0;
    if (cache !== null) {
      readAt = this.systemClock ? Date.now() : this.clock();
      // the cache holds checked records by the current digest of the key that found them (whichever pepper matched)
      const cached = cache.get(digest, readAt);
      if (cached !== undefined) {
        const entry = this.memo.entryOf(cached);
        return this.promised(entry, this.decide(entry, required, readAt));
      }
      stamp = cache.stamp();
    }
    const direct = this.direct;
    const store = this.store;
    let hash: string | null = null;
    const answer =
      direct !== null && store.findByHash === direct.findByHash
        ? direct.lookup(digest)
        : store.findByHash((hash = joinHash(this.parts.tag, digest)));
    // synchronous stores (memory) answer without a promise: no timer, no extra tick
    if (typeof answer === "object" && answer !== null) {
      // a record object seen before that can never change (the memory store's) needs no deadline and no check
      const seen = this.memo.frozenHit(answer);
      if (seen !== undefined) return this.promised(seen, this.accept(seen, digest, null, stamp, readAt, required, readAt));
    } else if (answer === null && this.hasher.fallbacks.length === 0) {
      return this.rejected(INVALID, null);
    }
    const found = withDeadline(answer, this.timeout);
    if (!(found instanceof Promise) && (found !== null || this.hasher.fallbacks.length === 0)) {
      return promiseOf(this.settle(found, digest, null, stamp, readAt, required, readAt));
    }
    // the tagged hash, for a read repeated after a local change and for the older peppers' turn
    const current = hash ?? joinHash(this.parts.tag, digest);
    if (found instanceof Promise && this.hasher.fallbacks.length === 0) {
      // one promise hop for the common case: a store that answers with a promise, one pepper
      const before = this.changes;
      return found.then(
        (answer: unknown) => {
          try {
            if (this.changes !== before)
              return this.verifyAsync(key, digest, current, this.read(current), stamp, readAt, required);
            return this.settle(answer, digest, null, stamp, readAt, required, 0);
          } catch {
            return this.fail("unavailable", null);
          }
        },
        () => this.fail("unavailable", null),
      );
    }
    return this.verifyAsync(key, digest, current, found, stamp, readAt, required);
  }

  /** The path for stores that answer with a promise, and for older peppers after a miss. */
  private async verifyAsync(
    key: string,
    digest: string,
    hash: string,
    pending: unknown,
    stamp: number,
    readAt: number,
    required: VerifyOptions | undefined,
  ): Promise<VerifyResult> {
    let older: string | null = null;
    let found: unknown;
    try {
      found = await this.reread(hash, pending);
      const fallbacks = this.hasher.fallbacks;
      for (let i = 0; found === null && i < fallbacks.length; i++) {
        older = (fallbacks[i] as (k: string) => string)(key);
        found = await this.reread(older, this.read(older));
      }
      return this.settle(found, digest, older, stamp, readAt, required, 0);
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
   * Judges a store answer to the lookup of a key: `null` is an unknown key,
   * anything else must be a well-formed record whose hash is the key's
   * current hash (`digest` with the current tag), or `older` when that older
   * pepper's hash found it. `now` is the time of a synchronous answer; 0
   * after a wait, which reads the clock again.
   */
  private settle(
    found: unknown,
    digest: string,
    older: string | null,
    stamp: number,
    readAt: number,
    required: VerifyOptions | undefined,
    now: number,
  ): VerifyResult | Promise<VerifyResult> {
    if (found === null) return this.fail("invalid", null);
    const entry = this.memo.entryOf(found);
    if (entry === null) return this.fail("unavailable", null); // a damaged record: fail closed
    return this.accept(entry, digest, older, stamp, readAt, required, now);
  }

  /**
   * Compares a found record's hash with the key's in constant time (another
   * hash: the store answered wrongly, "unavailable"), then decides at `now`
   * (0: read the clock). A match is cached under the key's
   * current digest, so keys of an older pepper are served from the cache too.
   */
  private accept(
    entry: MemoEntry<VerifyResult>,
    digest: string,
    older: string | null,
    stamp: number,
    readAt: number,
    required: VerifyOptions | undefined,
    now: number,
  ): VerifyResult | Promise<VerifyResult> {
    // a stored hash under another tag cannot be the current hash; under the
    // current tag (checked once per record), comparing the digests compares the hashes
    const same =
      older !== null ? timingSafeEqual(older, entry.record.hash) : entry.digest !== null && timingSafeEqual(digest, entry.digest);
    // a record under another hash than the one asked for is a wrong answer of the store (or of
    // its client, e.g. replies out of step after a failover): fail closed, never "invalid" for
    // what may be a good key
    if (!same) return this.fail("unavailable", null);
    this.cache?.offer(digest, entry.record, readAt, stamp);
    return this.decide(entry, required, now);
  }

  /**
   * Status, expiry and scope checks on a matched record's entry, then usage
   * control for keys that have it. `at`: the time of the read, or 0 to read
   * the clock.
   */
  private decide(
    entry: MemoEntry<VerifyResult> | null,
    options: VerifyOptions | undefined,
    at: number,
  ): VerifyResult | Promise<VerifyResult> {
    if (entry === null) return this.fail("unavailable", null);
    const record = entry.record;
    const now = at !== 0 ? at : this.systemClock ? Date.now() : this.clock();
    if (record.revokedAt !== null) return this.fail("revoked", record);
    if (record.disabledAt !== null) return this.fail("disabled", record);
    if (record.expiresAt !== null && !(record.expiresAt > now)) return this.fail("expired", record);
    if (entry.granted === null || !this.roles.holds(record.role, entry.roleScopes)) this.derive(entry);
    const required = options?.scopes;
    if (required !== undefined && !(entry.granted as ScopeSet).coversAll(required))
      return this.fail("insufficient_scope", record);
    const result = entry.result ?? this.succeed(entry, now);
    if (result === null) return this.fail("unavailable", record); // metadata a getter or proxy changed under us
    if (entry.usage) {
      return this.gate.check(record, result as Extract<VerifyResult, { ok: true }>, options?.ip, options?.cost ?? 1, now);
    }
    const tracker = this.lastUsed;
    if (tracker !== null && !(now - entry.usedAt < tracker.window)) entry.usedAt = tracker.record(record.id, now);
    return result;
  }

  /**
   * (Re)builds what {@link decide} reads from an entry's role: the scopes it
   * grants and whether usage control applies; on first use and after the
   * role's scopes changed. Kept out of `decide` so that `decide` stays
   * small enough for V8 to inline into the lookup.
   */
  private derive(entry: MemoEntry<VerifyResult>): void {
    const record = entry.record;
    entry.usage = this.gate.applies(record);
    entry.granted = this.roles.effective(record.scopes, record.role);
    entry.roleScopes = this.roles.scopesOf(record.role);
    entry.result = null;
  }

  /** Builds an entry's frozen success result, once; null when the record cannot be copied (a getter or proxy that throws). */
  private succeed(entry: MemoEntry<VerifyResult>, now: number): VerifyResult | null {
    try {
      const key = deepFreeze(toApiKey(entry.record, now));
      const result = Object.freeze({ ok: true as const, key, scopes: (entry.granted as ScopeSet).list as string[] });
      entry.result = result;
      entry.promise = null;
      return result;
    } catch {
      return null;
    }
  }

  /**
   * An answer given without waiting, as a promise: the entry's success
   * shares one frozen resolved promise (no allocation per call), a failure
   * its shared one.
   */
  private promised(entry: MemoEntry<VerifyResult> | null, answer: VerifyResult | Promise<VerifyResult>): Promise<VerifyResult> {
    if (entry === null || answer !== entry.result) return promiseOf(answer);
    let promise = entry.promise;
    if (promise === null) {
      promise = Object.freeze(Promise.resolve(answer));
      entry.promise = promise;
    }
    return promise;
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
  private rejected(failure: Failure, record: KeyRecord | null): Promise<VerifyResult> {
    this.report(failure.reason, record);
    return failure.promise;
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
