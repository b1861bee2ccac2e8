import { PGlite } from "@electric-sql/pglite";
import { type PostgresStore, postgresStore } from "keyward/postgres";
import { storeConformance } from "keyward/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dropTable, hasServer, newPool, noteSkip, uniqueTable } from "../../support/postgres.js";

describe("postgresStore on PGlite (in-memory)", () => {
  let db: PGlite;
  let store: PostgresStore;
  beforeAll(async () => {
    db = new PGlite();
    store = postgresStore({ client: db });
    await store.migrate();
  });
  afterAll(async () => {
    await db.close();
  });

  storeConformance({ name: "postgresStore (PGlite)", store: () => store, describe, it, expect });
});

describe.skipIf(!hasServer)("postgresStore on PostgreSQL (DATABASE_URL)", () => {
  const table = uniqueTable("conf");
  let pool: ReturnType<typeof newPool>;
  let store: PostgresStore;
  beforeAll(async () => {
    pool = newPool();
    store = postgresStore({ client: pool, table });
    await store.migrate();
  });
  afterAll(async () => {
    await dropTable(pool, table);
    await pool.end();
  });

  storeConformance({ name: "postgresStore (pg Pool)", store: () => store, describe, it, expect });
});
noteSkip("the conformance suite against a real PostgreSQL");
