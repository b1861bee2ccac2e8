import { ConfigError } from "keyward";
import { commandSender, type RedisClientLike, type SendCommand } from "./client.js";

/**
 * Options of {@link redisOutbox}.
 *
 * @example
 * ```ts
 * const options: RedisOutboxOptions = { client: new Redis(process.env.REDIS_URL!), prefix: "myapp:webhooks" };
 * ```
 */
export interface RedisOutboxOptions {
  /** ioredis, node-redis, or a node-redis cluster (all keys share one hash tag). */
  client?: RedisClientLike | undefined;
  /** Or a function sending one command, as `redisStore` takes it. */
  sendCommand?: SendCommand | undefined;
  /** Key prefix. Default `kw:outbox`. */
  prefix?: string | undefined;
}

/**
 * One stored webhook, as `keyward/webhooks` hands it over and claims it back.
 *
 * @example
 * ```ts
 * const message: RedisOutboxMessage = { id: "msg_…", url, type: "key.revoked", body: "{…}", attempts: 0, nextAttemptAt: Date.now() };
 * ```
 */
export interface RedisOutboxMessage {
  id: string;
  url: string;
  type: string;
  body: string;
  attempts: number;
  nextAttemptAt: number;
}

/**
 * A durable webhook outbox in Redis: pass it as `store` to `webhooks()` of
 * `keyward/webhooks` (it has that package's `WebhookOutbox` shape).
 *
 * @example
 * ```ts
 * const outbox: RedisOutbox = redisOutbox({ client: redis });
 * const hooks = webhooks({ endpoints, store: outbox });
 * ```
 */
export interface RedisOutbox {
  /** Stores messages; a known id changes nothing. */
  enqueue(messages: readonly RedisOutboxMessage[]): Promise<void>;
  /** Leases up to `limit` due, unleased messages until `now + lease` (one Lua script). */
  claim(now: number, limit: number, lease: number): Promise<RedisOutboxMessage[]>;
  /** Deletes a message: delivered, or given up on. */
  ack(id: string): Promise<void>;
  /** Releases a message for another attempt at `at`. */
  retry(id: string, at: number, attempts: number): Promise<void>;
  /** When the next message becomes claimable, or null when none waits. */
  next(): Promise<number | null>;
}

// KEYS: due (zset: member → next claimable time), msg (hash: id → JSON), att (hash: id → attempts),
// ord (hash: id → its member in due), seq (counter). A member is the enqueue sequence number, zero-padded,
// then the id: messages claimable at the same time sort in the order they were enqueued.
const ENQUEUE = `for i = 1, #ARGV, 4 do
  if redis.call('HSETNX', KEYS[2], ARGV[i], ARGV[i + 1]) == 1 then
    local member = string.format('%016d', redis.call('INCR', KEYS[5])) .. ARGV[i]
    redis.call('HSET', KEYS[4], ARGV[i], member)
    redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 3])
    redis.call('ZADD', KEYS[1], ARGV[i + 2], member)
  end
end
return 0`;
const CLAIM = `local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for i = 1, #due, 2 do
  local member = due[i]
  local id = string.sub(member, 17)
  if redis.call('HGET', KEYS[4], id) ~= member then id = member end -- enqueued by an earlier build: the member is the id
  local json = redis.call('HGET', KEYS[2], id)
  if json then
    redis.call('ZADD', KEYS[1], ARGV[3], member)
    out[#out + 1] = json
    out[#out + 1] = redis.call('HGET', KEYS[3], id) or '0'
    out[#out + 1] = due[i + 1]
  else
    redis.call('ZREM', KEYS[1], member)
  end
end
return out`;
const RETRY = `local member = redis.call('HGET', KEYS[4], ARGV[1]) or ARGV[1]
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then
  redis.call('HSET', KEYS[3], ARGV[1], ARGV[3])
  redis.call('ZADD', KEYS[1], ARGV[2], member)
end
return 0`;
const ACK = `redis.call('ZREM', KEYS[1], redis.call('HGET', KEYS[4], ARGV[1]) or ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1]); redis.call('HDEL', KEYS[3], ARGV[1]); redis.call('HDEL', KEYS[4], ARGV[1])
return 0`;

/**
 * A webhook outbox kept in Redis, so webhooks survive a restart and several
 * instances can share them: a sorted set orders messages by the time they
 * may next be claimed (their due time, or the end of their lease), then by
 * the order they were enqueued, and a hash holds them. Every change is one Lua script, so two instances never
 * claim the same message at once. All keys share one hash tag (Redis
 * Cluster works); nothing is given a time to live.
 *
 * @example
 * ```ts
 * import Redis from "ioredis";
 * import { redisOutbox } from "keyward/redis";
 * import { webhooks } from "keyward/webhooks";
 *
 * const hooks = webhooks({ endpoints, store: redisOutbox({ client: new Redis(process.env.REDIS_URL!) }) });
 * ```
 */
export function redisOutbox(options: RedisOutboxOptions): RedisOutbox {
  if (!options?.client && typeof options?.sendCommand !== "function") {
    throw new TypeError("redisOutbox: pass `client` (ioredis or node-redis) or `sendCommand`");
  }
  const prefix = options.prefix ?? "kw:outbox";
  if (typeof prefix !== "string" || !/^[^\s{}]{1,100}$/.test(prefix)) {
    throw new ConfigError("redisOutbox: `prefix` must be 1-100 characters without spaces or braces");
  }
  const send = options.client ? commandSender(options.client) : (options.sendCommand as SendCommand);
  const tag = `{${prefix}}`;
  const keys = [`${tag}:due`, `${tag}:msg`, `${tag}:att`, `${tag}:ord`, `${tag}:seq`];
  const run = (script: string, args: string[]) => send(["EVAL", script, String(keys.length), ...keys, ...args]);

  return {
    async enqueue(messages) {
      if (messages.length === 0) return;
      const args = messages.flatMap((m) => [
        m.id,
        JSON.stringify({ id: m.id, url: m.url, type: m.type, body: m.body }),
        String(m.nextAttemptAt),
        String(m.attempts),
      ]);
      await run(ENQUEUE, args);
    },
    async claim(now, limit, lease) {
      const reply = (await run(CLAIM, [String(now), String(limit), String(now + lease)])) as string[];
      const out: RedisOutboxMessage[] = [];
      for (let i = 0; i + 2 < reply.length; i += 3) {
        const stored = JSON.parse(String(reply[i])) as Pick<RedisOutboxMessage, "id" | "url" | "type" | "body">;
        out.push({ ...stored, attempts: Number(reply[i + 1]), nextAttemptAt: Number(reply[i + 2]) });
      }
      return out;
    },
    async ack(id) {
      await run(ACK, [id]);
    },
    async retry(id, at, attempts) {
      await run(RETRY, [id, String(at), String(attempts)]);
    },
    async next() {
      const reply = (await send(["ZRANGE", keys[0] as string, "0", "0", "WITHSCORES"])) as string[];
      return reply.length >= 2 ? Number(reply[1]) : null;
    },
  };
}
