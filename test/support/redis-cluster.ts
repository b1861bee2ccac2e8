/**
 * The Redis Cluster the cluster tests use (`scripts/redis-cluster.sh`):
 * REDIS_CLUSTER_NODES=127.0.0.1:7001,…  (unset: the tests skip, or fail under
 * KEYWARD_REQUIRE_SERVICES=1). Tests that crash nodes start a throwaway
 * cluster of their own on REDIS_CLUSTER_SCRATCH_PORT (a base port; six ports
 * from it must be free).
 */
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import Redis, { Cluster, type ClusterOptions } from "ioredis";
import { createCluster } from "redis";

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL("../../scripts/redis-cluster.sh", import.meta.url));

export type Address = { host: string; port: number };

function parse(list: string | undefined): Address[] {
  return (list ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const [host, port] = s.split(":");
      return { host: host as string, port: Number(port) };
    });
}

/** The shared cluster's nodes; empty means "skip". */
export const CLUSTER_NODES = parse(process.env.REDIS_CLUSTER_NODES);
/** Base port of a throwaway cluster for the tests that crash nodes; undefined means "skip them". */
export const SCRATCH_PORT = process.env.REDIS_CLUSTER_SCRATCH_PORT ? Number(process.env.REDIS_CLUSTER_SCRATCH_PORT) : undefined;

/** Says why a cluster suite is skipped; fails instead under KEYWARD_REQUIRE_SERVICES=1. */
export function noteClusterSkip(file: string, needsScratch = false): void {
  const unset = needsScratch ? !SCRATCH_PORT : CLUSTER_NODES.length === 0;
  const missing = unset ? (needsScratch ? "REDIS_CLUSTER_SCRATCH_PORT" : "REDIS_CLUSTER_NODES") : "";
  if (!missing) return;
  if (process.env.KEYWARD_REQUIRE_SERVICES === "1")
    throw new Error(`[${file}] KEYWARD_REQUIRE_SERVICES=1 but ${missing} is not set`);
  console.log(
    needsScratch
      ? `[${file}] ${missing} is not set: skipping the Redis Cluster failover tests (REDIS_CLUSTER_SCRATCH_PORT=7011 lets them start and stop a throwaway cluster on ports 7011-7016)`
      : `[${file}] ${missing} is not set: skipping the Redis Cluster tests (start one with scripts/redis-cluster.sh start 7001, then REDIS_CLUSTER_NODES=$(scripts/redis-cluster.sh nodes 7001))`,
  );
}

/**
 * Holds the cluster for one test file at a time across every vitest project
 * and worker (the suites kill pub/sub connections and crash nodes, which
 * would disturb another file using the cluster meanwhile). Resolves with the
 * release function. A lock left by a process that died is taken over.
 */
export async function lockCluster(within = 600_000): Promise<() => void> {
  const dir = join(tmpdir(), `keyward-cluster-lock-${CLUSTER_NODES[0]?.port ?? SCRATCH_PORT ?? 0}`);
  const deadline = Date.now() + within;
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, "pid"), String(process.pid));
      return () => rmSync(dir, { recursive: true, force: true });
    } catch {
      let holder = Number.NaN;
      try {
        holder = Number(readFileSync(join(dir, "pid"), "utf8"));
      } catch {
        // being created or removed right now
      }
      if (Number.isInteger(holder) && !alive(holder)) rmSync(dir, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`the Redis Cluster stayed locked for ${within} ms (${dir})`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Closes an ioredis Cluster or a node-redis cluster at once, on every major. */
export function closeCluster(client: Cluster | { destroy?: () => void; disconnect: () => Promise<void> }): void {
  if ("nodes" in client) client.disconnect();
  else if (typeof client.destroy === "function") client.destroy();
  else client.disconnect().catch(() => {});
}

/** An ioredis Cluster on `nodes`. */
export function ioCluster(nodes: Address[] = CLUSTER_NODES, options: ClusterOptions = {}): Cluster {
  const cluster = new Cluster(nodes, { redisOptions: { maxRetriesPerRequest: 1 }, ...options });
  cluster.on("error", () => {});
  return cluster;
}

/** A node-redis cluster client as the tests create it (node-redis 6 speaks RESP3 by default). */
export type NodeCluster = Awaited<ReturnType<typeof nodeCluster>>;

/** A connected node-redis cluster on `nodes`. */
export async function nodeCluster(nodes: Address[] = CLUSTER_NODES) {
  const cluster = createCluster({ rootNodes: nodes.map((n) => ({ url: `redis://${n.host}:${n.port}` })) });
  cluster.on("error", () => {});
  await cluster.connect();
  return cluster;
}

/** Runs `command` on every node, each through a short-lived connection of its own. */
export async function onEveryNode(nodes: Address[], command: string[]): Promise<unknown[]> {
  return Promise.all(
    nodes.map(async (n) => {
      const c = new Redis({ ...n, maxRetriesPerRequest: 0, lazyConnect: true });
      c.on("error", () => {});
      try {
        await c.connect();
        return await c.call(command[0] as string, ...command.slice(1));
      } catch (error) {
        return error;
      } finally {
        c.disconnect();
      }
    }),
  );
}

/** Deletes every key under `prefix` on every master (SCAN, never KEYS). */
export async function cleanupCluster(cluster: Cluster, prefix: string): Promise<void> {
  await Promise.all(
    cluster.nodes("master").map(async (node) => {
      let cursor = "0";
      do {
        const [next, keys] = (await node.call("SCAN", cursor, "MATCH", `${prefix}:*`, "COUNT", "1000")) as [string, string[]];
        cursor = next;
        for (const key of keys) await cluster.call("DEL", key);
      } while (cursor !== "0");
    }),
  );
}

/** The master owning `key`'s slot, and its replicas, from CLUSTER NODES / CLUSTER KEYSLOT. */
export async function ownersOf(cluster: Cluster, key: string): Promise<{ master: Address; replicas: Address[] }> {
  const slot = Number(await cluster.call("CLUSTER", "KEYSLOT", key));
  const lines = String(await cluster.call("CLUSTER", "NODES"))
    .split("\n")
    .filter(Boolean)
    .map((l) => l.split(" "));
  const addr = (field: string): Address => {
    const [host, rest] = field.split(":");
    return { host: host as string, port: Number((rest as string).split("@")[0]) };
  };
  const master = lines.find(
    (f) =>
      f[2]?.includes("master") &&
      !f[2]?.includes("fail") &&
      f.slice(8).some((range) => {
        const [lo, hi] = range.split("-").map(Number);
        return !range.startsWith("[") && slot >= (lo as number) && slot <= ((hi ?? lo) as number);
      }),
  );
  if (!master) throw new Error(`no master owns slot ${slot}`);
  const replicas = lines.filter((f) => f[3] === master[0] && !f[2]?.includes("fail")).map((f) => addr(f[1] as string));
  return { master: addr(master[1] as string), replicas };
}

/** Starts a throwaway cluster on `base`…`base+5` with scripts/redis-cluster.sh; returns its nodes. */
export async function startScratchCluster(base: number): Promise<Address[]> {
  await run("bash", [SCRIPT, "stop", String(base)]).catch(() => undefined);
  await run("bash", [SCRIPT, "start", String(base)], { timeout: 60_000 });
  return Array.from({ length: 6 }, (_, i) => ({ host: "127.0.0.1", port: base + i }));
}

/** Stops the throwaway cluster (by the pids the script recorded). */
export async function stopScratchCluster(base: number): Promise<void> {
  await run("bash", [SCRIPT, "stop", String(base)]).catch(() => undefined);
}

/** Restarts one crashed node of the throwaway cluster; it rejoins (as a replica) from its nodes.conf. */
export async function restartNode(base: number, port: number): Promise<void> {
  await run("bash", [SCRIPT, "restart-node", String(base), String(port)], { timeout: 30_000 });
}

/** Resolves once every reachable node reports cluster_state:ok (or `within` ms pass); returns whether it did. */
export async function clusterOk(nodes: Address[], within = 30_000): Promise<boolean> {
  const deadline = Date.now() + within;
  while (Date.now() < deadline) {
    const infos = await onEveryNode(nodes, ["CLUSTER", "INFO"]);
    const reachable = infos.filter((i) => typeof i === "string") as string[];
    if (reachable.length > 0 && reachable.every((i) => i.includes("cluster_state:ok"))) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}
