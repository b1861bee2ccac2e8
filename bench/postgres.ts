/**
 * Postgres store benchmark: `verify()` uncached (one indexed lookup) and
 * cached (no store call), store round trips per verification, and uncached
 * throughput at 10k vs 1M keys. Uses DATABASE_URL, else PGlite (labelled).
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx bench/postgres.ts
 *   BENCH_PG_KEYS=100000 npx tsx bench/postgres.ts    # a smaller "large" table (default 1,000,000)
 */
import { PGlite } from "@electric-sql/pglite";
import { createHasher, createKeyward, type Keyward } from "keyward";
import { type PgClient, postgresStore } from "keyward/postgres";
import pg from "pg";
import { median, rate, ratio } from "./harness.js";

const PREFIX = "cho";
const ROLES = { viewer: ["jobs:read"] };
const NEED = { scopes: ["jobs:read"] };
const HOT_KEYS = 200;

/** Runs `fn` from `concurrency` workers for about `ms`; returns operations per second. */
async function throughput(fn: (i: number) => Promise<unknown>, ms: number, concurrency: number): Promise<number> {
  let ops = 0;
  const start = performance.now();
  const deadline = start + ms;
  const worker = async () => {
    while (performance.now() < deadline) await fn(ops++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return (ops / (performance.now() - start)) * 1000;
}

/** Measures several cases in alternating rounds (so machine load hits all alike); every round's figure of each. */
async function rounds(
  cases: Record<string, (i: number) => Promise<unknown>>,
  concurrency: number,
  count = 5,
  ms = 800,
): Promise<Record<string, number[]>> {
  const samples: Record<string, number[]> = {};
  for (const [name, fn] of Object.entries(cases)) {
    samples[name] = [];
    await throughput(fn, 200, concurrency); // warm up
  }
  for (let r = 0; r < count; r++) {
    for (const [name, fn] of Object.entries(cases)) {
      const before = process.cpuUsage();
      const started = performance.now();
      const opsPerSec = await throughput(fn, ms, concurrency);
      const used = process.cpuUsage(before);
      samples[name]?.push(opsPerSec);
      const ops = (opsPerSec * (performance.now() - started)) / 1000;
      cpuPerOp.set(name, [...(cpuPerOp.get(name) ?? []), (used.user + used.system) / ops]);
    }
  }
  return samples;
}

/** This process's CPU µs per operation of each case in the last {@link rounds} (steadier than throughput here). */
const cpuPerOp = new Map<string, number[]>();
const cpuOf = (name: string) => `${median(cpuPerOp.get(name) ?? []).toFixed(1)} µs`;

/** {@link rounds}, keeping the median of each case. */
async function interleave(
  cases: Record<string, (i: number) => Promise<unknown>>,
  concurrency: number,
  count = 5,
  ms = 800,
): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [name, list] of Object.entries(await rounds(cases, concurrency, count, ms))) out[name] = median(list);
  return out;
}

/** Bulk-inserts filler records (never verified) until the table holds `total` rows. */
async function fill(client: PgClient, table: string, total: number): Promise<number> {
  const start = performance.now();
  const { rows } = await client.query(`SELECT count(*)::int AS n FROM ${table}`);
  let have = Number(rows[0]?.n ?? 0);
  const created = Date.now() - 86_400_000;
  while (have < total) {
    const to = Math.min(total, have + 250_000);
    await client.query(
      `INSERT INTO ${table} (id, owner, label, key_prefix, last4, hash, scopes, role, created_at)
       SELECT 'filler-' || g, 'org-' || (g % 10000), 'filler', 'cho_filler00', 'fill', 'v1:' || md5('filler-' || g) || md5(g::text), '{}', 'viewer', $1::bigint + g
       FROM generate_series($2::int, $3::int) AS g`,
      [created, have + 1, to],
    );
    have = to;
  }
  await client.query(`VACUUM (ANALYZE) ${table}`); // settle hint bits and stats before measuring
  await client.query("CHECKPOINT").catch(() => undefined); // flush the bulk load's WAL (superuser only)
  return (performance.now() - start) / 1000;
}

function latency(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(2);
  return `p50 ${at(0.5)} ms, p99 ${at(0.99)} ms`;
}

/**
 * Runs the Postgres benchmark and returns printable result lines.
 *
 * @example
 * ```ts
 * for (const line of await benchPostgres()) console.log(line);
 * ```
 */
export async function benchPostgres(): Promise<string[]> {
  const url = process.env.DATABASE_URL;
  const onServer = Boolean(url);
  const concurrency = onServer ? 32 : 1; // PGlite runs one query at a time
  const large = Number(process.env.BENCH_PG_KEYS ?? 1_000_000);
  const pool = onServer ? new pg.Pool({ connectionString: url, max: 16 }) : null;
  const db = onServer ? null : new PGlite();
  const base = (pool ?? db) as PgClient;
  let queries = 0;
  let lastText = "";
  const client: PgClient = { query: (text, values) => (queries++, (lastText = text), base.query(text, values)) };
  const table = `keyward_bench_${process.pid}`;
  const bigTable = `keyward_bench_${process.pid}_large`;
  const lines: string[] = [];
  const kws: Keyward[] = [];
  try {
    const version = (await base.query("SELECT current_setting('server_version') AS v")).rows[0]?.v;
    lines.push(
      onServer
        ? `postgres: PostgreSQL ${version} at ${new URL(url as string).host}, pg Pool max 16, ${concurrency} verifications in flight`
        : `postgres: DATABASE_URL unset, so PGlite ${version} (embedded, single connection, in-process): not representative of a server`,
    );
    const store = postgresStore({ client, table, listen: false });
    const bigStore = postgresStore({ client: base, table: bigTable, listen: false });
    await store.migrate();
    await bigStore.migrate();
    const uncached = createKeyward({ store, prefix: PREFIX, roles: ROLES, lastUsed: false });
    const cached = createKeyward({ store, prefix: PREFIX, roles: ROLES, lastUsed: false, cache: { ttl: 60_000, max: 10_000 } });
    const uncachedBig = createKeyward({ store: bigStore, prefix: PREFIX, roles: ROLES, lastUsed: false });
    kws.push(uncached, cached, uncachedBig);
    const keys: string[] = [];
    for (let i = 0; i < HOT_KEYS; i++)
      keys.push((await uncached.create({ owner: `org-${i % 10}`, label: "bench", role: "viewer" })).key);
    // the same hot keys live in both tables
    await base.query(`INSERT INTO "public"."${bigTable}" SELECT * FROM "public"."${table}"`);
    const pick = (i: number) => keys[(i * 7919) % keys.length] as string;
    const check = async (kw: Keyward, i: number) => {
      const r = await kw.verify(pick(i), NEED);
      if (!r.ok) throw new Error(`bench: verification failed (${r.error.code})`);
    };

    queries = 0;
    await check(uncached, 0);
    const roundTripsUncached = queries;
    const findText = lastText; // that round trip's statement: the store's own lookup by hash, every column it reads
    if (roundTripsUncached !== 1 || !/^SELECT .* WHERE hash = \$1$/s.test(findText))
      throw new Error(`bench setup: expected one lookup by hash, got ${roundTripsUncached}: ${findText.slice(0, 80)}`);
    await check(cached, 1);
    queries = 0;
    await check(cached, 1);
    lines.push(`  store round trips per verify: uncached ${roundTripsUncached}, cached ${queries} (expected 1 and 0)`);

    await fill(base, `"public"."${table}"`, 10_000);
    const seconds = await fill(base, `"public"."${bigTable}"`, large);
    const samples: number[] = [];
    for (let i = 0; i < 2_000; i++) {
      const t = performance.now();
      await check(uncached, i);
      samples.push(performance.now() - t);
    }
    for (let i = 0; i < keys.length; i++) await check(cached, i); // warm the cache
    const hit = await interleave({ hit: (i) => check(cached, i) }, 1, 3);
    const sizes = await interleave({ small: (i) => check(uncached, i), large: (i) => check(uncachedBig, i) }, concurrency);
    const small = sizes.small ?? 0;
    const big = sizes.large ?? 0;
    lines.push(`  verify uncached (1 indexed lookup), 10k keys: ${rate(small)}; one at a time ${latency(samples)}`);
    lines.push(`  verify cached (cache hit, 0 store calls): ${rate(hit.hit ?? 0)}`);
    // the driver's speed: the store's own statement, as it sent it above, straight through the pool
    const hasher = createHasher();
    const hashes = keys.map((k) => hasher.hash(k));
    const raw = async (i: number) => {
      const { rows } = await base.query(findText, [hashes[(i * 7919) % hashes.length]]);
      if (rows.length !== 1) throw new Error("bench: raw SELECT found nothing");
    };
    for (const inFlight of onServer ? [1, 64] : [1]) {
      cpuPerOp.clear();
      const s = await rounds({ raw, verify: (i) => check(uncached, i) }, inFlight, 5, 600);
      lines.push(
        `  uncached verify ÷ raw SELECT … WHERE hash = $1, ${String(inFlight).padStart(2)} in flight: ${ratio(s.verify, s.raw).text} (verify ${rate(median(s.verify ?? []))}, raw ${rate(median(s.raw ?? []))}; target >= 0.90x; CPU here per operation: verify ${cpuOf("verify")}, raw ${cpuOf("raw")})`,
      );
    }
    lines.push(
      `  verify uncached at ${large.toLocaleString("en")} keys: ${rate(big)} vs ${rate(small)} at 10k (${(big / small).toFixed(2)}x; bulk-loaded in ${seconds.toFixed(1)} s)`,
    );
  } finally {
    for (const kw of kws) await kw.close();
    if (pool) {
      for (const t of [table, bigTable]) {
        await pool.query(`DROP TABLE IF EXISTS "public"."${t}"`).catch(() => undefined);
        await pool.query(`DROP FUNCTION IF EXISTS "public"."${t}_consume"`).catch(() => undefined);
        await pool.query("DELETE FROM keyward_migrations WHERE target = $1", [`public.${t}`]).catch(() => undefined);
      }
      await pool.end();
    }
    await db?.close();
  }
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of await benchPostgres()) console.log(line);
}
