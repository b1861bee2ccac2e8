/**
 * Usage control on the Postgres and Redis stores: the cost of `consume()`
 * (rate limit and credits: on Postgres one call of the function running one
 * `UPDATE … RETURNING`, beside that `UPDATE` sent as is on a table at schema
 * version 2; on Redis one Lua script)
 * against the raw single query an uncached verification makes
 * (`findByHash`: one indexed SELECT, one HGETALL), with the round trips
 * each costs counted through a wrapping client. Keys spread over 200
 * records, and one hot key every call contends on.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379 npx tsx bench/usage-stores.ts
 *
 * Postgres falls back to PGlite (labelled) without DATABASE_URL; Redis is
 * skipped when unreachable.
 */
import { PGlite } from "@electric-sql/pglite";
import Redis from "ioredis";
import type { KeyRecord, KeyStore, UsageRequest } from "keyward";
import { migrationsFor, type PgClient, postgresStore } from "keyward/postgres";
import { redisStore } from "keyward/redis";
import { makeRecord } from "keyward/testing";
import { median, rate } from "./harness.js";

const KEYS = 200;
const ROUNDS = 5;
const ROUND_MS = 700;
const LIMIT = { limit: 1_000_000_000, window: 60_000 };

/** Operations per second over `ms` with `concurrency` in flight. */
async function throughput(fn: (i: number) => Promise<unknown>, concurrency: number, ms: number): Promise<number> {
  let ops = 0;
  const start = performance.now();
  const worker = async () => {
    while (performance.now() - start < ms) await fn(ops++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return (ops / (performance.now() - start)) * 1000;
}

/** The cases, interleaved round by round; returns printable lines. */
async function measure(
  store: KeyStore,
  sent: () => number,
  concurrency: number,
  label: string,
  rawWrite?: (hash: string) => Promise<unknown>,
  others: Record<string, KeyStore> = {},
): Promise<string[]> {
  const consume = store.consume?.bind(store);
  if (!consume) return [`${label}: the store has no consume()`];
  const records: KeyRecord[] = Array.from({ length: KEYS }, () =>
    makeRecord({ credits: { remaining: 1e12, refill: null, refilledAt: Date.now() } }),
  );
  for (const r of records) await store.insert(r);
  for (const other of Object.values(others)) {
    for (const r of records) await Promise.resolve(other.insert(r)).catch(() => undefined); // one on the same table has it
  }
  const hash = (i: number) => (records[(i * 7919) % KEYS] as KeyRecord).hash;
  const hot = (records[0] as KeyRecord).hash;
  const request = (): UsageRequest => ({ now: Date.now(), cost: 1, ratelimit: LIMIT });
  const cases: Record<string, (i: number) => Promise<unknown>> = {
    "findByHash (raw single query)": (i) => Promise.resolve(store.findByHash(hash(i))),
    "consume, limit + credits": (i) => Promise.resolve(consume(hash(i), request())),
    "findByHash + consume": async (i) => {
      await store.findByHash(hash(i));
      await consume(hash(i), request());
    },
    "consume, one hot key": () => Promise.resolve(consume(hot, request())),
  };
  if (rawWrite) cases["raw one-row UPDATE (write floor)"] = (i) => rawWrite(hash(i));
  for (const [name, other] of Object.entries(others)) {
    const otherConsume = other.consume?.bind(other);
    if (otherConsume) cases[name] = (i) => Promise.resolve(otherConsume(hash(i), request()));
  }
  const samples = new Map<string, number[]>(Object.keys(cases).map((name) => [name, []]));
  const trips = new Map<string, number>();
  for (const fn of Object.values(cases)) await throughput(fn, concurrency, 150); // warm up (loads the Redis script)
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, fn] of Object.entries(cases)) {
      const before = sent();
      const started = performance.now();
      const perSec = await throughput(fn, concurrency, ROUND_MS);
      samples.get(name)?.push(perSec);
      trips.set(name, (sent() - before) / ((perSec * (performance.now() - started)) / 1000));
    }
  }
  const raw = median(samples.get("findByHash (raw single query)") ?? []);
  const lines = [`${label}, ${concurrency} in flight, median of ${ROUNDS} rounds:`];
  for (const name of Object.keys(cases)) {
    const value = median(samples.get(name) ?? []);
    lines.push(
      `  ${name.padEnd(30)} ${rate(value).padStart(9)}  ${(value / raw).toFixed(2)}x raw  ${(trips.get(name) ?? 0).toFixed(2)} round trips per call`,
    );
  }
  return lines;
}

async function benchPostgresUsage(): Promise<string[]> {
  const url = process.env.DATABASE_URL;
  const pg = url ? (await import("pg")).default : null;
  const pool = pg ? new pg.Pool({ connectionString: url, max: 16 }) : null;
  const db = pool ? null : new PGlite();
  const base = (pool ?? db) as PgClient;
  let queries = 0;
  const client: PgClient = { query: (text, values) => (queries++, base.query(text, values)) };
  const table = `keyward_bench_usage_${process.pid}`;
  const store = postgresStore({ client, table, listen: false });
  try {
    await store.migrate();
    const version = (await base.query("SELECT current_setting('server_version') AS v")).rows[0]?.v;
    const label = pool
      ? `postgres usage: PostgreSQL ${version}, pg Pool max 16`
      : `postgres usage: PGlite ${version} (DATABASE_URL unset; embedded, one query at a time)`;
    const touch = `UPDATE "public"."${table}" SET last_used_at = $2::bigint WHERE hash = $1`;
    // the same keys on a table left at schema version 2 (no consume function): the UPDATE is sent as is
    for (const m of migrationsFor({ table: `${table}_v2` }).slice(0, 2)) await (pool ? pool.query(m.sql) : db?.exec(m.sql));
    const asIs = postgresStore({ client, table: `${table}_v2`, autoMigrate: false, listen: false });
    const asynchronous = postgresStore({ client, table, listen: false, usageCommit: "asynchronous" });
    const lines = await measure(
      store,
      () => queries,
      pool ? 32 : 1,
      label,
      (hash) => client.query(touch, [hash, Date.now()]),
      {
        "consume, UPDATE sent as is": asIs,
        'consume, usageCommit "asynchronous"': asynchronous,
      },
    );
    return lines;
  } finally {
    if (pool) {
      await pool.query(`DROP TABLE IF EXISTS "public"."${table}"`).catch(() => undefined);
      await pool.query(`DROP TABLE IF EXISTS "public"."${table}_v2"`).catch(() => undefined);
      await pool.query(`DROP FUNCTION IF EXISTS "public"."${table}_consume"`).catch(() => undefined);
      await pool.query("DELETE FROM keyward_migrations WHERE target = $1", [`public.${table}`]).catch(() => undefined);
      await pool.end();
    }
    await db?.close();
  }
}

async function benchRedisUsage(): Promise<string[]> {
  const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  client.on("error", () => {});
  try {
    await client.connect();
  } catch {
    client.disconnect();
    return [`redis usage: skipped, Redis is not reachable at ${url} (set REDIS_URL)`];
  }
  const namespace = `keyward-bench-usage:${process.pid}`;
  let commands = 0;
  const counted = { call: (command: string, ...args: string[]) => (commands++, client.call(command, ...args)) };
  try {
    return await measure(redisStore({ client: counted, namespace }), () => commands, 64, "redis usage: ioredis");
  } finally {
    let cursor = "0";
    do {
      const [next, found] = (await client.call("SCAN", cursor, "MATCH", `${namespace}:*`, "COUNT", "1000")) as [string, string[]];
      cursor = next;
      if (found.length > 0) await client.call("DEL", ...found);
    } while (cursor !== "0");
    await client.quit();
  }
}

/**
 * Runs the usage-control store benchmarks and returns printable lines.
 *
 * @example
 * ```ts
 * for (const line of await benchUsage()) console.log(line);
 * ```
 */
export async function benchUsageStores(): Promise<string[]> {
  return [...(await benchPostgresUsage()), ...(await benchRedisUsage())];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of await benchUsageStores()) console.log(line);
}
