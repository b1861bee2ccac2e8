import type {
  ChangeListener,
  KeyRecord,
  KeyStore,
  ListQuery,
  RecordPatch,
  Transition,
  UsageOutcome,
  UsageRequest,
  Use,
} from "keyward";
import { StoreError, statusOf } from "keyward";
import { heartbeatSettings } from "../shared/heartbeat.js";
import { commandSender, type RedisClientLike, replicaWait, type SendCommand } from "./client.js";
import { decodeRecord, encodePatch, encodeRecord, hashOfMember, KeyNames, listBound, ownerMember } from "./codec.js";
import { RedisFeed, type RedisFeedOptions, type SubscriberLike } from "./feed.js";
import { type RedisOutbox, redisOutbox } from "./outbox.js";
import { CLAIM, DELETE_IF, INSERT, TOUCH, TRANSITION, UNCLAIM, UPDATE } from "./scripts.js";
import { CONSUME, consumeArgs, parseOutcome } from "./usage.js";

/**
 * Options of {@link redisStore}: an ioredis or node-redis client, or your own
 * `sendCommand` function (then the change feed needs `subscriber`), plus
 * `namespace` and `subscriber`, which both kinds accept.
 *
 * @example
 * ```ts
 * const options: RedisStoreOptions = { client: new Redis(process.env.REDIS_URL!), namespace: "myapp:keys" };
 * ```
 */
export type RedisStoreOptions = {
  /**
   * The namespace every key name and the change channel start with
   * (`<namespace>:rec:{…}`, `<namespace>:changes`): one per application or
   * environment sharing a Redis. Default `keyward`.
   */
  namespace?: string | undefined;
  /**
   * The namespace, under its old name.
   *
   * @deprecated Use `namespace`: in keyward, `prefix` is the key prefix
   * (`createKeyward({ prefix: "cho" })`). Still honoured; `namespace` wins
   * when both are given.
   */
  prefix?: string | undefined;
  /**
   * A dedicated connection for the change feed. Default: a duplicate of
   * `client`, opened by the first `watch` and closed once the last watcher
   * unsubscribes (every watcher of one store shares it).
   */
  subscriber?: SubscriberLike | undefined;
  /**
   * Heartbeat of the change feed: each instance publishes a beat on the
   * change channel every `heartbeat` ms (default 150) and serves from its
   * cache only while its own beats come back within `downAfter` ms
   * (default 450). See docs/redis.md, "The change feed".
   */
  feed?: RedisFeedOptions | undefined;
  /**
   * Durable changes on replicated Redis: after a revoke, disable, enable,
   * update or rotation, wait until `count` replicas acknowledged it (Redis
   * `WAIT`), for at most `timeout` ms; when fewer did, the call fails
   * (keyward answers 503) instead of reporting a change a failover could
   * lose. Off by default.
   */
  replicas?: ReplicaOptions | undefined;
} & (
  | {
      /** An ioredis `Redis` or `Cluster`, or a node-redis client or cluster. */
      client: RedisClientLike;
      /** Not with `client`. */
      sendCommand?: never;
    }
  | {
      /** Sends one command and resolves with its raw reply; used instead of a client. */
      sendCommand: SendCommand;
      /** Not with `sendCommand`. */
      client?: never;
    }
);

/**
 * The `replicas` option of {@link redisStore}.
 *
 * @example
 * ```ts
 * redisStore({ client, replicas: { count: 1, timeout: 500 } }); // revoke resolves once one replica has it
 * ```
 */
export interface ReplicaOptions {
  /** Replicas that must acknowledge a change before it resolves (at least 1). */
  count: number;
  /** Longest wait for them, in ms (at least 1; keep it below keyward's `storeTimeout`). */
  timeout: number;
}

/**
 * A {@link KeyStore} on Redis, plus the names it uses.
 *
 * @example
 * ```ts
 * const store: RedisStore = redisStore({ client });
 * console.log(store.namespace); // "keyward"
 * ```
 */
export interface RedisStore extends KeyStore {
  /** The namespace of every key name in use. */
  readonly namespace: string;
  /**
   * The namespace, under its old name.
   *
   * @deprecated Use `namespace`.
   */
  readonly prefix: string;
  /** The pub/sub channel changes are published on. */
  readonly channel: string;
  /**
   * Usage control for the key whose hash is `hash` (rate limit and credits,
   * with `consumeUsage()`'s answers): one Lua script on the record's key,
   * exact under concurrency and Cluster-safe. Null when there is no such key.
   */
  consume(hash: string, request: UsageRequest): Promise<UsageOutcome | null>;
  /**
   * A durable webhook outbox on the same Redis (`<namespace>:outbox`), the
   * same object on every call: `webhooks({ endpoints, store })` uses it.
   */
  webhookOutbox(): RedisOutbox;
}

/** Records read per round trip while a status filter skips some. */
const SCAN_BATCH = 100;

/**
 * The Redis store. Verification is one HGETALL; usage control (`consume`:
 * rate limit and credits) is one Lua script on the same key. Every state change is one
 * Lua script on the record's key that also publishes the id on the change
 * channel; revocation lives on the record. Works with ioredis (Redis or
 * Cluster) and node-redis, structurally: nothing is imported from either.
 *
 * @example
 * ```ts
 * import Redis from "ioredis";
 * import { createKeyward } from "keyward";
 * import { redisStore } from "keyward/redis";
 *
 * const client = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
 * const keyward = createKeyward({ store: redisStore({ client }), prefix: "cho", cache: { ttl: 30_000 } });
 * ```
 */
export function redisStore(options: RedisStoreOptions): RedisStore {
  if (!options || typeof options !== "object") throw new TypeError("redisStore: options are required");
  for (const name of ["namespace", "prefix"] as const) {
    const value = options[name];
    if (value !== undefined && value !== null && (typeof value !== "string" || value === ""))
      throw new TypeError(`redisStore: \`${name}\` must be a non-empty string`);
  }
  const namespace = options.namespace ?? options.prefix ?? "keyward";
  let send: SendCommand;
  if (options.client) send = commandSender(options.client);
  else if (typeof options.sendCommand === "function") send = options.sendCommand;
  else throw new TypeError("redisStore: pass `client` (ioredis or node-redis) or `sendCommand`");

  const { interval, downAfter } = heartbeatSettings(options.feed, (m) => new TypeError(m), "redisStore");
  const durable = replicaSettings(options.replicas);
  const wait = durable ? replicaWait(options.client, send) : null;
  /** With `replicas`: resolves once enough replicas acknowledged the change on `key`, else rejects. */
  const replicated = async (key: string): Promise<void> => {
    if (!durable || !wait) return;
    const acked = await wait(key, durable.count, durable.timeout);
    if (!(acked >= durable.count)) {
      throw new StoreError(
        "store_unreachable",
        `redisStore: the change reached ${acked} of ${durable.count} replica(s) within ${durable.timeout} ms; it may not survive a failover`,
      );
    }
  };
  const keys = new KeyNames(namespace);
  const channel = keys.channel;
  const client = options.client as { duplicate?: () => unknown } | undefined;
  const subscriber = options.subscriber;
  const feedSource = subscriber ?? (typeof client?.duplicate === "function" ? client : undefined);

  const hashOf = async (id: string): Promise<string | null> => {
    const hash = await send(["GET", keys.id(id)]);
    return typeof hash === "string" ? hash : null;
  };
  /** The record's key, or null when the id is unknown. */
  const recordKey = async (id: string): Promise<string | null> => {
    const hash = await hashOf(id);
    return hash === null ? null : keys.record(hash);
  };
  /**
   * A read answered with another key's record: a reply out of step on the client's connection, or a
   * damaged entry. Never "no such key": that would call a good key invalid (401) instead of unavailable.
   */
  const anotherKeys = () => new StoreError("damaged_record", "redisStore: a record read answered another key's record");
  const readRecord = async (hash: string): Promise<KeyRecord | null> => decodeRecord(await send(["HGETALL", keys.record(hash)]));

  const insert = async (record: KeyRecord): Promise<void> => {
    const member = ownerMember(record); // validates createdAt and id first
    const fields = encodeRecord(record);
    // Indexes first, record last: a crash in between leaves an index pointing
    // at nothing (reads skip it), never a record nobody can find or list.
    if ((await send(["SET", keys.id(record.id), record.hash, "NX"])) === null) {
      throw new StoreError("duplicate_record", "redisStore: a record with this id already exists");
    }
    const ownerKey = keys.owner(record.owner);
    await send(["ZADD", ownerKey, "0", member]);
    if ((await INSERT.run(send, [keys.record(record.hash)], fields)) !== 1) {
      await Promise.allSettled([DELETE_IF.run(send, [keys.id(record.id)], [record.hash]), send(["ZREM", ownerKey, member])]);
      throw new StoreError("duplicate_record", "redisStore: a record with this hash already exists");
    }
  };

  let outbox: RedisOutbox | undefined;
  const store: RedisStore = {
    namespace,
    prefix: namespace,
    webhookOutbox() {
      outbox ??= redisOutbox({ sendCommand: send, prefix: `${namespace}:outbox` });
      return outbox;
    },
    channel,
    insert,

    findByHash: async (hash: string) => {
      const record = await readRecord(hash);
      if (record !== null && record.hash !== hash) throw anotherKeys();
      return record;
    },

    async get(id: string) {
      const hash = await hashOf(id);
      if (hash === null) return null;
      const record = await readRecord(hash);
      if (record !== null && record.id !== id) throw anotherKeys();
      return record;
    },

    async list(query: ListQuery) {
      const { owner, limit, status, now } = query;
      let bound = listBound(query.after);
      const out: KeyRecord[] = [];
      const batch = status ? Math.max(limit, SCAN_BATCH) : limit;
      while (bound !== null && out.length < limit) {
        const members = (await send(["ZREVRANGEBYLEX", keys.owner(owner), bound, "-", "LIMIT", "0", String(batch)])) as string[];
        const records = await Promise.all(members.map((m) => readRecord(hashOfMember(m))));
        for (const r of records) {
          // skip index entries whose record is gone (evicted, or an insert that never finished)
          if (r === null || r.owner !== owner || (status && statusOf(r, now) !== status)) continue;
          out.push(r);
          if (out.length === limit) break;
        }
        const last = members[members.length - 1];
        bound = members.length < batch || last === undefined ? null : `(${last}`;
      }
      return out;
    },

    async update(id: string, patch: RecordPatch) {
      const key = await recordKey(id);
      if (key === null) return null;
      const { set, del } = encodePatch(patch);
      const record = decodeRecord(await UPDATE.run(send, [key], [id, channel, String(set.length), ...set, ...del]));
      await replicated(key);
      return record;
    },

    async transition(id: string, action: Transition, at: number) {
      const key = await recordKey(id);
      if (key === null) return null;
      const record = decodeRecord(await TRANSITION.run(send, [key], [id, channel, action, String(at)]));
      await replicated(key);
      return record;
    },

    async rotate(id: string, replacement: KeyRecord, expiresAt: number) {
      const key = await recordKey(id);
      if (key === null) return null;
      // Claim the old record first (CAS), then insert the replacement: a crash
      // in between leaves the old key shortened and no new key, never two live ones.
      const reply = (await CLAIM.run(send, [key], [id, channel, replacement.id, String(expiresAt)])) as
        | [number, string, unknown]
        | null;
      if (reply === null) return null;
      const [claimed, before, record] = reply;
      if (claimed !== 1) return decodeRecord(record);
      try {
        await insert(replacement);
      } catch (error) {
        await UNCLAIM.run(send, [key], [id, channel, replacement.id, before]).catch(() => undefined);
        throw error;
      }
      await replicated(key); // the old key's shortened expiry; the new key failing closed if lost is harmless
      return decodeRecord(record);
    },

    async touch(uses: readonly Use[]) {
      await Promise.all(
        uses.map(async ({ id, at }) => {
          const key = await recordKey(id);
          if (key !== null) await TOUCH.run(send, [key], [id, String(at)]);
        }),
      );
    },

    async consume(hash: string, request: UsageRequest): Promise<UsageOutcome | null> {
      return parseOutcome(await CONSUME.run(send, [keys.record(hash)], consumeArgs(hash, request)));
    },
  };

  if (feedSource !== undefined) {
    const publish = (message: string) => send(["PUBLISH", channel, message]);
    const feed = new RedisFeed({ source: feedSource, owned: subscriber === undefined, channel, publish, interval, downAfter });
    store.watch = (listener: ChangeListener) => feed.watch(listener);
  }
  return store;
}

function replicaSettings(replicas: ReplicaOptions | undefined): ReplicaOptions | null {
  if (replicas === undefined) return null;
  const { count, timeout } = (replicas ?? {}) as Partial<ReplicaOptions>;
  if (!Number.isSafeInteger(count) || (count as number) < 1) {
    throw new TypeError("redisStore: replicas.count must be a whole number of replicas, at least 1");
  }
  if (!Number.isSafeInteger(timeout) || (timeout as number) < 1) {
    throw new TypeError("redisStore: replicas.timeout must be a whole number of ms, at least 1 (WAIT 0 would wait forever)");
  }
  return { count: count as number, timeout: timeout as number };
}
