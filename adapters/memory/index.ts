/**
 * `keyward/memory`: the in-memory store. Records live in process memory and
 * are gone when the process exits, which makes it the store for tests,
 * demos, scripts and single-process tools; use `keyward/postgres` or
 * `keyward/redis` when keys must survive a restart or be shared between
 * instances. See `docs/memory.md`.
 *
 * @example
 * ```ts
 * import { createKeyward } from "keyward";
 * import { memoryStore } from "keyward/memory";
 *
 * const store = memoryStore();
 * const keyward = createKeyward({ store, prefix: "cho" });
 * await keyward.create({ owner: "org_1", label: "test key" });
 * store.size; // 1
 * ```
 *
 * @module keyward/memory
 */
import type {
  ChangeListener,
  KeyRecord,
  KeyStore,
  ListQuery,
  RateWindow,
  RecordPatch,
  Transition,
  UsageRequest,
  Use,
} from "keyward";
import { ChangeFanout, consumeUsage, StoreError, statusOf } from "keyward";
import { DIGEST_LOOKUP, digestLookup, HashIndex } from "./hash-index.js";

/**
 * Options of {@link memoryStore}.
 *
 * @example
 * ```ts
 * const store = memoryStore({ records: [makeRecord({ owner: "org_1" })] }); // makeRecord from keyward/testing
 * ```
 */
export interface MemoryStoreOptions {
  /** Records to start with (e.g. fixtures). */
  records?: readonly KeyRecord[] | undefined;
}

/**
 * The in-memory store, with a `size` for tests and a `clear()`.
 *
 * @example
 * ```ts
 * const store: MemoryStore = memoryStore();
 * afterEach(() => store.clear());
 * ```
 */
export interface MemoryStore extends KeyStore {
  /** Number of records held. */
  readonly size: number;
  /** Drop every record. */
  clear(): void;
}

/**
 * The embedded default store: records in process memory, lost on exit.
 * Verification is one `Map` lookup by hash, O(1) however many keys it holds.
 * Answers synchronously; records are frozen and replaced on every change.
 * Its change feed reaches every keyward instance sharing the store object.
 *
 * @example
 * ```ts
 * import { createKeyward } from "keyward";
 * import { memoryStore } from "keyward/memory";
 *
 * const keyward = createKeyward({ store: memoryStore(), prefix: "cho" });
 * ```
 */
export function memoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const byId = new Map<string, KeyRecord>();
  const byHash = new HashIndex();
  const byOwner = new Map<string, Set<string>>();
  /**
   * Usage by hash, beside the records (a window is usage, not a change of
   * the key): the rate window, and the id whose record `consume` reads
   * (a lookup by id is cheaper than one by hash).
   */
  const usage = new Map<string, { readonly id: string; window: RateWindow | null }>();
  const listeners = new ChangeFanout();

  const put = (record: KeyRecord): KeyRecord => {
    const { ratelimit, credits, allowedIps } = record;
    const frozen = Object.freeze({
      ...record,
      scopes: Object.freeze([...record.scopes]) as string[],
      metadata: structuredClone(record.metadata),
      ...(ratelimit != null && { ratelimit: Object.freeze({ ...ratelimit }) }),
      ...(credits != null && {
        credits: Object.freeze({ ...credits, refill: credits.refill && Object.freeze({ ...credits.refill }) }),
      }),
      ...(allowedIps != null && { allowedIps: Object.freeze([...allowedIps]) as string[] }),
    });
    byId.set(frozen.id, frozen);
    byHash.set(frozen.hash, frozen);
    return frozen;
  };
  const changed = (id: string): void => listeners.onChange(id);
  const insert = (record: KeyRecord): void => {
    if (byId.has(record.id)) throw new StoreError("duplicate_record", "memoryStore: a record with this id already exists");
    if (byHash.has(record.hash)) throw new StoreError("duplicate_record", "memoryStore: a record with this hash already exists");
    put(record);
    let ids = byOwner.get(record.owner);
    if (!ids) byOwner.set(record.owner, (ids = new Set()));
    ids.add(record.id);
  };

  for (const record of options.records ?? []) insert(record);
  const findByHash = (hash: string): KeyRecord | null => byHash.get(hash) ?? null;

  const store: MemoryStore = {
    get size() {
      return byId.size;
    },
    clear() {
      byId.clear();
      byHash.clear();
      byOwner.clear();
      usage.clear();
      listeners.onReset(); // every record changed: watchers drop what they cached
    },
    insert,
    findByHash,
    get: (id: string) => byId.get(id) ?? null,
    list(query: ListQuery) {
      const ids = byOwner.get(query.owner);
      if (!ids) return [];
      const { after, status, now } = query;
      const out: KeyRecord[] = [];
      for (const id of ids) {
        const r = byId.get(id) as KeyRecord;
        if (status && statusOf(r, now) !== status) continue;
        if (after && (r.createdAt > after.createdAt || (r.createdAt === after.createdAt && r.id >= after.id))) continue;
        out.push(r);
      }
      out.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
      return out.slice(0, query.limit);
    },
    update(id: string, patch: RecordPatch) {
      const r = byId.get(id);
      if (!r) return null;
      if (r.revokedAt !== null) return r;
      const next = put({ ...r, ...patch });
      changed(id);
      return next;
    },
    transition(id: string, action: Transition, at: number) {
      const r = byId.get(id);
      if (!r) return null;
      let next: KeyRecord | null = null;
      if (action === "revoke" && r.revokedAt === null) next = { ...r, revokedAt: at };
      else if (action === "disable" && r.revokedAt === null && r.disabledAt === null) next = { ...r, disabledAt: at };
      else if (action === "enable" && r.revokedAt === null && r.disabledAt !== null) next = { ...r, disabledAt: null };
      if (!next) return r;
      const stored = put(next);
      changed(id);
      return stored;
    },
    rotate(id: string, replacement: KeyRecord, expiresAt: number) {
      const r = byId.get(id);
      if (!r) return null;
      if (r.revokedAt !== null || r.rotatedTo !== null) return r;
      insert(replacement);
      const stored = put({
        ...r,
        rotatedTo: replacement.id,
        expiresAt: r.expiresAt === null ? expiresAt : Math.min(r.expiresAt, expiresAt),
      });
      changed(id);
      return stored;
    },
    touch(uses: readonly Use[]) {
      for (const { id, at } of uses) {
        const r = byId.get(id);
        if (!r || r.revokedAt !== null || r.disabledAt !== null) continue;
        if (r.lastUsedAt !== null && r.lastUsedAt >= at) continue;
        put({ ...r, lastUsedAt: at });
      }
    },
    consume(hash: string, request: UsageRequest) {
      let slot = usage.get(hash);
      let r = slot === undefined ? undefined : byId.get(slot.id);
      if (r === undefined || r.hash !== hash) r = byHash.get(hash);
      if (!r) return null;
      const before = r.credits ?? null;
      const { outcome, window, credits } = consumeUsage(before, slot?.window ?? null, request);
      if (slot === undefined || slot.id !== r.id) usage.set(hash, (slot = { id: r.id, window }));
      else if (window !== null) slot.window = window;
      // a spent or refilled balance replaces the record (scopes and metadata, frozen or cloned
      // when it was stored, are shared); not a change listeners hear about
      if (credits !== before && credits !== null) {
        const next = Object.freeze({ ...r, credits: Object.freeze({ ...credits }) });
        byId.set(next.id, next);
        byHash.set(hash, next);
      }
      return outcome;
    },
    watch(listener: ChangeListener) {
      const remove = listeners.add(listener);
      listener.onReset(); // in-process: live from the start
      return remove;
    },
  };
  // verification's lookup by digest (not enumerable: a copy made by spreading the store does not carry it)
  Object.defineProperty(store, DIGEST_LOOKUP, { value: digestLookup(byHash, findByHash) });
  return store;
}
