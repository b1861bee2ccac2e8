import { PGlite } from "@electric-sql/pglite";
import { ConfigError, createKeyward } from "keyward";
import { migrate, migrations, migrationsFor, postgresStore, SCHEMA_VERSION, schemaSql, schemaVersion } from "keyward/postgres";
import { makeRecord } from "keyward/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dropTable, hasServer, newPool, noteSkip, uniqueTable } from "../../support/postgres.js";

async function indexes(
  client: { query(t: string, v?: unknown[]): Promise<{ rows: { indexdef: string }[] }> },
  table: string,
  schema = "public",
) {
  const { rows } = await client.query(
    "SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = $2 ORDER BY indexname",
    [schema, table],
  );
  return rows.map((r) => r.indexdef);
}

describe("identifiers", () => {
  const client = { query: async () => ({ rows: [] }) };
  it.each([
    ["table", { table: "keys; DROP TABLE users" }],
    ["table", { table: 'a"b' }],
    ["table", { table: "Keys" }],
    ["table", { table: "1keys" }],
    ["table", { table: "" }],
    ["table", { table: "k".repeat(41) }],
    ["table", { table: "keyward_migrations" }],
    ["schema", { schema: "public.x" }],
    ["schema", { schema: "s p" }],
    ["channel", { channel: "chan-nel" }],
    ["listen", { listen: "yes" }],
    ["feed.timeout", { feed: { timeout: 0 } }],
    ["feed.maxDelay", { feed: { maxDelay: Number.NaN } }],
  ])("rejects a bad %s at construction with ConfigError (%j)", (_what, options) => {
    expect(() => postgresStore({ client, ...(options as object) })).toThrow(ConfigError);
  });

  it("rejects a client without query()", () => {
    // @ts-expect-error deliberately wrong
    expect(() => postgresStore({ client: {} })).toThrow(ConfigError);
  });

  it("accepts plain lowercase identifiers and quotes them", () => {
    const store = postgresStore({ client, table: "api_keys", schema: "auth" });
    expect(store.table).toBe('"auth"."api_keys"');
    expect(store.channel).toBe("api_keys_changes");
    expect(() => schemaSql({ table: "x y" })).toThrow(ConfigError);
  });

  it("has no change feed for a plain query client, and none when listen is false", () => {
    expect(postgresStore({ client }).watch).toBeUndefined();
    const pgliteLike = { ...client, listen: async () => async () => {} };
    expect(postgresStore({ client: pgliteLike }).watch).toBeTypeOf("function");
    expect(postgresStore({ client: pgliteLike, listen: false }).watch).toBeUndefined();
  });
});

describe("migration SQL as plain strings", () => {
  it("exports versioned, idempotent DDL for the default and for a custom table", () => {
    expect(migrations.map((m) => m.version)).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
    const custom = migrationsFor({ table: "api_keys", schema: "auth" });
    expect(custom[0]?.sql).toContain('CREATE TABLE IF NOT EXISTS "auth"."api_keys"');
    expect(custom[0]?.sql).toContain('CREATE UNIQUE INDEX IF NOT EXISTS "api_keys_hash_key"');
    expect(custom[0]?.sql).toContain("(owner, created_at DESC, id DESC)");
    const script = schemaSql({ table: "api_keys", schema: "auth" });
    expect(script).toContain("pg_advisory_xact_lock");
    expect(script).toContain('CREATE SCHEMA IF NOT EXISTS "auth"');
    expect(script).toContain('"auth"."keyward_migrations"');
  });
});

describe("migrations on PGlite", () => {
  let db: PGlite;
  beforeAll(() => {
    db = new PGlite();
  });
  afterAll(async () => {
    await db.close();
  });

  it("are idempotent, record the version and create both indexes", async () => {
    expect(await schemaVersion(db)).toBe(0);
    expect(await migrate(db)).toEqual({ version: SCHEMA_VERSION });
    expect(await migrate(db)).toEqual({ version: SCHEMA_VERSION });
    await postgresStore({ client: db }).migrate();
    const { rows } = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM keyward_migrations WHERE target = 'public.keyward_keys'",
    );
    expect(rows[0]?.n).toBe(SCHEMA_VERSION);
    const defs = await indexes(db as never, "keyward_keys");
    expect(defs.some((d) => /UNIQUE INDEX .* \(hash\)/.test(d))).toBe(true);
    expect(defs.some((d) => d.includes("(owner, created_at DESC, id DESC)"))).toBe(true);
  });

  it("run concurrently without error and keep existing rows", async () => {
    const store = postgresStore({ client: db, table: "api_keys", schema: "auth" });
    const results = await Promise.all([store.migrate(), store.migrate(), migrate(db, { table: "api_keys", schema: "auth" })]);
    expect(results.every((r) => r.version === SCHEMA_VERSION)).toBe(true);
    const r = makeRecord();
    await store.insert(r);
    await store.migrate();
    expect(await store.get(r.id)).toEqual(r);
  });

  it("applies schemaSql() as a plain script, after which migrate() has nothing to do", async () => {
    await db.exec(schemaSql({ table: "tool_keys" }));
    expect(await schemaVersion(db, { table: "tool_keys" })).toBe(SCHEMA_VERSION);
    await db.exec(schemaSql({ table: "tool_keys" })); // twice is fine
    expect(await migrate(db, { table: "tool_keys" })).toEqual({ version: SCHEMA_VERSION });
  });

  it("leaves the session's client_min_messages as it was", async () => {
    const show = async () =>
      (await db.query<{ client_min_messages: string }>("SHOW client_min_messages")).rows[0]?.client_min_messages;
    const before = await show();
    await migrate(db, { table: "quiet_keys" });
    expect(await show()).toBe(before);
  });
});

describe.skipIf(!hasServer)("migrations on PostgreSQL (DATABASE_URL)", () => {
  const tables = [uniqueTable("mig"), uniqueTable("mig"), uniqueTable("mig")];
  const schema = `kw_schema_${process.pid}`;
  let pool: ReturnType<typeof newPool>;
  beforeAll(() => {
    pool = newPool(20);
  });
  afterAll(async () => {
    for (const t of tables) await dropTable(pool, t);
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  });

  it("two instances (separate pools) migrating at once both succeed, once per version", async () => {
    const table = tables[0] as string;
    const pools = [newPool(2), newPool(2), newPool(2), newPool(2)];
    try {
      const results = await Promise.all(pools.map((p) => postgresStore({ client: p, table }).migrate()));
      expect(results).toEqual(pools.map(() => ({ version: SCHEMA_VERSION })));
      const { rows } = await pool.query("SELECT version FROM keyward_migrations WHERE target = $1 ORDER BY version", [
        `public.${table}`,
      ]);
      expect(rows.map((r) => r.version)).toEqual(migrations.map((m) => m.version));
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  it("are idempotent and keep existing rows", async () => {
    const table = tables[1] as string;
    const store = postgresStore({ client: pool, table });
    await store.migrate();
    const r = makeRecord();
    await store.insert(r);
    expect(await store.migrate()).toEqual({ version: SCHEMA_VERSION });
    expect(await migrate(pool, { table })).toEqual({ version: SCHEMA_VERSION });
    expect(await store.get(r.id)).toEqual(r);
  });

  it("create a custom schema and both indexes", async () => {
    const table = tables[2] as string;
    await Promise.all([migrate(pool, { table, schema }), migrate(pool, { table, schema })]);
    const defs = await indexes(pool, table, schema);
    expect(defs.some((d) => /UNIQUE INDEX .* \(hash\)/.test(d))).toBe(true);
    expect(defs.some((d) => d.includes("(owner, created_at DESC, id DESC)"))).toBe(true);
  });
});
noteSkip("migrations against a real PostgreSQL");

describe("postgresStore without an explicit migrate()", () => {
  it("creates its schema once, before the first operation, and works at once", async () => {
    const db = new PGlite();
    await db.waitReady; // the database itself starting is not what this measures
    const store = postgresStore({ client: db, table: "auto_keys" });
    // the first call migrates within its deadline: generous, so a loaded machine does not fail it
    const kw = createKeyward({ store, prefix: "cho", storeTimeout: 15_000 });
    const [a, b] = await Promise.all([kw.create({ owner: "o", label: "a" }), kw.create({ owner: "o", label: "b" })]);
    expect((await kw.verify(a.key)).ok).toBe(true);
    expect((await kw.verify(b.key)).ok).toBe(true);
    const versions = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM keyward_migrations");
    expect(versions.rows[0]?.n).toBeGreaterThan(0);
    await kw.close();
    await db.close();
  });

  it("with autoMigrate: false leaves the schema to the application: operations fail until it is applied", async () => {
    const db = new PGlite();
    const store = postgresStore({ client: db, table: "manual_keys", autoMigrate: false, listen: false });
    await expect(Promise.resolve(store.get("x"))).rejects.toBeTruthy();
    await db.exec(schemaSql({ table: "manual_keys" }));
    expect(await store.get("x")).toBeNull();
    await db.close();
  });
});
