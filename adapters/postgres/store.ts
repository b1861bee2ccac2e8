import type {
  ChangeListener,
  KeyRecord,
  KeyStore,
  ListQuery,
  RecordPatch,
  Transition,
  UsageOutcome,
  UsageRequest,
  Use,
} from "keyward";
import { ConfigError } from "keyward";
import { heartbeatSettings } from "../shared/heartbeat.js";
import { type PgClient, type PgListenFactory, sqlState } from "./client.js";
import { consumeCallSql, consumeSql } from "./consume.js";
import { storeFailure } from "./errors.js";
import { ChangeFeed, type FeedOptions } from "./feed.js";
import { assertIdentifier, defaultChannel, resolveNames, type TableOptions } from "./names.js";
import { type PostgresOutbox, postgresOutbox } from "./outbox.js";
import { recordValues, toMillis, toRecord } from "./rows.js";
import { type MigrateResult, migrate } from "./schema.js";
import { feedSource } from "./sources.js";
import { type Statement, Statements } from "./sql.js";
import { consumeValues, toOutcome } from "./usage.js";

/**
 * Options of {@link postgresStore}.
 *
 * @example
 * ```ts
 * const options: PostgresStoreOptions = { client: pool, table: "api_keys", feed: { onError: console.warn } };
 * ```
 */
export interface PostgresStoreOptions extends TableOptions {
  /** A node-postgres `Pool` or `Client`, a PGlite instance, or anything with `query(text, values)`. */
  client: PgClient;
  /** LISTEN/NOTIFY channel of the change feed. Default `<table>_changes`. */
  channel?: string | undefined;
  /**
   * Where the change feed listens. Default: PGlite's `listen`, or a client
   * checked out of a pg `Pool` and held for the feed. Pass a function returning
   * a fresh connected pg `Client` when `client` is a single `Client` (or sits
   * behind a transaction-pooling proxy), or `false` for no feed: the
   * verification cache then relies on its TTL alone. Writes always notify.
   */
  listen?: PgListenFactory | false | undefined;
  /**
   * The change feed's heartbeat (`heartbeat`, default 150 ms; `downAfter`,
   * default 450 ms: caches stand aside when no beat came back for that long),
   * reconnect and error-reporting settings.
   */
  feed?: FeedOptions | undefined;
  /**
   * Run the migrations (advisory-locked, idempotent) before the first
   * operation, so the store works without an explicit `migrate()`. Default
   * true; set false when your own migration tool applies `schemaSql()`.
   */
  autoMigrate?: boolean | undefined;
  /**
   * How usage control's writes (rate-limit windows, spent credits) commit.
   * `"synchronous"` (default) waits for the WAL flush like any other write.
   * `"asynchronous"` commits them with `synchronous_commit = off` (for that
   * statement's transaction only): limited verifications run about twice as
   * fast where the flush dominates, and a database crash can forget the
   * counts of its last fraction of a second (never corrupt them). Keys,
   * revocations and every other write stay synchronous.
   */
  usageCommit?: "synchronous" | "asynchronous" | undefined;
}

/**
 * The Postgres store: a {@link KeyStore} plus migrations and feed status.
 *
 * @example
 * ```ts
 * const store: PostgresStore = postgresStore({ client: pool, autoMigrate: false });
 * await store.migrate(); // { version: 3 }: only needed with autoMigrate: false
 * store.listening; // true once a cached keyward instance is watching
 * ```
 */
export interface PostgresStore extends KeyStore {
  /** Quoted, schema-qualified table name, e.g. `"public"."keyward_keys"`. */
  readonly table: string;
  /** The change-feed channel. */
  readonly channel: string;
  /** True while the change feed is proven live: its own heartbeat comes back through LISTEN. */
  readonly listening: boolean;
  /** Creates or upgrades the table (see {@link migrate}). */
  migrate(): Promise<MigrateResult>;
  /**
   * Usage control for the key whose hash is `hash` (rate limit and credits,
   * with `consumeUsage()`'s answers): one call of the table's
   * `<table>_consume` function (migration 3), which runs one
   * `UPDATE … WHERE hash = $1 RETURNING …`, exact under concurrency. Null
   * when there is no such key.
   */
  consume(hash: string, request: UsageRequest): Promise<UsageOutcome | null>;
  /**
   * A durable webhook outbox on the same client and schema (table
   * `keyward_webhook_outbox`, see {@link postgresOutbox}), the same object on
   * every call: `webhooks({ endpoints, store })` uses it.
   */
  webhookOutbox(): PostgresOutbox;
}

/**
 * A {@link KeyStore} on PostgreSQL through any client with
 * `query(text, values)`: node-postgres `Pool`/`Client` or PGlite; no driver is
 * imported. Verification is one indexed lookup by hash; usage control
 * (`consume`: rate limit and credits) is one more statement, an
 * `UPDATE … RETURNING` on the same row. Every state change is
 * one conditional statement that also notifies the change feed in the same
 * transaction; `watch()` LISTENs on it so caches on every instance drop a
 * revoked, disabled, rotated or edited key within milliseconds.
 *
 * The store migrates itself before its first operation (advisory-locked,
 * idempotent); with `autoMigrate: false`, call {@link PostgresStore.migrate}
 * or apply `schemaSql()` yourself first. Throws {@link ConfigError} at once
 * for a bad table, schema or channel name.
 *
 * @example
 * ```ts
 * import pg from "pg";
 * import { createKeyward } from "keyward";
 * import { postgresStore } from "keyward/postgres";
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * const store = postgresStore({ client: pool }); // creates or upgrades its table on first use
 * const keyward = createKeyward({ store, prefix: "cho", cache: { ttl: 30_000 } });
 * ```
 */
export function postgresStore(options: PostgresStoreOptions): PostgresStore {
  if (typeof options?.client?.query !== "function")
    throw new ConfigError("postgresStore: `client` must have a query(text, values) method");
  const { client } = options;
  const tableOptions = { table: options.table, schema: options.schema };
  const names = resolveNames(tableOptions);
  const channel = options.channel ?? defaultChannel(names.table);
  assertIdentifier(channel, "channel");
  if (options.listen !== undefined && options.listen !== false && typeof options.listen !== "function") {
    throw new ConfigError("postgresStore: `listen` must be a function returning a connected client, or false");
  }
  const beat = heartbeatSettings(options.feed, (m) => new ConfigError(m), "postgresStore");
  checkFeedOptions(options.feed);
  const sql = new Statements(names, channel);
  const consumeText = consumeSql(names.qualified);
  const consumeCall = consumeCallSql(names.consume);
  if (options.usageCommit !== undefined && options.usageCommit !== "synchronous" && options.usageCommit !== "asynchronous") {
    throw new ConfigError('postgresStore: `usageCommit` must be "synchronous" or "asynchronous"');
  }
  const asynchronous = options.usageCommit === "asynchronous";
  // the same UPDATE sent as is: only for a schema before migration 3, or a role that may not run the function
  let consumeInline = false;
  const source = feedSource(client, channel, options.listen);
  // beats go out through the store's own client (a pooler included) and must come back on the LISTEN connection
  const publish = (payload: string) => client.query("SELECT pg_notify($1, $2)", [channel, payload]);
  const feed = source ? new ChangeFeed(source, publish, beat, options.feed) : null;

  // schema readiness: migrate once before the first operation (retried after a failure), then a flag check
  let migrated = options.autoMigrate === false;
  let migrating: Promise<void> | null = null;
  const ready = (): Promise<void> => {
    migrating ??= migrate(client, tableOptions).then(
      () => {
        migrated = true;
      },
      (error: unknown) => {
        migrating = null;
        throw error;
      },
    );
    return migrating;
  };
  const query = async (text: string, values?: unknown[]) => {
    if (!migrated) await ready();
    return client.query(text, values);
  };
  /** A statement on the keys table: a duplicate or a value the database refuses becomes a `StoreError`. */
  const onKeys = (text: string, values: unknown[]) =>
    query(text, values).catch((error: unknown) => {
      throw storeFailure(error);
    });
  const rows = async (s: Statement): Promise<KeyRecord[]> => (await onKeys(s.text, s.values)).rows.map(toRecord);
  /**
   * The record a statement returns, or null: one promise hop from the driver's answer (a lookup by
   * hash is on every uncached verification), never a synchronous throw.
   */
  const one = (s: Statement): Promise<KeyRecord | null> => {
    let answer: Promise<{ rows: unknown[] }>;
    try {
      // Promise.resolve: a driver answering with another thenable still gets a real promise (a native one passes as is)
      answer = migrated ? Promise.resolve(client.query(s.text, s.values)) : ready().then(() => client.query(s.text, s.values));
    } catch (error) {
      return Promise.reject(storeFailure(error));
    }
    return answer.then(firstRecord, (error: unknown) => {
      throw storeFailure(error);
    });
  };

  let outbox: PostgresOutbox | undefined;
  const store: PostgresStore = {
    table: names.qualified,
    webhookOutbox() {
      outbox ??= postgresOutbox({ client, schema: names.schema });
      return outbox;
    },
    channel,
    get listening() {
      return feed?.listening ?? false;
    },
    async migrate() {
      const result = await migrate(client, tableOptions);
      migrated = true;
      return result;
    },

    async insert(record: KeyRecord) {
      await onKeys(sql.insert, recordValues(record));
    },
    findByHash: (hash: string) => one({ text: sql.findByHash, values: [hash] }),
    get: (id: string) => one({ text: sql.get, values: [id] }),
    list: (query: ListQuery) => rows(sql.list(query)),
    update: (id: string, patch: RecordPatch) => one(sql.update(id, patch)),
    transition: (id: string, action: Transition, at: number) => one(sql.transition(id, action, at)),
    async rotate(id: string, replacement: KeyRecord, expiresAt: number) {
      return one(sql.rotate(id, expiresAt, recordValues(replacement)));
    },
    async touch(uses: readonly Use[]) {
      if (uses.length === 0) return;
      await onKeys(sql.touch, [uses.map((u) => u.id), uses.map((u) => toMillis(u.at))]);
    },
    async consume(hash: string, request: UsageRequest): Promise<UsageOutcome | null> {
      const values = consumeValues(hash, request);
      const called = consumeInline
        ? null
        : await query(consumeCall, [...values, asynchronous]).catch((error: unknown) => {
            const state = sqlState(error); // undefined_function, insufficient_privilege: fall back to the statement itself
            if (state !== "42883" && state !== "42501") throw storeFailure(error);
            consumeInline = true;
            return null;
          });
      return toOutcome((called ?? (await onKeys(consumeText, values))).rows[0]);
    },
  };
  if (feed) store.watch = (listener: ChangeListener) => feed.subscribe(listener);
  return store;
}

function checkFeedOptions(feed: FeedOptions | undefined): void {
  if (feed === undefined) return;
  for (const name of ["timeout", "minDelay", "maxDelay"] as const) {
    const value = feed[name];
    if (value !== undefined && !(Number.isFinite(value) && value >= (name === "timeout" ? 1 : 0))) {
      throw new ConfigError(
        `postgresStore: feed.${name} must be a ${name === "timeout" ? "positive" : "non-negative"} number of ms`,
      );
    }
  }
  if (feed.onError !== undefined && typeof feed.onError !== "function")
    throw new ConfigError("postgresStore: feed.onError must be a function");
}

/** The first row of a driver's answer as a record (a damaged row throws), or null when there is none. */
function firstRecord(result: { rows: unknown[] }): KeyRecord | null {
  const row = result.rows[0];
  return row === undefined ? null : toRecord(row as Record<string, unknown>);
}
