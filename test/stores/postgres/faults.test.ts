import { PGlite } from "@electric-sql/pglite";
import { type ChangeListener, createKeyward, generateKey, StoreUnavailableError } from "keyward";
import { type PgClient, postgresStore } from "keyward/postgres";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE_URL, dropTable, hasServer, newPool, noteSkip, uniqueTable, waitFor } from "../../support/postgres.js";

/** A listener written before `onDown` was required (untyped code): the feed resets it instead when it drops. */
const withoutOnDown = (listener: Omit<ChangeListener, "onDown">): ChangeListener => listener as ChangeListener;

const roles = { viewer: ["jobs:read"] };
const DEAD_URL = "postgres://postgres@127.0.0.1:1/test"; // nothing listens on port 1

/** A client that can be switched between a failing and a working database at run time. */
function switchable(working: PgClient, failing: PgClient) {
  let current = working;
  const client: PgClient = { query: (text, values) => current.query(text, values) };
  return { client, fail: () => (current = failing), heal: () => (current = working) };
}

describe("store unreachable (no server needed)", () => {
  let db: PGlite;
  beforeAll(() => {
    db = new PGlite();
  });
  afterAll(async () => {
    await db.close();
  });

  it("verify answers 503 unavailable, never throws or hangs, when the pool points at a dead port", async () => {
    const dead = new pg.Pool({ connectionString: DEAD_URL, connectionTimeoutMillis: 1_000 });
    const errors: unknown[] = [];
    const store = postgresStore({ client: dead, feed: { minDelay: 20, maxDelay: 100, onError: (e) => errors.push(e) } });
    const kw = createKeyward({ store, prefix: "cho", roles, cache: { ttl: 30_000, max: 100 }, storeTimeout: 1_500 });
    for (const candidate of [generateKey("cho").key, "cho_not-even-well-formed"]) {
      const result = await kw.verify(candidate);
      if (result.ok) throw new Error("a dead store must never verify a key");
      // a malformed key is refused before the store is asked; a well-formed one meets the dead store
      if (result.error.code !== "malformed") expect(result.error).toMatchObject({ code: "unavailable", status: 503 });
    }
    await expect(kw.create({ owner: "org_x", label: "y" })).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(store.listening).toBe(false);
    expect(await waitFor(() => errors.length >= 2)).not.toBeNull(); // the feed keeps retrying quietly
    await kw.close();
    await dead.end();
  });

  it("verify answers 503 within storeTimeout when the database hangs", async () => {
    const hanging: PgClient = { query: () => new Promise(() => {}) };
    const kw = createKeyward({ store: postgresStore({ client: hanging }), prefix: "cho", roles, storeTimeout: 100 });
    const { key } = generateKey("cho");
    const result = await kw.verify(key);
    expect(result).toMatchObject({ ok: false, error: { code: "unavailable", status: 503 } });
    await kw.close();
  });

  it("a client that throws, rejects or answers a foreign thenable: lookups reject (never throw), verify answers 503 or finds the key", async () => {
    const notKeyRows = (await db.query<Record<string, unknown>>("SELECT 1 AS one")).rows; // rows, but not a key's
    const clients: [string, PgClient["query"]][] = [
      [
        "throws",
        () => {
          throw new Error("driver bug");
        },
      ],
      ["rejects", () => Promise.reject(new Error("connection reset"))],
      ["answers a malformed row", () => Promise.resolve({ rows: notKeyRows })],
    ];
    for (const [name, query] of clients) {
      const store = postgresStore({ client: { query }, listen: false, autoMigrate: false });
      let answer: Promise<unknown> | undefined;
      expect(() => {
        answer = Promise.resolve(store.findByHash("v1:abc") as Promise<unknown>);
      }, name).not.toThrow();
      await expect(answer, name).rejects.toBeDefined();
      const kw = createKeyward({ store, prefix: "cho", roles });
      expect(await kw.verify(generateKey("cho").key), name).toMatchObject({
        ok: false,
        error: { code: "unavailable", status: 503 },
      });
      await kw.close();
    }
    // a driver answering with its own thenable (not a native promise) is read like a promise
    const migrated = postgresStore({ client: db, listen: false });
    await migrated.migrate();
    const kw = createKeyward({ store: migrated, prefix: "cho", roles });
    const { key, apiKey } = await kw.create({ owner: "org_then", label: "thenable", role: "viewer" });
    const thenable: PgClient["query"] = (text, values) => {
      const real = db.query(text, values);
      // biome-ignore lint/suspicious/noThenProperty: a driver's own thenable, deliberately not a native promise
      return { then: (ok: (v: unknown) => unknown, no: (e: unknown) => unknown) => real.then(ok, no) } as never;
    };
    const viaThenable = createKeyward({
      store: postgresStore({ client: { query: thenable }, listen: false, autoMigrate: false }),
      prefix: "cho",
      roles,
    });
    expect(await viaThenable.verify(key)).toMatchObject({ ok: true, key: { id: apiKey.id } });
    await viaThenable.close();
    await kw.close();
  });

  it("recovers by itself once the database answers again (PGlite behind a switch)", async () => {
    const dead = new pg.Pool({ connectionString: DEAD_URL, connectionTimeoutMillis: 1_000 });
    const sw = switchable(db, dead);
    const store = postgresStore({ client: sw.client, listen: false });
    await store.migrate();
    const kw = createKeyward({ store, prefix: "cho", roles, storeTimeout: 1_500 });
    const { key } = await kw.create({ owner: "org_sw", label: "switch", role: "viewer" });
    expect((await kw.verify(key)).ok).toBe(true);
    sw.fail();
    expect(await kw.verify(key)).toMatchObject({ ok: false, error: { code: "unavailable", status: 503 } });
    sw.heal();
    expect((await kw.verify(key)).ok).toBe(true);
    await kw.close();
    await dead.end();
  });

  it("a failed last-used write never fails a request", async () => {
    const flaky: PgClient = {
      query: (t, v) => (t.includes("last_used_at = v.at") ? Promise.reject(new Error("write failed")) : db.query(t, v)),
    };
    const store = postgresStore({ client: flaky, table: "flaky_keys", listen: false });
    await store.migrate();
    const kw = createKeyward({ store, prefix: "cho", roles, lastUsed: { window: 0, flushDelay: 1 } });
    const { key } = await kw.create({ owner: "org_lu", label: "lu", role: "viewer" });
    for (let i = 0; i < 5; i++) {
      expect((await kw.verify(key)).ok).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    await kw.close();
  });
});

describe.skipIf(!hasServer)("faults on PostgreSQL (DATABASE_URL)", () => {
  const table = uniqueTable("fault");
  let pool: pg.Pool;
  beforeAll(async () => {
    pool = newPool();
    await postgresStore({ client: pool, table }).migrate();
  });
  afterAll(async () => {
    await dropTable(pool, table);
    await pool.end();
  });

  it("recovers by itself once the database answers again (pg Pool behind a switch)", async () => {
    const dead = new pg.Pool({ connectionString: DEAD_URL, connectionTimeoutMillis: 1_000 });
    const sw = switchable(pool, dead);
    const kw = createKeyward({
      store: postgresStore({ client: sw.client, table, listen: false }),
      prefix: "cho",
      roles,
      storeTimeout: 1_500,
    });
    const { key } = await kw.create({ owner: "org_sw", label: "switch", role: "viewer" });
    sw.fail();
    expect(await kw.verify(key)).toMatchObject({ ok: false, error: { code: "unavailable", status: 503 } });
    sw.heal();
    expect((await kw.verify(key)).ok).toBe(true);
    await kw.close();
    await dead.end();
  });

  it("when the LISTEN connection is killed: caches reset, the feed reconnects, propagation resumes", async () => {
    const appName = `kw_feed_${process.pid}`;
    const listenPool = new pg.Pool({ connectionString: DATABASE_URL, application_name: appName, max: 2 });
    const errors: unknown[] = [];
    const storeB = postgresStore({
      client: pool,
      table,
      listen: () => listenPool.connect(),
      feed: { minDelay: 20, maxDelay: 200, onError: (e) => errors.push(e) },
    });
    const a = createKeyward({ store: postgresStore({ client: pool, table, listen: false }), prefix: "cho", roles });
    const b = createKeyward({ store: storeB, prefix: "cho", roles, cache: { ttl: 30_000, max: 1000 } });
    const events: string[] = [];
    const unwatch = await storeB.watch?.(
      withoutOnDown({ onChange: (id) => events.push(id), onReset: () => events.push("reset") }),
    );
    try {
      expect(storeB.listening).toBe(true);
      const { key, apiKey } = await a.create({ owner: "org_drop", label: "drop", role: "viewer" });
      expect((await b.verify(key)).ok).toBe(true);

      const killed = await pool.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", [
        appName,
      ]);
      expect(killed.rowCount).toBeGreaterThan(0);
      expect(await waitFor(() => !storeB.listening)).not.toBeNull(); // dropped: down (this listener, without onDown, is reset)
      const resetsWhileDown = events.filter((e) => e === "reset").length;
      expect(resetsWhileDown).toBeGreaterThanOrEqual(2);
      expect(await waitFor(() => storeB.listening, 10_000)).not.toBeNull();
      expect(events.filter((e) => e === "reset").length).toBeGreaterThan(resetsWhileDown); // live again: reset
      expect(errors.length).toBeGreaterThan(0);

      expect((await b.verify(key)).ok).toBe(true); // cached again on B
      await a.revoke(apiKey.id);
      const ms = await waitFor(async () => !(await b.verify(key)).ok, 5_000, 1);
      console.log(`[keyward/postgres] after a feed reconnect, B refused a revoked key after ${ms?.toFixed(1)} ms`);
      expect(ms).not.toBeNull();
      expect(ms).toBeLessThan(1000);
      expect(events).toContain(apiKey.id);
    } finally {
      await unwatch?.();
      await a.close();
      await b.close();
      await listenPool.end();
    }
  }, 30_000);
});
noteSkip("the fault tests against a real PostgreSQL");
