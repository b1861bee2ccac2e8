/**
 * Fan-out benchmark: 16 cached keyward instances serve one key from memory;
 * one of them revokes it. Measured: the time from `revoke()` resolving until
 * every instance refuses the key (p50 and max over the rounds), on PostgreSQL
 * (DATABASE_URL), a single Redis (REDIS_URL) and a Redis Cluster
 * (REDIS_CLUSTER_NODES=127.0.0.1:7001,…, from scripts/redis-cluster.sh). Each
 * store it cannot reach is skipped with a line saying so. About 10 s in all.
 *
 *   npx tsx bench/fanout.ts
 */
import { Cluster, Redis } from "ioredis";
import { createKeyward, type KeyStore, type Keyward } from "keyward";
import { type PgListenConnection, postgresStore } from "keyward/postgres";
import { redisStore } from "keyward/redis";
import pg from "pg";

const INSTANCES = 16;
const ROUNDS = Number(process.env.BENCH_FANOUT_ROUNDS ?? 15);
const CACHE = { ttl: 60_000, max: 1_000 };

type Setup = { stores: KeyStore[]; cleanup(): Promise<void> };

/** ms from `since` until `kw` refuses `key`, polling as fast as the event loop allows. */
async function refusedAfter(kw: Keyward, key: string, since: number, within = 5_000): Promise<number> {
  while (performance.now() - since < within) {
    if (!(await kw.verify(key)).ok) return performance.now() - since;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return Number.POSITIVE_INFINITY;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * (sorted.length - 1)))] ?? Number.NaN;
}

/** Runs the rounds on one store kind and returns its report line. */
async function measure(name: string, setup: Setup): Promise<string> {
  const reads = setup.stores.map(() => 0);
  const instances = setup.stores.map((store, i) => {
    const counted: KeyStore = { ...store, findByHash: (hash) => ((reads[i] = (reads[i] ?? 0) + 1), store.findByHash(hash)) };
    return createKeyward({ store: counted, prefix: "cho", cache: CACHE, lastUsed: false });
  });
  const [first] = instances as [Keyward];
  /** Resolves once `kw` (number `i`) answers `key` from its cache: its feed is live. */
  const cached = async (kw: Keyward, i: number, key: string) => {
    const start = performance.now();
    while (performance.now() - start < 10_000) {
      await kw.verify(key);
      const before = reads[i];
      if ((await kw.verify(key)).ok && reads[i] === before) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`${name}: instance ${i} never served the key from its cache (feed not live)`);
  };
  try {
    const everyone: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const { key, apiKey } = await first.create({ owner: "org_fanout", label: `round ${round}` });
      // every instance serves the key from memory (its feed is live) before the revoke
      await Promise.all(instances.map((kw, i) => cached(kw, i, key)));
      await first.revoke(apiKey.id);
      const resolved = performance.now();
      const times = await Promise.all(instances.map((kw) => refusedAfter(kw, key, resolved)));
      everyone.push(Math.max(...times));
    }
    const sorted = everyone.sort((a, b) => a - b);
    return `  ${name.padEnd(37)} every one of ${INSTANCES} refuses: p50 ${pct(sorted, 0.5).toFixed(1)} ms, max ${pct(sorted, 1).toFixed(1)} ms (${ROUNDS} revokes)`;
  } finally {
    await Promise.all(instances.map((kw) => kw.close()));
    await setup.cleanup();
  }
}

async function postgresSetup(url: string): Promise<Setup> {
  const table = `kw_fanout_${process.pid}`;
  const pool = new pg.Pool({ connectionString: url, max: 8 });
  await pool.query("SELECT 1");
  const listen = async (): Promise<PgListenConnection> => {
    const c = new pg.Client({ connectionString: url });
    c.on("error", () => {});
    await c.connect();
    return c;
  };
  const stores = Array.from({ length: INSTANCES }, () => postgresStore({ client: pool, table, listen }));
  await stores[0]?.migrate();
  return {
    stores,
    cleanup: async () => {
      await pool.query(`DROP TABLE IF EXISTS "${table}"`);
      await pool.query(`DROP FUNCTION IF EXISTS "${table}_consume"`).catch(() => undefined);
      await pool.query(`DELETE FROM keyward_migrations WHERE target = $1`, [`public.${table}`]).catch(() => undefined);
      await pool.end();
    },
  };
}

async function scan(node: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = (await node.call("SCAN", cursor, "MATCH", `${prefix}:*`, "COUNT", "1000")) as [string, string[]];
    cursor = next;
    for (const key of keys) await node.call("DEL", key);
  } while (cursor !== "0");
}

async function redisSetup(url: string): Promise<Setup> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  client.on("error", () => {});
  await client.connect();
  const prefix = `keyward-fanout:${process.pid}`;
  return {
    stores: Array.from({ length: INSTANCES }, () => redisStore({ client, prefix })),
    cleanup: async () => {
      await scan(client, prefix);
      client.disconnect();
    },
  };
}

async function clusterSetup(nodes: { host: string; port: number }[]): Promise<Setup> {
  const clients = [0, 1].map(() => new Cluster(nodes, { redisOptions: { maxRetriesPerRequest: 1 } }));
  for (const c of clients) c.on("error", () => {});
  await Promise.all(clients.map((c) => c.call("PING")));
  const prefix = `keyward-fanout:${process.pid}`;
  return {
    stores: Array.from({ length: INSTANCES }, (_, i) => redisStore({ client: clients[i % 2] as Cluster, prefix })),
    cleanup: async () => {
      const [first] = clients as [Cluster];
      for (const node of first.nodes("master")) {
        let cursor = "0";
        do {
          const [next, keys] = (await node.call("SCAN", cursor, "MATCH", `${prefix}:*`, "COUNT", "1000")) as [string, string[]];
          cursor = next;
          for (const key of keys) await first.call("DEL", key);
        } while (cursor !== "0");
      }
      for (const c of clients) c.disconnect();
    },
  };
}

async function nodeClusterSetup(nodes: { host: string; port: number }[]): Promise<Setup> {
  // loaded only here: importing node-redis 5 slows every promise-heavy path of the process
  // (cached verify throughput halves), which would skew the other benchmarks of `npm run bench`
  const { createCluster } = await import("redis");
  const clients = await Promise.all(
    [0, 1].map(async () => {
      const c = createCluster({ rootNodes: nodes.map((n) => ({ url: `redis://${n.host}:${n.port}` })) });
      c.on("error", () => {});
      await c.connect();
      return c;
    }),
  );
  const prefix = `keyward-fanout-node:${process.pid}`;
  const admin = new Cluster(nodes);
  admin.on("error", () => {});
  return {
    stores: Array.from({ length: INSTANCES }, (_, i) => redisStore({ client: clients[i % 2] as (typeof clients)[0], prefix })),
    cleanup: async () => {
      await admin.call("PING");
      for (const node of admin.nodes("master")) {
        let cursor = "0";
        do {
          const [next, keys] = (await node.call("SCAN", cursor, "MATCH", `${prefix}:*`, "COUNT", "1000")) as [string, string[]];
          cursor = next;
          for (const key of keys) await admin.call("DEL", key);
        } while (cursor !== "0");
      }
      admin.disconnect();
      for (const c of clients) c.destroy();
    },
  };
}

/**
 * Runs the fan-out on every store it can reach; returns printable lines.
 *
 * @example
 * ```ts
 * for (const line of await benchFanout()) console.log(line);
 * ```
 */
export async function benchFanout(): Promise<string[]> {
  const lines = [`fan-out: ${INSTANCES} cached instances, time from revoke() resolving until every instance refuses the key`];
  const pgUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const clusterNodes = (process.env.REDIS_CLUSTER_NODES ?? "")
    .split(",")
    .filter(Boolean)
    .map((s) => ({ host: s.split(":")[0] as string, port: Number(s.split(":")[1]) }));
  const kinds: [string, () => Promise<Setup>, string][] = [
    ["PostgreSQL (LISTEN/NOTIFY)", () => postgresSetup(pgUrl), `PostgreSQL not reachable at ${pgUrl} (set DATABASE_URL)`],
    ["Redis (pub/sub)", () => redisSetup(redisUrl), `Redis not reachable at ${redisUrl} (set REDIS_URL)`],
  ];
  if (clusterNodes.length > 0) {
    kinds.push(["Redis Cluster, ioredis (pub/sub)", () => clusterSetup(clusterNodes), "Redis Cluster not reachable"]);
    kinds.push(["Redis Cluster, node-redis (pub/sub)", () => nodeClusterSetup(clusterNodes), "Redis Cluster not reachable"]);
  } else {
    lines.push("  Redis Cluster: skipped (set REDIS_CLUSTER_NODES, e.g. from scripts/redis-cluster.sh nodes 7001)");
  }
  for (const [name, setup, unreachable] of kinds) {
    let ready: Setup;
    try {
      ready = await setup();
    } catch {
      lines.push(`  ${name}: skipped, ${unreachable}`);
      continue;
    }
    lines.push(await measure(name, ready));
  }
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of await benchFanout()) console.log(line);
  process.exit(0);
}
