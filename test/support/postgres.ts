import { PGlite } from "@electric-sql/pglite";
import { type PgClient, type PostgresStore, type PostgresStoreOptions, postgresStore } from "keyward/postgres";
import pg from "pg";

/** The real server to test against, when `DATABASE_URL` is set. */
export const DATABASE_URL = process.env.DATABASE_URL ?? "";
export const hasServer = DATABASE_URL !== "";

const noted = new Set<string>();
/** Says once per file why the real-PostgreSQL tests were skipped. */
export function noteSkip(what: string): void {
  if (hasServer || noted.has(what)) return;
  noted.add(what);
  console.log(
    `[keyward/postgres] skipping ${what}: set DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test) to run it against a real PostgreSQL`,
  );
}

/** A table name no other test run uses. */
export function uniqueTable(label: string): string {
  return `kw_${label}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`.slice(0, 40);
}

/** A pg Pool on DATABASE_URL. */
export function newPool(max = 10): pg.Pool {
  return new pg.Pool({ connectionString: DATABASE_URL, max });
}

/** Drops a test table, its consume function and its migration records. */
export async function dropTable(client: PgClient, table: string, schema = "public"): Promise<void> {
  await client.query(`DROP TABLE IF EXISTS "${schema}"."${table}"`);
  await client.query(`DROP FUNCTION IF EXISTS "${schema}"."${table}_consume"`);
  await client
    .query(`DELETE FROM "${schema}"."keyward_migrations" WHERE target = $1`, [`${schema}.${table}`])
    .catch(() => undefined);
}

/** A fresh in-memory PGlite with a migrated store. */
export async function pgliteStore(
  options: Omit<PostgresStoreOptions, "client"> = {},
): Promise<{ db: PGlite; store: PostgresStore }> {
  const db = new PGlite();
  const store = postgresStore({ client: db, ...options });
  await store.migrate();
  return { db, store };
}

/** Polls `check` every `every` ms until it is true or `within` ms passed; returns the elapsed ms or null. */
export async function waitFor(check: () => boolean | Promise<boolean>, within = 5_000, every = 2): Promise<number | null> {
  const start = performance.now();
  while (performance.now() - start < within) {
    if (await check()) return performance.now() - start;
    await new Promise((resolve) => setTimeout(resolve, every));
  }
  return null;
}

/** The 48-character random part of a raw key. */
export function secretOf(rawKey: string): string {
  const body = rawKey.slice(rawKey.lastIndexOf("_") + 1);
  return body.slice(0, 48);
}
