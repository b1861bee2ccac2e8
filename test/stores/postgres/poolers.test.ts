/**
 * The change feed where LISTEN cannot be trusted: refused at start-up, and
 * behind PgBouncer in transaction mode (PGBOUNCER_URL, e.g. started with
 * scripts/pgbouncer.sh). The cache must never serve a key the feed could not
 * have told it about.
 */
import { createKeyward, type Keyward } from "keyward";
import { type PgListenConnection, postgresStore } from "keyward/postgres";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE_URL, dropTable, hasServer, newPool, noteSkip, uniqueTable, waitFor } from "../../support/postgres.js";

const PGBOUNCER_URL = process.env.PGBOUNCER_URL ?? "";
const DEAD_URL = "postgres://postgres@127.0.0.1:1/test"; // nothing listens on port 1
const BOUND_MS = 1_000;

noteSkip("the feed start-up and pooler tests");
if (hasServer && !PGBOUNCER_URL) {
  if (process.env.KEYWARD_REQUIRE_SERVICES === "1") throw new Error("KEYWARD_REQUIRE_SERVICES=1 but PGBOUNCER_URL is not set");
  console.log("[keyward/postgres] PGBOUNCER_URL is not set: skipping the PgBouncer tests (scripts/pgbouncer.sh start 6432)");
}

/** A dedicated, direct LISTEN connection. */
const direct = (url: string) => async (): Promise<PgListenConnection> => {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  c.on("error", () => {});
  await c.connect();
  return c;
};

/** A cached instance B whose store reads are counted, and an instance A (no cache) making changes. */
function pair(table: string, clientA: pg.Pool, clientB: pg.Pool, listen: () => Promise<PgListenConnection>) {
  let reads = 0;
  const errors: unknown[] = [];
  const counting = { query: (t: string, v?: unknown[]) => ((reads += t.includes("WHERE hash") ? 1 : 0), clientB.query(t, v)) };
  const storeB = postgresStore({
    client: counting,
    table,
    listen,
    feed: { minDelay: 20, maxDelay: 100, onError: (e) => errors.push(e) },
  });
  const a = createKeyward({ store: postgresStore({ client: clientA, table, listen: false }), prefix: "cho" });
  const b = createKeyward({ store: storeB, prefix: "cho", cache: { ttl: 60_000, max: 100 }, lastUsed: false });
  return { a, b, storeB, errors, reads: () => reads };
}

/** Whether B answered `key` from its cache (a second verification that read nothing). */
async function cachedOn(b: Keyward, key: string, reads: () => number): Promise<boolean> {
  await b.verify(key);
  const before = reads();
  return (await b.verify(key)).ok && reads() === before;
}

describe.skipIf(!hasServer)("LISTEN refused at start-up (DATABASE_URL)", () => {
  const table = uniqueTable("refused");
  let pool: pg.Pool;
  beforeAll(async () => {
    pool = newPool(6);
    await postgresStore({ client: pool, table }).migrate();
  });
  afterAll(async () => {
    await dropTable(pool, table);
    await pool.end();
  });

  it("caches nothing until the feed is proven live, so a revoke elsewhere is refused at once meanwhile", async () => {
    let target = DEAD_URL;
    const { a, b, storeB, errors, reads } = pair(table, pool, pool, () => direct(target)());
    try {
      const { key, apiKey } = await a.create({ owner: "org_refused", label: "refused" });
      expect(await cachedOn(b, key, reads)).toBe(false); // LISTEN refused: every verification reads the database
      expect(storeB.listening).toBe(false);
      await a.revoke(apiKey.id);
      expect(await b.verify(key)).toMatchObject({ ok: false, error: { code: "revoked" } }); // no notification could reach B
      expect(errors.length).toBeGreaterThan(0);

      target = DATABASE_URL; // the server accepts LISTEN again
      const liveAfter = await waitFor(() => storeB.listening, 10_000);
      expect(liveAfter).not.toBeNull();
      console.log(
        `[keyward/postgres] LISTEN refused at start-up: cache unused until live, ${liveAfter?.toFixed(0)} ms after LISTEN became possible`,
      );
      const fresh = await a.create({ owner: "org_refused", label: "fresh" });
      expect(await cachedOn(b, fresh.key, reads)).toBe(true); // live: cached now
      await a.revoke(fresh.apiKey.id);
      const start = performance.now();
      expect(await waitFor(async () => !(await b.verify(fresh.key)).ok, 5_000, 1)).not.toBeNull();
      expect(performance.now() - start).toBeLessThan(BOUND_MS);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe.skipIf(!hasServer || !PGBOUNCER_URL)("behind PgBouncer in transaction mode (PGBOUNCER_URL)", () => {
  const table = uniqueTable("bouncer");
  let directPool: pg.Pool;
  let pooled: pg.Pool;
  beforeAll(async () => {
    directPool = newPool(4);
    await postgresStore({ client: directPool, table }).migrate();
    pooled = new pg.Pool({ connectionString: PGBOUNCER_URL, max: 6 });
    pooled.on("error", () => {});
  });
  afterAll(async () => {
    await dropTable(directPool, table);
    await pooled.end();
    await directPool.end();
  });

  it("a LISTEN through the pooler never proves itself live: nothing is cached and a revoke elsewhere is refused at once", async () => {
    let through: PgListenConnection | null = null;
    const { a, b, storeB, errors, reads } = pair(table, pooled, pooled, async () => (through = await pooled.connect()));
    try {
      expect(await waitFor(() => through !== null, 5_000)).not.toBeNull(); // LISTEN "succeeded" on the pooler
      const { key, apiKey } = await a.create({ owner: "org_bouncer", label: "deaf" });
      for (let i = 0; i < 5; i++) expect(await cachedOn(b, key, reads)).toBe(false);
      await a.revoke(apiKey.id);
      expect(await b.verify(key)).toMatchObject({ ok: false, error: { code: "revoked" } });
      // it keeps trying on fresh connections and says why
      expect(
        await waitFor(() => errors.some((e) => String(e).includes("do not reach the LISTEN connection")), 6_000),
      ).not.toBeNull();
      expect(storeB.listening).toBe(false);
      console.log(
        "[keyward/postgres] LISTEN through PgBouncer (transaction mode): never live, cache never used; reported as deaf",
      );
    } finally {
      await a.close();
      await b.close();
    }
  }, 20_000);

  it("queries through the pooler, LISTEN on a direct connection: live, and another instance's revoke is refused within the bound", async () => {
    const { a, b, storeB, reads } = pair(table, pooled, pooled, direct(DATABASE_URL));
    let c: Awaited<ReturnType<typeof pair>> | null = null;
    try {
      expect(await waitFor(() => storeB.listening, 5_000)).not.toBeNull();
      const { key, apiKey } = await a.create({ owner: "org_bouncer", label: "direct listen" });
      expect(await cachedOn(b, key, reads)).toBe(true);
      await a.revoke(apiKey.id); // through the pooler: its NOTIFY is delivered on commit like any other
      const start = performance.now();
      expect(await waitFor(async () => !(await b.verify(key)).ok, 5_000, 1)).not.toBeNull();
      const ms = performance.now() - start;
      console.log(
        `[keyward/postgres] pooled queries + direct LISTEN: another instance refused a revoked key after ${ms.toFixed(1)} ms`,
      );
      expect(ms).toBeLessThan(BOUND_MS);
      c = pair(table, pooled, pooled, direct(DATABASE_URL)); // a second cached instance, its own LISTEN session
      expect(await waitFor(() => (c as NonNullable<typeof c>).storeB.listening, 5_000)).not.toBeNull();
    } finally {
      await a.close();
      await b.close();
      await c?.a.close();
      await c?.b.close();
    }
  });
});
