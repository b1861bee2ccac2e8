import { PGlite } from "@electric-sql/pglite";
import { migrationsFor, type PgClient, type PostgresStore, postgresStore } from "keyward/postgres";
import { makeRecord } from "keyward/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dropTable, hasServer, newPool, noteSkip, uniqueTable } from "../../support/postgres.js";
import {
  type ConsumingStore,
  differential,
  exactCredits,
  exactLimit,
  oneRefill,
  oneRoundTrip,
} from "../../support/usage-stores.js";

/** The schema these tests use on a real server, so they never meet another run's tables. */
const SCHEMA = "kw_usage";

interface Database {
  /** A new client on the database (a pool on a server; the one PGlite otherwise), counting statements. */
  client(): PgClient & { sent: number };
  table: string;
  schema?: string;
  close(): Promise<void>;
}

const counting = (base: PgClient): PgClient & { sent: number } => {
  const c = {
    sent: 0,
    query: (text: string, values?: unknown[]) => {
      c.sent += 1;
      return base.query(text, values);
    },
  };
  return c;
};

function usageSuite(name: string, open: () => Promise<Database>) {
  describe(name, () => {
    let db: Database;
    const stores: ConsumingStore[] = [];
    const counted: (PgClient & { sent: number })[] = [];
    // the third instance commits its usage writes asynchronously: exactness must not depend on it
    const storeOn = (client: PgClient, i: number): PostgresStore =>
      postgresStore({
        client,
        table: db.table,
        schema: db.schema,
        listen: false,
        usageCommit: i === 2 ? "asynchronous" : "synchronous",
      });
    beforeAll(async () => {
      db = await open();
      for (let i = 0; i < 3; i++) {
        const client = db.client();
        counted.push(client);
        const store = storeOn(client, i);
        await store.migrate();
        stores.push(store as ConsumingStore);
      }
    });
    afterAll(async () => {
      await db.close();
    });

    it("round-trips the usage fields through insert, get, findByHash and rotate; a key without them has none", async () => {
      const [store] = stores as [ConsumingStore];
      const plain = makeRecord();
      const full = makeRecord({
        ratelimit: { limit: 100, window: 60_000 },
        credits: { remaining: 500, refill: { amount: 500, interval: 86_400_000 }, refilledAt: 1_700_000_000_000 },
        allowedIps: ["10.0.0.0/8", "2001:db8::/32"],
      });
      const once = makeRecord({ credits: { remaining: 7, refill: null, refilledAt: null } });
      for (const r of [plain, full, once]) await store.insert(r);
      for (const r of [plain, full, once]) {
        expect(await store.get(r.id)).toEqual(r);
        expect(await store.findByHash(r.hash)).toEqual(r);
      }
      const plainRead = await store.get(plain.id);
      expect(plainRead && "credits" in plainRead).toBe(false);
      const next = makeRecord({ owner: full.owner, ratelimit: { limit: 5, window: 1_000 }, allowedIps: ["192.0.2.7"] });
      expect(await store.rotate(full.id, next, 1_900_000_000_000)).toMatchObject({ credits: full.credits, rotatedTo: next.id });
      expect(await store.get(next.id)).toEqual(next);
      expect(await store.consume(next.hash, { now: 1, cost: 1, ratelimit: null })).toEqual({
        ok: true,
        reason: null,
        window: null,
        credits: null,
      });
    });

    it("refuses a usage field it cannot hold exactly with invalid_record", async () => {
      const [store] = stores as [ConsumingStore];
      const bad = makeRecord({ credits: { remaining: 1.5, refill: null, refilledAt: null } });
      await expect(Promise.resolve(store.insert(bad))).rejects.toMatchObject({ code: "invalid_record" });
      expect(await store.get(bad.id)).toBeNull();
    });

    it("answers every consume exactly as consumeUsage() does (random sequences)", async () => {
      await differential(async () => stores[0] as ConsumingStore);
    }, 120_000);

    it("limit 100: 64 concurrent clients on 3 store instances → exactly 100 accepted", async () => {
      await exactLimit(stores);
    }, 60_000);

    it("credits 1,000 spent with random costs 64-way: never negative, accepted costs sum to exactly 1,000", async () => {
      await exactCredits(stores);
    }, 60_000);

    it("at a refill boundary 64 concurrent clients see exactly one refill", async () => {
      await oneRefill(stores);
    }, 60_000);

    it("costs exactly one statement per consume", async () => {
      await oneRoundTrip(stores[1] as ConsumingStore, () => counted[1]?.sent ?? 0);
    });
  });
}

describe("postgresStore({ usageCommit })", () => {
  it('"asynchronous" turns synchronous_commit off for the consume\'s own transaction, "synchronous" leaves it on', async () => {
    const db = new PGlite();
    try {
      const store = postgresStore({ client: db, listen: false });
      await store.migrate();
      const record = makeRecord({ ratelimit: { limit: 10, window: 60_000 } });
      await store.insert(record);
      for (const asynchronous of [true, false]) {
        await db.query("BEGIN");
        await db.query('SELECT * FROM "public"."keyward_keys_consume"($1, $2, 1, 10, 60000, $3)', [
          record.hash,
          Date.now(),
          asynchronous,
        ]);
        const inside = await db.query<{ synchronous_commit: string }>("SHOW synchronous_commit");
        await db.query("COMMIT");
        const after = await db.query<{ synchronous_commit: string }>("SHOW synchronous_commit");
        expect([inside.rows[0]?.synchronous_commit, after.rows[0]?.synchronous_commit]).toEqual([
          asynchronous ? "off" : "on",
          "on",
        ]);
      }
    } finally {
      await db.close();
    }
  });

  it("refuses anything but the two modes", () => {
    expect(() => postgresStore({ client: { query: async () => ({ rows: [] }) }, usageCommit: "fast" as "asynchronous" })).toThrow(
      /usageCommit/,
    );
  });
});

usageSuite("usage control on PGlite", async () => {
  const pglite = new PGlite();
  return { client: () => counting(pglite), table: "keyward_keys", close: () => pglite.close() };
});

/** A table of its own in SCHEMA on the server, each client a pool made by `pool`. */
async function serverDatabase(label: string, pool: () => pg.Pool): Promise<Database> {
  const admin = newPool(2);
  await admin.query(`CREATE SCHEMA IF NOT EXISTS "${SCHEMA}"`);
  const pools: pg.Pool[] = [admin];
  const table = uniqueTable(label);
  return {
    client: () => {
      const p = pool();
      pools.push(p);
      return counting(p);
    },
    table,
    schema: SCHEMA,
    close: async () => {
      await dropTable(admin, table, SCHEMA);
      await Promise.all(pools.map((p) => p.end()));
    },
  };
}

describe.skipIf(!hasServer)("on PostgreSQL (DATABASE_URL)", () => {
  usageSuite("usage control on PostgreSQL, 3 pools", () => serverDatabase("usage", () => newPool(8)));
});

const PGBOUNCER_URL = process.env.PGBOUNCER_URL ?? "";

// named prepared statements break behind a transaction pooler; the consume function must not
describe.skipIf(!hasServer || !PGBOUNCER_URL)("behind PgBouncer in transaction mode (PGBOUNCER_URL)", () => {
  usageSuite("usage control through PgBouncer, 3 pools", () =>
    serverDatabase("usage_bouncer", () => {
      const pool = new pg.Pool({ connectionString: PGBOUNCER_URL, max: 8 });
      pool.on("error", () => {});
      return pool;
    }),
  );
});
noteSkip("usage control against a real PostgreSQL");

describe("consume answers the store cannot read", () => {
  const storeAnswering = (rows: unknown[]) =>
    postgresStore({ client: { query: async () => ({ rows }) }, autoMigrate: false, listen: false });
  const request = { now: 1, cost: 1, ratelimit: { limit: 1, window: 10 } };

  it("is null when no row matched", async () => {
    expect(await storeAnswering([]).consume("v1:x", request)).toBeNull();
  });

  it.each([
    ["no outcome", { usage_outcome: null }],
    ["an unknown outcome", { usage_outcome: 9 }],
    ["a count that is not a number", { usage_outcome: 0, rl_start: "1", rl_count: "many", rl_prev: "0" }],
  ])("fails closed with damaged_record on a row with %s", async (_what, row) => {
    await expect(storeAnswering([row]).consume("v1:x", request)).rejects.toMatchObject({ code: "damaged_record" });
  });
});

describe("a schema your own tool left at version 2 (autoMigrate: false)", () => {
  it("still answers consume exactly, with the statement itself: one extra statement once, then one per call", async () => {
    const db = new PGlite();
    for (const m of migrationsFor({ table: "tool_keys" }).slice(0, 2)) await db.exec(m.sql);
    const client = counting(db);
    const store = postgresStore({ client, table: "tool_keys", autoMigrate: false, listen: false });
    const record = makeRecord({ credits: { remaining: 1, refill: null, refilledAt: null } });
    await store.insert(record);
    const ratelimit = { limit: 5, window: 1_000 };
    let before = client.sent;
    expect(await store.consume(record.hash, { now: 10, cost: 1, ratelimit })).toMatchObject({ ok: true, window: { count: 1 } });
    expect(client.sent - before).toBe(2); // the function is missing: the same UPDATE, sent as is
    before = client.sent;
    expect(await store.consume(record.hash, { now: 11, cost: 1, ratelimit })).toMatchObject({ reason: "usage_exceeded" });
    expect(client.sent - before).toBe(1);
    await db.close();
  });
});

describe("migrations 2 and 3 on a table created by version 1", () => {
  it("adds the usage columns and keeps the old rows, which read back without usage fields", async () => {
    const db = new PGlite();
    const v1 = migrationsFor({ table: "old_keys" })[0]?.sql as string;
    await db.exec(v1);
    await db.query(
      "CREATE TABLE keyward_migrations (target text NOT NULL, version integer NOT NULL, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (target, version))",
    );
    await db.query("INSERT INTO keyward_migrations (target, version, name) VALUES ('public.old_keys', 1, 'create keys table')");
    await db.query(
      `INSERT INTO old_keys (id, owner, label, key_prefix, last4, hash, created_at) VALUES ('old-1', 'o', 'old', 'cho_x', 'abcd', 'v1:old', 1700000000000)`,
    );
    const store = postgresStore({ client: db, table: "old_keys", listen: false });
    expect(await store.migrate()).toEqual({ version: 3 });
    const old = await store.get("old-1");
    expect(old?.label).toBe("old");
    expect(old && ("ratelimit" in old || "credits" in old || "allowedIps" in old)).toBe(false);
    expect(await store.consume?.("v1:old", { now: 5, cost: 1, ratelimit: { limit: 1, window: 10 } })).toEqual({
      ok: true,
      reason: null,
      window: { start: 5, count: 1, prev: 0 },
      credits: null,
    });
    await db.close();
  });
});
