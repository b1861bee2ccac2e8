/**
 * What `postgresStore` needs from a database client: one method that runs a
 * parameterised statement. node-postgres `Pool` and `Client`, PGlite, and
 * thin wrappers over other drivers all fit; no driver is imported.
 *
 * @example
 * ```ts
 * import pg from "pg";
 * const client: PgClient = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * ```
 */
export interface PgClient {
  /**
   * Runs one statement with `$1`, `$2`, … placeholders bound to `values` and
   * resolves with its rows. Must reject when the statement fails or the
   * database cannot be reached (the store turns that into a 503).
   */
  // biome-ignore lint/suspicious/noExplicitAny: rows are whatever the driver returns; mapped and checked by the store
  query(text: string, values?: any[]): Promise<{ rows: any[] }>;
}

/**
 * A notification as node-postgres delivers it.
 *
 * @example
 * ```ts
 * conn.on("notification", (n: PgNotification) => console.log(n.channel, n.payload));
 * ```
 */
export interface PgNotification {
  /** The channel the notification was sent on. */
  channel: string;
  /** The payload of `NOTIFY`/`pg_notify` (for keyward's feed, a record id). */
  payload?: string;
}

/**
 * A dedicated connection the change feed can `LISTEN` on: a node-postgres
 * `Client` or `PoolClient` (or anything shaped like one). The feed attaches
 * `notification`, `error` and `end` handlers, and when it is done with the
 * connection calls `release(true)` if present (pool clients), else `end()`.
 *
 * @example
 * ```ts
 * const listen = async (): Promise<PgListenConnection> => {
 *   const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
 *   await c.connect();
 *   return c;
 * };
 * ```
 */
export interface PgListenConnection {
  /** Runs a statement without parameters: the feed sends `LISTEN` and a periodic `SELECT 1`. */
  // biome-ignore lint/suspicious/noExplicitAny: driver result, unused
  query(text: string): Promise<any>;
  /** Registers an event handler; the feed listens for `notification`, `error` and `end`. */
  // biome-ignore lint/suspicious/noExplicitAny: event emitters type their listeners per event
  on(event: string, listener: (...args: any[]) => void): unknown;
  /** Returns a pool client to its pool; the feed calls `release(true)` so the pool discards it. */
  release?(destroy?: boolean | Error): void;
  /** Closes a standalone client; called when there is no `release`. */
  end?(): unknown;
}

/**
 * A factory returning a fresh, connected {@link PgListenConnection}.
 *
 * @example
 * ```ts
 * const listen: PgListenFactory = () => pool.connect();
 * ```
 */
export type PgListenFactory = () => Promise<PgListenConnection>;

/**
 * PGlite's notification API (`listen(channel, cb)` resolving to an unsubscribe function).
 * Internal.
 *
 * @example
 * ```ts
 * const db: PgliteLike = new PGlite();
 * ```
 */
export interface PgliteLike extends PgClient {
  listen(channel: string, callback: (payload: string) => void): Promise<() => Promise<void>>;
}

/**
 * A node-postgres `Pool` (or a compatible pool): `connect()` checks a client out. Internal.
 *
 * @example
 * ```ts
 * const pool: PgPoolLike = new pg.Pool();
 * ```
 */
export interface PgPoolLike extends PgClient {
  connect(): Promise<PgListenConnection>;
  readonly totalCount: number;
  readonly ending?: boolean;
}

/**
 * True for PGlite (an in-process Postgres with a `listen(channel, cb)` method).
 *
 * @example
 * ```ts
 * isPglite(new PGlite()); // true
 * ```
 */
export function isPglite(client: unknown): client is PgliteLike {
  const c = client as Partial<PgliteLike> | null;
  return typeof c?.listen === "function";
}

/**
 * True for a node-postgres `Pool` or look-alike: `connect()` plus the pool counters.
 *
 * @example
 * ```ts
 * isPool(new pg.Pool()); // true
 * isPool(new pg.Client()); // false
 * ```
 */
export function isPool(client: unknown): client is PgPoolLike {
  const c = client as Partial<PgPoolLike> | null;
  return typeof c?.connect === "function" && typeof c.totalCount === "number";
}

/**
 * SQLSTATE of an error thrown by the driver, if it has one.
 * Internal.
 *
 * @example
 * ```ts
 * if (sqlState(error) === "23505") throw new StoreError("duplicate_record", "postgresStore: a record with this id or hash already exists");
 * ```
 */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}
