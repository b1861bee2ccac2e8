/**
 * `keyward/redis`: the Redis store, for ioredis and node-redis alike.
 *
 * @example
 * ```ts
 * import Redis from "ioredis";
 * import { createKeyward } from "keyward";
 * import { redisStore } from "keyward/redis";
 *
 * const keyward = createKeyward({ store: redisStore({ client: new Redis(process.env.REDIS_URL!) }), prefix: "cho" });
 * ```
 *
 * @module keyward/redis
 */

export type { HeartbeatOptions } from "../shared/heartbeat.js";
export type { IORedisLike, NodeRedisClusterLike, NodeRedisLike, RedisClientLike, SendCommand } from "./client.js";
export type { RedisFeedOptions, SubscriberLike } from "./feed.js";
export { type RedisOutbox, type RedisOutboxMessage, type RedisOutboxOptions, redisOutbox } from "./outbox.js";
export { type RedisStore, type RedisStoreOptions, type ReplicaOptions, redisStore } from "./store.js";
