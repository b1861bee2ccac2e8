import { type PgClient, sqlState } from "./client.js";
import { consumeFunctionSql } from "./consume.js";
import { type Names, quote, resolveNames, type TableOptions } from "./names.js";

/**
 * One versioned schema change. `sql` is plain, idempotent DDL (safe to run twice).
 *
 * @example
 * ```ts
 * const first: Migration = migrations[0]!; // { version: 1, name: "create keys table", sql: "CREATE TABLE IF NOT EXISTS …" }
 * ```
 */
export interface Migration {
  /** 1, 2, 3… applied in order. */
  version: number;
  /** What it does, recorded in the migrations table. */
  name: string;
  /** The statements, for the table and schema it was generated for. */
  sql: string;
}

/**
 * Outcome of {@link migrate}.
 *
 * @example
 * ```ts
 * const { version }: MigrateResult = await store.migrate();
 * ```
 */
export interface MigrateResult {
  /** Schema version of the table after the call. */
  version: number;
}

/**
 * Key for `pg_advisory_xact_lock`, shared by every keyward migration so two
 * instances starting at once (for any table) apply changes one at a time.
 *
 * @example
 * ```ts
 * await pool.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK_KEY]); // inside your own migration transaction
 * ```
 */
export const MIGRATION_LOCK_KEY = 4_732_118_355_912_845;

function steps(n: Names): Migration[] {
  return [
    {
      version: 1,
      name: "create keys table",
      sql: `CREATE TABLE IF NOT EXISTS ${n.qualified} (
  id           text COLLATE "C" PRIMARY KEY,
  owner        text COLLATE "C" NOT NULL,
  label        text NOT NULL,
  key_prefix   text NOT NULL,
  last4        text NOT NULL,
  hash         text COLLATE "C" NOT NULL,
  scopes       text[] NOT NULL DEFAULT '{}',
  role         text,
  created_by   text,
  created_at   bigint NOT NULL,
  expires_at   bigint,
  disabled_at  bigint,
  revoked_at   bigint,
  last_used_at bigint,
  rotated_from text COLLATE "C",
  rotated_to   text COLLATE "C",
  metadata     jsonb NOT NULL DEFAULT '{}'
) WITH (fillfactor = 90);
CREATE UNIQUE INDEX IF NOT EXISTS ${quote(n.hashIndex)} ON ${n.qualified} (hash);
CREATE INDEX IF NOT EXISTS ${quote(n.ownerIndex)} ON ${n.qualified} (owner, created_at DESC, id DESC);`,
    },
    {
      version: 2,
      name: "add usage control columns",
      sql: `ALTER TABLE ${n.qualified}
  ADD COLUMN IF NOT EXISTS ratelimit_limit         bigint,
  ADD COLUMN IF NOT EXISTS ratelimit_window        bigint,
  ADD COLUMN IF NOT EXISTS credits_remaining       bigint,
  ADD COLUMN IF NOT EXISTS credits_refill_amount   bigint,
  ADD COLUMN IF NOT EXISTS credits_refill_interval bigint,
  ADD COLUMN IF NOT EXISTS credits_refilled_at     bigint,
  ADD COLUMN IF NOT EXISTS allowed_ips             text[],
  ADD COLUMN IF NOT EXISTS rl_start                bigint,
  ADD COLUMN IF NOT EXISTS rl_count                bigint,
  ADD COLUMN IF NOT EXISTS rl_prev                 bigint,
  ADD COLUMN IF NOT EXISTS usage_outcome           smallint;`,
    },
    {
      version: 3,
      name: "create consume function",
      sql: consumeFunctionSql(n.qualified, n.consume),
    },
  ];
}

/**
 * The migrations for a table, oldest first, as plain SQL for your own
 * migration tool. Times are `bigint` epoch milliseconds; `hash` has a UNIQUE
 * index (one-lookup verification); `(owner, created_at DESC, id DESC)` serves
 * keyset pagination. Version 2 adds the nullable usage-control columns (rate
 * limit, credits, IP allowlist, and the rate window `rl_*`), so rows written
 * before it read back with none of them. Version 3 creates the function
 * `<table>_consume` that usage control calls (one `UPDATE … RETURNING` whose
 * plan the session keeps); drop it with the table.
 *
 * @example
 * ```ts
 * for (const m of migrationsFor({ table: "api_keys" })) console.log(`-- v${m.version}: ${m.name}\n${m.sql}`);
 * ```
 */
export function migrationsFor(options: TableOptions = {}): Migration[] {
  return steps(resolveNames(options));
}

/**
 * The migrations for the default table (`public.keyward_keys`).
 *
 * @example
 * ```ts
 * import { migrations } from "keyward/postgres";
 * await myTool.apply(migrations.map((m) => m.sql));
 * ```
 */
export const migrations: readonly Migration[] = Object.freeze(migrationsFor());

/**
 * The latest schema version this package knows.
 *
 * @example
 * ```ts
 * (await schemaVersion(pool)) < SCHEMA_VERSION; // true when an upgrade is pending
 * ```
 */
export const SCHEMA_VERSION: number = migrations.length;

function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * The complete, idempotent migration script that {@link migrate} runs, as a
 * single `DO` statement (so any driver can send it, in or out of a
 * transaction): takes the advisory lock, creates the migrations table,
 * applies each version not yet recorded and records it.
 *
 * @example
 * ```ts
 * import { writeFileSync } from "node:fs";
 * writeFileSync("migrations/001_keyward.sql", schemaSql({ table: "api_keys" }));
 * ```
 */
export function schemaSql(options: TableOptions = {}): string {
  const n = resolveNames(options);
  const body = [
    "previous := current_setting('client_min_messages');",
    "PERFORM set_config('client_min_messages', 'warning', true);",
    `PERFORM pg_advisory_xact_lock(${MIGRATION_LOCK_KEY});`,
    ...(n.schema === "public" ? [] : [`CREATE SCHEMA IF NOT EXISTS ${quote(n.schema)};`]),
    `CREATE TABLE IF NOT EXISTS ${n.migrations} (
  target     text NOT NULL,
  version    integer NOT NULL,
  name       text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (target, version)
);`,
  ];
  for (const m of steps(n)) {
    body.push(`IF NOT EXISTS (SELECT 1 FROM ${n.migrations} WHERE target = ${literal(n.target)} AND version = ${m.version}) THEN
${m.sql}
INSERT INTO ${n.migrations} (target, version, name) VALUES (${literal(n.target)}, ${m.version}, ${literal(m.name)});
END IF;`);
  }
  body.push("PERFORM set_config('client_min_messages', previous, true);");
  return `DO $keyward$
DECLARE previous text;
BEGIN
${body.join("\n")}
END
$keyward$;
`;
}

/**
 * The schema version recorded for a table, 0 when none (or no migrations table yet).
 *
 * @example
 * ```ts
 * await schemaVersion(pool, { table: "api_keys" }); // 2
 * ```
 */
export async function schemaVersion(client: PgClient, options: TableOptions = {}): Promise<number> {
  const n = resolveNames(options);
  try {
    const { rows } = await client.query(`SELECT coalesce(max(version), 0) AS version FROM ${n.migrations} WHERE target = $1`, [
      n.target,
    ]);
    return Number(rows[0]?.version ?? 0);
  } catch (error) {
    if (sqlState(error) === "42P01") return 0; // undefined_table: nothing migrated yet
    throw error;
  }
}

/**
 * Brings the table to the latest schema version. Idempotent, and safe when
 * several instances start at once: the changes run in one statement (one
 * transaction) under `pg_advisory_xact_lock`, each version at most once. When the table is
 * already current it only reads the version (no DDL, no lock).
 *
 * @example
 * ```ts
 * import pg from "pg";
 * import { migrate } from "keyward/postgres";
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * await migrate(pool, { table: "api_keys" }); // { version: 2 }
 * ```
 */
export async function migrate(client: PgClient, options: TableOptions = {}): Promise<MigrateResult> {
  const current = await schemaVersion(client, options);
  if (current >= SCHEMA_VERSION) return { version: current };
  await client.query(schemaSql(options));
  return { version: await schemaVersion(client, options) };
}
