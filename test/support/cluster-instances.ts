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
}

/** The client as redisStore sees it, counting HGETALL. Structural: detection still sees a cluster. */
function counting(client: Cluster | NodeCluster, onRead: () => void): Parameters<typeof redisStore>[0]["client"] {
  if ("nodes" in client) {
    const io = client as Cluster;
    return {
      call: (command: string, ...args: string[]) => {
        if (command === "HGETALL") onRead();
        return io.call(command, ...args);
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
      if (args[0] === "HGETALL") onRead();
      return node.sendCommand(key, readonly, args);
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
    const client = counting(clients[i % clients.length] as Cluster | NodeCluster, () => reads++);
    const store = redisStore({ ...(options as object), client, prefix } as Parameters<typeof redisStore>[0]);
    const kw = createKeyward({ store, prefix: "kw", cache: { ttl: 60_000, max: 1000 }, lastUsed: false, storeTimeout });
    return { kw, reads: () => reads };
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
