/**
 * `keyward/postgres`: the PostgreSQL store (node-postgres or PGlite), its
 * migrations, and the LISTEN/NOTIFY change feed. See `docs/postgres.md`.
 *
 * @example
 * ```ts
 * import { postgresStore } from "keyward/postgres";
 * const store = postgresStore({ client: pool }); // migrates itself before its first operation
 * ```
 *
 * @module keyward/postgres
 */

export type { HeartbeatOptions } from "../shared/heartbeat.js";
export type { PgClient, PgListenConnection, PgListenFactory, PgNotification } from "./client.js";
export { DuplicateRecordError } from "./errors.js";
export type { FeedOptions } from "./feed.js";
export { DEFAULT_SCHEMA, DEFAULT_TABLE, MIGRATIONS_TABLE, type TableOptions } from "./names.js";
export { type OutboxMessage, type PostgresOutbox, type PostgresOutboxOptions, postgresOutbox } from "./outbox.js";
export {
  MIGRATION_LOCK_KEY,
  type MigrateResult,
  type Migration,
  migrate,
  migrations,
  migrationsFor,
  SCHEMA_VERSION,
  schemaSql,
  schemaVersion,
} from "./schema.js";
export { type PostgresStore, type PostgresStoreOptions, postgresStore } from "./store.js";
