/**
 * Sends one Redis command, name first (`["HGETALL", "kw:rec:{v1:…}"]`), and
 * resolves with the raw reply (strings, integers, arrays, null). It must
 * reject when the command fails or the server cannot be reached.
 *
 * @example
 * ```ts
 * const send: SendCommand = (command) => client.sendCommand(command);
 * ```
 */
export type SendCommand = (command: string[]) => Promise<unknown>;

/**
 * The part of an ioredis `Redis` or `Cluster` the store uses: `call` (and
 * `duplicate` for the change feed). Nothing is imported from ioredis.
 *
 * @example
 * ```ts
 * import Redis from "ioredis";
 * const client: IORedisLike = new Redis(process.env.REDIS_URL!);
 * ```
 */
export interface IORedisLike {
  /** Sends one command by name with its arguments and resolves with the raw reply. */
  call(command: string, ...args: string[]): Promise<unknown>;
  /** A new connection with the same options; the change feed subscribes on one. */
  duplicate?(): unknown;
  /**
   * Commands sent together to one node (ioredis `Cluster`): with `replicas`,
   * the store sends `WAIT` this way, on the connection that made the change.
   */
  pipeline?(commands: string[][]): {
    /** Sends the commands and resolves with `[error, reply]` per command. */
    exec(): Promise<unknown>;
  };
  /** True for an ioredis `Cluster`. */
  isCluster?: boolean;
}

/**
 * The part of a node-redis (v4+) client the store uses: `sendCommand` (and
 * `duplicate` for the change feed). Nothing is imported from `redis`.
 *
 * @example
 * ```ts
 * import { createClient } from "redis";
 * const client: NodeRedisLike = await createClient({ url: process.env.REDIS_URL }).connect();
 * ```
 */
export interface NodeRedisLike {
  /** Sends one command, name first, and resolves with the raw reply. */
  sendCommand(args: string[]): Promise<unknown>;
  /** A new client with the same options; the change feed subscribes on one. */
  duplicate?(): unknown;
}

/**
 * The part of a node-redis cluster (`createCluster`) the store uses: commands
 * are routed by their first key.
 *
 * @example
 * ```ts
 * import { createCluster } from "redis";
 * const client: NodeRedisClusterLike = await createCluster({ rootNodes: [{ url }] }).connect();
 * ```
 */
export interface NodeRedisClusterLike {
  /**
   * Sends one command, name first, to the node owning `firstKey` (any node
   * when undefined); `isReadonly` lets the cluster send reads to a replica.
   */
  sendCommand(firstKey: string | undefined, isReadonly: boolean | undefined, args: string[]): Promise<unknown>;
  /** Tells a cluster from a single client; the store never calls it. */
  getSlotRandomNode(slot: number): unknown;
  /** A new cluster client with the same options; the change feed subscribes on one. */
  duplicate?(): unknown;
}

/**
 * Any client `redisStore` accepts, detected structurally: ioredis (`call`),
 * a node-redis cluster (`sendCommand(firstKey, isReadonly, args)`) or a
 * node-redis client (`sendCommand(args)`).
 *
 * @example
 * ```ts
 * const store = redisStore({ client: new Redis() satisfies RedisClientLike });
 * ```
 */
export type RedisClientLike = IORedisLike | NodeRedisLike | NodeRedisClusterLike;

const READONLY = new Set(["GET", "HGETALL", "ZREVRANGEBYLEX"]);

/** The key a cluster routes `command` by (scripts: their first key; PUBLISH: any node). */
function firstKey(command: string[]): string | undefined {
  const name = command[0]?.toUpperCase();
  if (name === "EVALSHA" || name === "EVAL") return command[2] === "0" ? undefined : command[3];
  if (name === "PUBLISH") return undefined;
  return command[1];
}

/**
 * One `send` function for whatever client was given.
 *
 * @example
 * ```ts
 * const send = commandSender(client);
 * await send(["GET", "kw:id:{123}"]);
 * ```
 */
export function commandSender(client: RedisClientLike): SendCommand {
  const c = client as Partial<IORedisLike & NodeRedisClusterLike & NodeRedisLike>;
  if (typeof c.call === "function") {
    const call = c.call.bind(client);
    // most commands the hot path sends have one argument (HGETALL, GET): no copy, no spread
    return (command) =>
      command.length === 2 ? call(command[0] as string, command[1] as string) : call(command[0] as string, ...command.slice(1));
  }
  if (typeof c.sendCommand === "function" && typeof c.getSlotRandomNode === "function") {
    const cluster = client as NodeRedisClusterLike;
    return (command) => cluster.sendCommand(firstKey(command), READONLY.has(command[0] as string), command);
  }
  if (typeof c.sendCommand === "function") {
    const node = client as NodeRedisLike;
    return (command) => node.sendCommand(command);
  }
  throw new TypeError("redisStore: `client` must be an ioredis or node-redis client (with `call` or `sendCommand`)");
}

/**
 * Waits until `count` replicas acknowledged every write made so far on the
 * connection that wrote `key`, for at most `timeout` ms (Redis `WAIT`).
 * Resolves with the number of replicas that did.
 */
export type ReplicaWait = (key: string, count: number, timeout: number) => Promise<number>;

/**
 * A {@link ReplicaWait} for the given client: `WAIT` must run on the
 * connection that made the change, so a cluster sends it to the node owning
 * `key` (node-redis routes by `key`; ioredis pipelines it behind a command on
 * `key`). With a plain `sendCommand` function, `WAIT` goes through it: that
 * function must use one connection per node.
 *
 * @example
 * ```ts
 * const wait = replicaWait(client, send);
 * const acked = await wait("kw:rec:{v1:abc}", 1, 500);
 * ```
 */
export function replicaWait(client: RedisClientLike | undefined, send: SendCommand): ReplicaWait {
  const c = (client ?? {}) as Partial<IORedisLike & NodeRedisClusterLike>;
  const args = (count: number, timeout: number) => ["WAIT", String(count), String(timeout)];
  if (typeof c.call === "function" && c.isCluster === true && typeof c.pipeline === "function") {
    const pipeline = c.pipeline.bind(client);
    return async (key, count, timeout) => {
      const replies = (await pipeline([
        ["exists", key],
        ["wait", String(count), String(timeout)],
      ]).exec()) as [unknown, unknown][] | null;
      const [error, acked] = replies?.[1] ?? [new Error("redisStore: WAIT got no reply"), 0];
      if (error) throw error;
      return Number(acked);
    };
  }
  if (typeof c.sendCommand === "function" && typeof c.getSlotRandomNode === "function") {
    const cluster = client as NodeRedisClusterLike;
    return async (key, count, timeout) => Number(await cluster.sendCommand(key, false, args(count, timeout)));
  }
  return async (_key, count, timeout) => Number(await send(args(count, timeout)));
}
