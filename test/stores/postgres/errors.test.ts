/**
 * The Postgres store's errors follow the one convention of every store: a
 * `StoreError` with a stable code — `duplicate_record`, `invalid_record` for
 * a value PostgreSQL refuses or a time the column cannot hold,
 * `damaged_record` for a row it cannot read back — naming no hash or value.
 * On PGlite, and on PostgreSQL when DATABASE_URL is set.
 */
import { PGlite } from "@electric-sql/pglite";
import { createKeyward, type KeyRecord, StoreError, StoreUnavailableError } from "keyward";
import { DuplicateRecordError, type PgClient, type PostgresStore, postgresStore } from "keyward/postgres";
import { makeRecord } from "keyward/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dropTable, hasServer, newPool, uniqueTable } from "../../support/postgres.js";

/** What `call` threw or rejected with. */
async function failure(call: () => unknown): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

const NUL = "\u0000";

const cases: [string, () => { store: PostgresStore; client: PgClient; table: string }][] = [];
{
  let db: PGlite;
  beforeAll(() => {
    db = new PGlite();
  });
  afterAll(async () => {
    await db.close();
  });
  const table = uniqueTable("err");
  cases.push(["PGlite", () => ({ store: postgresStore({ client: db, table }), client: db as unknown as PgClient, table })]);
}
if (hasServer) {
  let pool: ReturnType<typeof newPool>;
  const table = uniqueTable("err");
  beforeAll(() => {
    pool = newPool(2);
  });
  afterAll(async () => {
    await dropTable(pool, table);
    await pool.end();
  });
  cases.push(["PostgreSQL", () => ({ store: postgresStore({ client: pool, table }), client: pool, table })]);
}

describe.each(cases)("postgresStore errors (%s)", (_name, setup) => {
  it("a duplicate id or hash is a StoreError with code duplicate_record naming no hash; DuplicateRecordError (deprecated) still matches it", async () => {
    const { store } = setup();
    const record = makeRecord({ hash: "v1:do-not-echo-this-hash" });
    await store.insert(record);
    for (const duplicate of [makeRecord({ id: record.id }), makeRecord({ hash: record.hash })]) {
      const error = await failure(() => store.insert(duplicate));
      expect(error).toBeInstanceOf(StoreError);
      expect(error).toMatchObject({ name: "StoreError", code: "duplicate_record" });
      expect(error).toBeInstanceOf(DuplicateRecordError);
      expect(JSON.stringify(error) + String(error) + String((error as Error).stack)).not.toContain("do-not-echo");
      expect((error as Error).cause).toBeUndefined(); // the driver's error, whose detail names the hash, is not kept
    }
    const taken = makeRecord();
    await store.insert(taken);
    const error = await failure(() => store.rotate(record.id, makeRecord({ owner: record.owner, hash: taken.hash }), 1));
    expect(error).toMatchObject({ code: "duplicate_record" });
    expect(await store.get(record.id)).toEqual(record);
  });

  it.each<[string, Partial<KeyRecord>]>([
    ["\\u0000 in the label", { label: `a${NUL}b` }],
    ["\\u0000 in the owner", { owner: `org${NUL}` }],
    ["\\u0000 in a metadata string", { metadata: { note: `x${NUL}y` } }],
    ["a NaN time", { expiresAt: Number.NaN }],
    ["a time beyond 2^53 ms", { createdAt: 2 ** 60 }],
  ])("a record with %s is refused with code invalid_record, naming no value, writing nothing", async (_what, fields) => {
    const { store } = setup();
    const record = makeRecord({ hash: "v1:do-not-echo-this-hash-either", ...fields });
    const error = await failure(() => store.insert(record));
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ code: "invalid_record" });
    expect(String(error)).not.toContain("do-not-echo");
    expect(await store.get(record.id)).toBeNull();
  });

  it("an update PostgreSQL refuses is invalid_record and leaves the record as it was", async () => {
    const { store } = setup();
    const record = makeRecord();
    await store.insert(record);
    const error = await failure(() => store.update(record.id, { label: `bad${NUL}` }));
    expect(error).toMatchObject({ code: "invalid_record" });
    expect(await store.get(record.id)).toEqual(record);
  });

  it("a row it cannot read back is damaged_record; keyward fails closed on it with StoreUnavailableError", async () => {
    const { store, client, table } = setup();
    const kw = createKeyward({ store, prefix: "kw", lastUsed: false });
    const { apiKey } = await kw.create({ owner: "org_damaged", label: "k" });
    await client.query(`UPDATE "${table}" SET metadata = '[1, 2]'::jsonb WHERE id = $1`, [apiKey.id]);
    const error = await failure(() => store.get(apiKey.id));
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ code: "damaged_record", message: expect.stringContaining("metadata") });
    const managed = await failure(() => kw.get(apiKey.id));
    expect(managed).toBeInstanceOf(StoreUnavailableError);
    expect((managed as StoreUnavailableError).cause).toMatchObject({ code: "damaged_record" });
    await kw.close();
  });
});
