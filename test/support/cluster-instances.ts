/**
 * Many cached keyward instances on one Redis Cluster, each counting the
 * records it reads, for the cluster feed and failover tests and the fan-out
 * benchmark.
 */
import type { Cluster } from "ioredis";
import { createKeyward, type Keyward, type VerifyResult } from "keyward";
import { redisStore } from "keyward/redis";
import type { NodeCluster } from "./redis-cluster.js";

export type { NodeCluster } from "./redis-cluster.js";
export type Flavour = "ioredis" | "node-redis";

export interface Instance {
  kw: Keyward;
  /** Records read from Redis so far (HGETALL). */
  reads(): number;
  /** HGETALL replies so far that were empty, or held the record of another key than asked for. */
  odd(): { empty: number; other: number };
}

/** The `hash` field of an HGETALL reply (flat array, Map or object), or undefined. */
function hashField(reply: unknown): unknown {
  if (Array.isArray(reply)) {
    for (let i = 0; i + 1 < reply.length; i += 2) if (String(reply[i]) === "hash") return String(reply[i + 1]);
    return undefined;
  }
  if (reply instanceof Map) return reply.get("hash")?.toString();
  if (reply && typeof reply === "object") return (reply as Record<string, unknown>).hash?.toString();
  return undefined;
}

/** Whether `reply` to `HGETALL key` was empty, held another key's record, or neither. */
function classify(key: string | undefined, reply: unknown): "empty" | "other" | undefined {
  const field = hashField(reply);
  if (field === undefined) return "empty";
  const asked = key?.slice(key.indexOf("{") + 1, key.lastIndexOf("}"));
  return field === asked ? undefined : "other";
}

/** The client as redisStore sees it, counting HGETALL. Structural: detection still sees a cluster. */
function counting(
  client: Cluster | NodeCluster,
  onRead: (key: string | undefined, reply: Promise<unknown>) => Promise<unknown>,
): Parameters<typeof redisStore>[0]["client"] {
  if ("nodes" in client) {
    const io = client as Cluster;
    return {
      call: (command: string, ...args: string[]) => {
        const reply = io.call(command, ...args);
        return command === "HGETALL" ? onRead(args[0], reply) : reply;
      },
      duplicate: () => io.duplicate(),
      nodes: (role?: "all" | "master" | "slave") => io.nodes(role),
      isCluster: true,
      pipeline: (commands: string[][]) => io.pipeline(commands),
    } as never;
  }
  const node = client as NodeCluster;
  return {
    sendCommand: (key: string | undefined, readonly: boolean | undefined, args: string[]) => {
      const reply = node.sendCommand(key, readonly, args);
      return args[0] === "HGETALL" ? onRead(args[1], reply) : reply;
    },
    getSlotRandomNode: (slot: number) => node.getSlotRandomNode(slot),
    getRandomNode: () => node.getRandomNode(),
    nodeClient: (n: Parameters<NodeCluster["nodeClient"]>[0]) => node.nodeClient(n),
    duplicate: () => node.duplicate(),
  } as never;
}

/** `count` cached keyward instances sharing `clients` round-robin, on store prefix `prefix`. */
export function cachedInstances(
  clients: (Cluster | NodeCluster)[],
  count: number,
  prefix: string,
  options: Parameters<typeof redisStore>[0] extends infer O ? Partial<O> : never = {},
  storeTimeout = 2_000,
): Instance[] {
  return Array.from({ length: count }, (_, i) => {
    let reads = 0;
    const odd = { empty: 0, other: 0 };
    const client = counting(clients[i % clients.length] as Cluster | NodeCluster, (key, reply) => {
      reads++;
      return reply.then((r) => {
        const kind = classify(key, r);
        if (kind) odd[kind]++;
        return r;
      });
    });
    const store = redisStore({ ...(options as object), client, prefix } as Parameters<typeof redisStore>[0]);
    const kw = createKeyward({ store, prefix: "kw", cache: { ttl: 60_000, max: 1000 }, lastUsed: false, storeTimeout });
    return { kw, reads: () => reads, odd: () => ({ ...odd }) };
  });
}

/** Whether `instance` now answers `key` from its cache (a verification that reads nothing). */
export async function servedFromCache(instance: Instance, key: string): Promise<boolean> {
  await instance.kw.verify(key);
  const before = instance.reads();
  const result = await instance.kw.verify(key);
  return result.ok && instance.reads() === before;
}

/** Polls until every instance serves `key` from its cache; returns the ms it took, or null after `within`. */
export async function allCached(instances: Instance[], key: string, within = 10_000): Promise<number | null> {
  const start = performance.now();
  const pending = new Set(instances);
  while (performance.now() - start < within) {
    for (const i of [...pending]) if (await servedFromCache(i, key)) pending.delete(i);
    if (pending.size === 0) return performance.now() - start;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return null;
}

/**
 * Polls every instance until each refuses `key`; returns each instance's
 * refusal time in ms after `since` (performance.now()), Infinity for one that
 * never refused within `within`.
 */
export async function refusalTimes(instances: Instance[], key: string, since: number, within = 3_000): Promise<number[]> {
  const times = instances.map(() => Number.POSITIVE_INFINITY);
  while (performance.now() - since < within && times.some((t) => t === Number.POSITIVE_INFINITY)) {
    await Promise.all(
      instances.map(async (instance, i) => {
        if (times[i] !== Number.POSITIVE_INFINITY) return;
        const result: VerifyResult = await instance.kw.verify(key);
        if (!result.ok) times[i] = performance.now() - since;
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return times;
}

/** p50 and max of a list of ms figures, formatted. */
export function spread(times: number[]): string {
  const sorted = [...times].sort((a, b) => a - b);
  const p50 = sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
  const max = sorted[sorted.length - 1] ?? Number.NaN;
  return `p50 ${p50.toFixed(1)} ms, max ${max.toFixed(1)} ms`;
}
