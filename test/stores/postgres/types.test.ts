import type { PGlite } from "@electric-sql/pglite";
import type { KeyStore } from "keyward";
import type { PgClient, PgListenConnection, PgListenFactory, PostgresStore, postgresStore } from "keyward/postgres";
import type pg from "pg";
import { describe, expectTypeOf, it } from "vitest";

describe("postgresStore types", () => {
  it("takes node-postgres Pool, Client and PoolClient, and PGlite, as the client", () => {
    expectTypeOf<pg.Pool>().toExtend<PgClient>();
    expectTypeOf<pg.Client>().toExtend<PgClient>();
    expectTypeOf<pg.PoolClient>().toExtend<PgClient>();
    expectTypeOf<PGlite>().toExtend<PgClient>();
  });

  it("takes a pg Client or PoolClient as the dedicated LISTEN connection", () => {
    expectTypeOf<pg.Client>().toExtend<PgListenConnection>();
    expectTypeOf<pg.PoolClient>().toExtend<PgListenConnection>();
    expectTypeOf<() => Promise<pg.PoolClient>>().toExtend<PgListenFactory>();
  });

  it("is a KeyStore with migrate() and feed status", () => {
    expectTypeOf<PostgresStore>().toExtend<KeyStore>();
    expectTypeOf<ReturnType<typeof postgresStore>>().toEqualTypeOf<PostgresStore>();
    expectTypeOf<PostgresStore["migrate"]>().returns.resolves.toEqualTypeOf<{ version: number }>();
    expectTypeOf<PostgresStore["listening"]>().toEqualTypeOf<boolean>();
  });

  it("refuses what cannot run a query", () => {
    expectTypeOf<{ execute(sql: string): Promise<unknown> }>().not.toExtend<PgClient>();
    expectTypeOf<{ query(sql: string): string }>().not.toExtend<PgClient>();
  });
});
