import type { KeyRecord, KeyStatus } from "./types.js";
import type { UsageOutcome, UsageRequest } from "./usage/types.js";

/**
 * A value, or a Promise of it. Stores may answer synchronously.
 *
 * @example
 * ```ts
 * // a synchronous answer is fine: keyward awaits either
 * const get = (id: string): MaybePromise<KeyRecord | null> => byId.get(id) ?? null;
 * ```
 */
export type MaybePromise<T> = T | Promise<T>;

/**
 * Keyset position for {@link KeyStore.list}: the last record of the previous page.
 *
 * @example
 * ```ts
 * // whether `r` comes strictly after `after` in newest-first order
 * const isAfter = (r: KeyRecord, after: ListAfter): boolean =>
 *   r.createdAt < after.createdAt || (r.createdAt === after.createdAt && r.id < after.id);
 * ```
 */
export interface ListAfter {
  createdAt: number;
  id: string;
}

/**
 * What {@link KeyStore.list} is asked for.
 *
 * @example
 * ```ts
 * const query: ListQuery = { owner: "org_1", limit: 21, after: null, status: "active", now: Date.now() };
 * const records = await store.list(query); // newest first, at most 21
 * ```
 */
export interface ListQuery {
  owner: string;
  /** Maximum number of records to return (1–101). */
  limit: number;
  /** Return only records strictly after this position in the order; null for the first page. */
  after: ListAfter | null;
  /** Only records with this status at time `now` (see {@link statusOf}). */
  status?: KeyStatus;
  /** Epoch ms the status filter is evaluated at. */
  now: number;
}

/**
 * What {@link KeyStore.update} applies: the record fields a key's owner may
 * change after creation (`label`, `metadata`, the usage controls
 * `ratelimit`, `credits` and `allowedIps`, and with `mutableScopes`,
 * `scopes` and `role`), already validated. A field that is absent stays as
 * it is; a usage control set to null is removed. Setting `credits` replaces
 * the stored balance (the key's rate window is kept). {@link UpdateInput}, what a caller passes to `keyward.update`, is
 * derived from it.
 *
 * @example
 * ```ts
 * const patch: RecordPatch = { label: "CRM sync (prod)", metadata: { env: "prod" } };
 * const record = await store.update(id, patch); // null when there is no such record
 * ```
 */
export type RecordPatch = Partial<
  Pick<KeyRecord, "label" | "metadata" | "scopes" | "role" | "ratelimit" | "credits" | "allowedIps">
>;

/**
 * A reversible or final state change.
 *
 * @example
 * ```ts
 * const action: Transition = "disable";
 * const record = await store.transition(id, action, Date.now());
 * ```
 */
export type Transition = "disable" | "enable" | "revoke";

/**
 * One coalesced last-used write.
 *
 * @example
 * ```ts
 * const uses: Use[] = [{ id: record.id, at: Date.now() }];
 * await store.touch(uses);
 * ```
 */
export interface Use {
  id: string;
  at: number;
}

/**
 * Receives changes made by any instance sharing the store. Every method is
 * required, so a store calls each one without checking for it; a store
 * shares the fan-out to many listeners through {@link ChangeFanout}.
 *
 * @example
 * ```ts
 * const listener: ChangeListener = {
 *   onChange: (id) => cached.delete(id),
 *   onReset: () => cached.clear(),
 *   onDown: () => cached.clear(),
 * };
 * const unwatch = await store.watch?.(listener);
 * ```
 */
export interface ChangeListener {
  /** The record `id` changed (update, disable, enable, revoke, rotate). */
  onChange(id: string): void;
  /**
   * The feed is live (it connected, reconnected, or proved itself again) and
   * changes may have been missed before: drop everything cached. Feeds start
   * down: keyward serves nothing from its cache until the first `onReset()`.
   */
  onReset(): void;
  /**
   * The feed is down: nothing cached can be trusted until the next
   * `onReset()`, so keyward stops serving from its cache and reads the store
   * on every verification meanwhile. A store whose feed can drop calls it as
   * soon as it notices.
   */
  onDown(): void;
}

/**
 * The storage contract. Every method may return a value or a Promise. A
 * method that cannot do what was asked must throw (or reject), preferably a
 * {@link StoreError} with its code: keyward turns any failure into
 * `unavailable` and fails closed. `docs/stores.md` details each
 * method; `keyward/testing` checks an implementation against it.
 *
 * @example
 * ```ts
 * const store: KeyStore = memoryStore();
 * const kw = createKeyward({ store, prefix: "cho" });
 * ```
 */
export interface KeyStore {
  /** Persist a new record. Must throw (a `StoreError` with code `duplicate_record`) if its `id` or `hash` already exists. */
  insert(record: KeyRecord): MaybePromise<void>;
  /** The record whose `hash` equals `hash` exactly (one indexed lookup), or null. */
  findByHash(hash: string): MaybePromise<KeyRecord | null>;
  /** The record with this id, or null. */
  get(id: string): MaybePromise<KeyRecord | null>;
  /**
   * The owner's records, newest first: ordered by `createdAt` descending, then
   * `id` descending; at most `limit`; only those after `after` in that order.
   */
  list(query: ListQuery): MaybePromise<KeyRecord[]>;
  /**
   * Atomically apply `patch` unless the record is revoked. Returns the record
   * as it stands afterwards (unchanged if revoked), or null if there is none.
   */
  update(id: string, patch: RecordPatch): MaybePromise<KeyRecord | null>;
  /**
   * Atomically change state, conditioned on the current state so no race can
   * undo a revoke: `disable` sets `disabledAt = at` if neither disabled nor
   * revoked; `enable` clears `disabledAt` if not revoked; `revoke` sets
   * `revokedAt = at` if not revoked. Returns the record afterwards, or null.
   */
  transition(id: string, action: Transition, at: number): MaybePromise<KeyRecord | null>;
  /**
   * Atomically, if record `id` exists, is not revoked and has no `rotatedTo`:
   * insert `replacement`, set the old record's `rotatedTo = replacement.id`
   * and `expiresAt = min(expiresAt ?? ∞, expiresAt)`. Returns the old record
   * afterwards (unchanged when the condition failed), or null if none.
   */
  rotate(id: string, replacement: KeyRecord, expiresAt: number): MaybePromise<KeyRecord | null>;
  /**
   * Record uses: for each, set `lastUsedAt = at` only if the record is neither
   * disabled nor revoked and `lastUsedAt` is null or older than `at`.
   * Touches nothing else.
   */
  touch(uses: readonly Use[]): MaybePromise<void>;
  /**
   * Optional change feed: call `listener.onChange(id)` whenever any instance
   * updates, disables, enables, revokes or rotates a record, `onReset()` once
   * the feed is known to deliver (and after every reconnection), `onDown()`
   * whenever that is no longer known. Returns a function that unsubscribes.
   * Used by the verification cache, which stays unused until the feed first
   * calls `onReset()` (feeds start down). The stores of this package prove
   * liveness with a heartbeat sent through the feed itself; a `ChangeFanout`
   * holds the listeners.
   */
  watch?(listener: ChangeListener): MaybePromise<() => MaybePromise<void>>;
  /**
   * Optional usage control (rate limit and credits), required by keys that
   * have either: atomically, for the record whose `hash` is `hash`, apply
   * {@link keyward!consumeUsage | consumeUsage}'s semantics to its stored credits and rate window
   * and store the result, in one step no concurrent call can interleave with
   * (one Lua script on Redis, one `UPDATE … RETURNING` on Postgres). Returns
   * the outcome, or null when there is no such record.
   */
  consume?(hash: string, request: UsageRequest): MaybePromise<UsageOutcome | null>;
}
