/**
 * SECURITY 37 at the storage layer: the rows and Redis keys keyward 0.1.0
 * wrote (test/fixtures/golden-v1-stores.json, made by make-golden-stores.ts
 * from the records of golden-v1.json) are loaded verbatim — PostgreSQL into
 * a table created by the version-1 migration and then migrated to the
 * current version — and every golden key must verify (or be refused) exactly
 * as recorded. test/core/golden.test.ts covers the key format and hashing on
 * the store-neutral records; this covers each store's own encoding.
 */
import { readFileSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { createKeyward, type KeyStore } from "keyward";
import { migrationsFor, type PgClient, postgresStore, SCHEMA_VERSION } from "keyward/postgres";
import { redisStore } from "keyward/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dropTable, hasServer, newPool, noteSkip, uniqueTable } from "../support/postgres.js";
import { cleanup, ioredis, noteSkip as noteRedisSkip, REDIS_URL, sendOf, uniquePrefix } from "../support/redis.js";

interface Golden {
  prefix: string;
  pepper: string;
  roles: Record<string, string[]>;
  cases: { name: string; key: string; peppered: boolean; expect: { ok: true; scopes: string[] } | { ok: false; code: string } }[];
  records: { id: string; label: string; keyPrefix: string; last4: string; owner: string }[];
}
interface GoldenStores {
  postgres: { schemaVersion: number; table: string; rows: Record<string, unknown>[] };
  redis: {
    prefix: string;
    keys: { name: string; type: "hash" | "string" | "zset"; value: Record<string, string> | string | [string, string][] }[];
  };
}

const read = <T>(name: string): T => JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8")) as T;
const golden = read<Golden>("golden-v1.json");
const stored = read<GoldenStores>("golden-v1-stores.json");
const now = () => Date.UTC(2026, 0, 1);

/** Every golden key, through a plain and a peppered instance on `store`, as recorded; and the records list as stored. */
function goldenSuite(open: () => Promise<{ store: KeyStore; close: () => Promise<void> }>) {
  let store: KeyStore;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ store, close } = await open());
  });
  afterAll(async () => {
    await close?.();
  });
  const instance = (peppered: boolean) =>
    createKeyward({
      store,
      prefix: golden.prefix,
      roles: golden.roles,
      now,
      lastUsed: false,
      ...(peppered && { pepper: golden.pepper }),
    });

  it.each(golden.cases.map((c) => [c.name, c] as const))("%s verifies exactly as recorded", async (_name, c) => {
    const result = await instance(c.peppered).verify(c.key);
    if (c.expect.ok) expect(result).toMatchObject({ ok: true, scopes: c.expect.scopes });
    else expect(result).toMatchObject({ ok: false, error: { code: c.expect.code, status: 401 } });
  });

  it("every stored record reads back with its display fields, and the owner's list holds them all", async () => {
    const kw = instance(false);
    for (const r of golden.records) {
      expect(await kw.get(r.id)).toMatchObject({
        id: r.id,
        label: r.label,
        keyPrefix: r.keyPrefix,
        last4: r.last4,
        owner: r.owner,
      });
    }
    expect((await kw.list("org_golden", { limit: 100 })).data.map((k) => k.id).sort()).toEqual(
      golden.records.map((r) => r.id).sort(),
    );
  });

  it("a golden key can still be managed: revoke takes effect on the old record", async () => {
    const c = golden.cases.find((x) => x.expect.ok && !x.peppered) as Golden["cases"][number];
    const kw = instance(false);
    const record = golden.records[golden.cases.indexOf(c)] as Golden["records"][number];
    expect((await kw.verify(c.key)).ok).toBe(true);
    await kw.revoke(record.id);
    expect(await kw.verify(c.key)).toMatchObject({ ok: false, error: { code: "revoked" } });
  });
}

describe("the golden fixtures themselves", () => {
  it("hold the same records in both layouts: one row and one record hash per golden record", () => {
    expect(stored.postgres.schemaVersion).toBe(1);
    expect(stored.postgres.rows.map((r) => r.id).sort()).toEqual(golden.records.map((r) => r.id).sort());
    const recordKeys = stored.redis.keys.filter((k) => k.name.startsWith("rec:"));
    expect(recordKeys.map((k) => (k.value as Record<string, string>).id).sort()).toEqual(golden.records.map((r) => r.id).sort());
    expect(stored.redis.keys.filter((k) => k.name.startsWith("id:"))).toHaveLength(golden.records.length);
    expect(stored.redis.keys.filter((k) => k.name.startsWith("own:"))).toHaveLength(1);
  });
});

/** Creates the table as version 1 did, inserts the golden rows verbatim, then lets the current store migrate it. */
async function loadPostgres(client: PgClient, table: string): Promise<KeyStore> {
  const [v1] = migrationsFor({ table });
  // one statement at a time: PGlite's query() runs a single statement
  for (const statement of (v1 as { sql: string }).sql.split(/;\s*(?:\n|$)/).filter((s) => s.trim() !== "")) {
    await client.query(statement);
  }
  await client.query(
    `INSERT INTO "public"."${table}" SELECT * FROM jsonb_populate_recordset(NULL::"public"."${table}", $1::jsonb)`,
    [JSON.stringify(stored.postgres.rows)],
  );
  const store = postgresStore({ client, table, listen: false });
  expect(await store.migrate()).toEqual({ version: SCHEMA_VERSION });
  return store;
}

describe("golden PostgreSQL rows on PGlite", () => {
  goldenSuite(async () => {
    const db = new PGlite();
    const store = await loadPostgres(db, "keyward_keys");
    return { store, close: () => db.close() };
  });
});

describe.skipIf(!hasServer)("golden PostgreSQL rows on PostgreSQL (DATABASE_URL)", () => {
  goldenSuite(async () => {
    const pool = newPool(4);
    const table = uniqueTable("golden");
    const store = await loadPostgres(pool, table);
    return {
      store,
      close: async () => {
        await dropTable(pool, table);
        await pool.end();
      },
    };
  });
});
noteSkip("the golden rows against a real PostgreSQL");

describe.skipIf(!REDIS_URL)("golden Redis keys (REDIS_URL)", () => {
  goldenSuite(async () => {
    const client = ioredis();
    const send = sendOf(client);
    const prefix = uniquePrefix("golden");
    for (const { name, type, value } of stored.redis.keys) {
      const full = `${prefix}:${name}`;
      if (type === "hash") await send(["HSET", full, ...Object.entries(value as Record<string, string>).flat()]);
      else if (type === "string") await send(["SET", full, value as string]);
      else await send(["ZADD", full, ...(value as [string, string][]).flatMap(([member, score]) => [score, member])]);
    }
    return {
      store: redisStore({ sendCommand: send, prefix }),
      close: async () => {
        await cleanup(send, prefix);
        client.disconnect();
      },
    };
  });
});
noteRedisSkip("golden-stores");
