import type { PgClient } from "./client.js";
import { assertIdentifier, DEFAULT_SCHEMA, quote } from "./names.js";
import { MIGRATION_LOCK_KEY } from "./schema.js";

/** The table of {@link postgresOutbox} unless told otherwise. */
const DEFAULT_OUTBOX_TABLE = "keyward_webhook_outbox";

/**
 * Options of {@link postgresOutbox}.
 *
 * @example
 * ```ts
 * const options: PostgresOutboxOptions = { client: pool, table: "webhook_outbox", schema: "auth" };
 * ```
 */
export interface PostgresOutboxOptions {
  /** node-postgres `Pool` / `Client`, PGlite, or anything with `query(text, values)`. */
  client: PgClient;
  /** Table name. Default `keyward_webhook_outbox`. */
  table?: string | undefined;
  /** Schema. Default `public`. */
  schema?: string | undefined;
}

/**
 * One stored webhook, as `keyward/webhooks` hands it over and claims it back.
 *
 * @example
 * ```ts
 * const message: OutboxMessage = { id: "msg_…", url, type: "key.revoked", body: "{…}", attempts: 0, nextAttemptAt: Date.now() };
 * ```
 */
export interface OutboxMessage {
  id: string;
  url: string;
  type: string;
  body: string;
  attempts: number;
  nextAttemptAt: number;
}

/**
 * A durable webhook outbox in a PostgreSQL table: pass it as `store` to
 * `webhooks()` of `keyward/webhooks` (it has that package's `WebhookOutbox`
 * shape).
 *
 * @example
 * ```ts
 * const outbox: PostgresOutbox = postgresOutbox({ client: pool });
 * await outbox.ready(); // optional: the table is also created on first use
 * ```
 */
export interface PostgresOutbox {
  /** Inserts messages; a known id changes nothing. */
  enqueue(messages: readonly OutboxMessage[]): Promise<void>;
  /**
   * Leases up to `limit` due, unleased messages until `now + lease`, earliest
   * due first, then in enqueue order (one statement, `FOR UPDATE SKIP LOCKED`).
   */
  claim(now: number, limit: number, lease: number): Promise<OutboxMessage[]>;
  /** Deletes a message: delivered, or given up on. */
  ack(id: string): Promise<void>;
  /** Releases a message for another attempt at `at`. */
  retry(id: string, at: number, attempts: number): Promise<void>;
  /** When the next message becomes claimable, or null when the table is empty. */
  next(): Promise<number | null>;
  /** Creates the table when it is missing (idempotent; runs once per outbox object, under keyward's migration lock). */
  ready(): Promise<void>;
}

/**
 * A webhook outbox kept in PostgreSQL, so webhooks survive a restart and
 * several instances can share them. Its table is created by the outbox
 * itself, on first use, with `CREATE TABLE IF NOT EXISTS` under keyward's
 * migration lock (it is not one of the key table's versioned migrations).
 * `claim` is a single `UPDATE … FOR UPDATE SKIP LOCKED`, so two instances
 * never hold the same message at once. Parameterised SQL only.
 *
 * @example
 * ```ts
 * import pg from "pg";
 * import { postgresOutbox, postgresStore } from "keyward/postgres";
 * import { webhooks } from "keyward/webhooks";
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * const hooks = webhooks({ endpoints, store: postgresOutbox({ client: pool }) });
 * const keyward = createKeyward({ store: postgresStore({ client: pool }), onEvent: hooks.onEvent });
 * ```
 */
export function postgresOutbox(options: PostgresOutboxOptions): PostgresOutbox {
  const client = options?.client;
  if (!client || typeof client.query !== "function")
    throw new TypeError("postgresOutbox: `client` must have query(text, values)");
  const table = options.table ?? DEFAULT_OUTBOX_TABLE;
  const schema = options.schema ?? DEFAULT_SCHEMA;
  assertIdentifier(table, "table");
  assertIdentifier(schema, "schema");
  const t = `${quote(schema)}.${quote(table)}`;
  const ddl = `DO $keyward$
BEGIN
PERFORM pg_advisory_xact_lock(${MIGRATION_LOCK_KEY});
${schema === DEFAULT_SCHEMA ? "" : `CREATE SCHEMA IF NOT EXISTS ${quote(schema)};`}
CREATE TABLE IF NOT EXISTS ${t} (
  id              text COLLATE "C" PRIMARY KEY,
  url             text NOT NULL,
  type            text NOT NULL,
  body            text NOT NULL,
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at bigint NOT NULL,
  leased_until    bigint NOT NULL DEFAULT 0,
  seq             bigint GENERATED ALWAYS AS IDENTITY
);
ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS seq bigint GENERATED ALWAYS AS IDENTITY;
CREATE INDEX IF NOT EXISTS ${quote(`${table}_due`)} ON ${t} (next_attempt_at, seq);
END
$keyward$;`;
  let created: Promise<void> | null = null;
  const ready = (): Promise<void> => {
    created ??= client.query(ddl).then(
      () => undefined,
      (error: unknown) => {
        created = null; // try again on the next call
        throw error;
      },
    );
    return created;
  };
  const toMessage = (row: Record<string, unknown>): OutboxMessage => ({
    id: String(row.id),
    url: String(row.url),
    type: String(row.type),
    body: String(row.body),
    attempts: Number(row.attempts),
    nextAttemptAt: Number(row.next_attempt_at),
  });

  return {
    ready,
    async enqueue(messages) {
      if (messages.length === 0) return;
      await ready();
      await client.query(
        `INSERT INTO ${t} (id, url, type, body, attempts, next_attempt_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::bigint[])
         ON CONFLICT (id) DO NOTHING`,
        [
          messages.map((m) => m.id),
          messages.map((m) => m.url),
          messages.map((m) => m.type),
          messages.map((m) => m.body),
          messages.map((m) => m.attempts),
          messages.map((m) => String(m.nextAttemptAt)),
        ],
      );
    },
    async claim(now, limit, lease) {
      await ready();
      const { rows } = await client.query(
        `UPDATE ${t} SET leased_until = $1::bigint + $3::bigint
         WHERE id IN (
           SELECT id FROM ${t} WHERE next_attempt_at <= $1::bigint AND leased_until <= $1::bigint
           ORDER BY next_attempt_at, seq LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING id, url, type, body, attempts, next_attempt_at, seq`,
        [String(now), limit, String(lease)],
      );
      // RETURNING has no order: due time first, then the order they were enqueued in
      const order = (row: Record<string, unknown>) => [Number(row.next_attempt_at), Number(row.seq)] as const;
      return rows
        .map((row) => ({ row, key: order(row) }))
        .sort((a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1])
        .map(({ row }) => toMessage(row));
    },
    async ack(id) {
      await ready();
      await client.query(`DELETE FROM ${t} WHERE id = $1`, [id]);
    },
    async retry(id, at, attempts) {
      await ready();
      await client.query(`UPDATE ${t} SET next_attempt_at = $2::bigint, attempts = $3, leased_until = 0 WHERE id = $1`, [
        id,
        String(at),
        attempts,
      ]);
    },
    async next() {
      await ready();
      const { rows } = await client.query(`SELECT min(greatest(next_attempt_at, leased_until)) AS next FROM ${t}`);
      const next = rows[0]?.next;
      return next === null || next === undefined ? null : Number(next);
    },
  };
}
