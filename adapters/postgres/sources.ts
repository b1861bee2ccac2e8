import type { PgClient, PgListenConnection, PgListenFactory, PgNotification } from "./client.js";
import { isPglite, isPool } from "./client.js";
import { quote } from "./names.js";

/**
 * A live subscription returned by {@link FeedSource.open}.
 *
 * @example
 * ```ts
 * const handle: FeedHandle = { ping: () => conn.query("SELECT 1"), close: async () => conn.release(true) };
 * ```
 */
export interface FeedHandle {
  /** A cheap round trip on the listening connection, when it has one. */
  ping?(): Promise<unknown>;
  /** Stop listening and let the connection go. Must not throw. */
  close(): Promise<void>;
}

/**
 * Where notifications come from: PGlite's `listen`, or a dedicated pg connection.
 *
 * @example
 * ```ts
 * const handle = await source.open((id) => console.log("changed", id), (error) => console.warn("lost", error));
 * ```
 */
export interface FeedSource {
  /** Start listening; call `lost` if the connection later fails. Rejects if it cannot start. */
  open(notify: (id: string) => void, lost: (error: unknown) => void): Promise<FeedHandle>;
  /** False once reconnecting is pointless (e.g. the pool is ending). */
  alive?(): boolean;
}

/**
 * Notifications from PGlite: its own `listen(channel, cb)`. In-process, so the
 * subscription cannot drop while the database is open.
 */
function pgliteSource(
  client: { listen(channel: string, cb: (payload: string) => void): Promise<() => Promise<void>> },
  channel: string,
): FeedSource {
  return {
    async open(notify) {
      const unlisten = await client.listen(quote(channel), (payload) => {
        if (payload) notify(payload);
      });
      return { close: () => unlisten().catch(() => undefined) };
    },
  };
}

/** Lets a dedicated connection go: back to the pool destroyed, or ended. Never throws. */
function dispose(conn: PgListenConnection): void {
  try {
    if (typeof conn.release === "function") conn.release(true);
    else Promise.resolve(conn.end?.()).catch(() => undefined);
  } catch {
    // already gone
  }
}

/**
 * Notifications from a dedicated node-postgres connection made by `factory`:
 * `LISTEN` on it, forward its `notification` events, and report `error` or
 * `end` as a lost connection. Handlers stay attached after disposal so a late
 * error event can never crash the process.
 */
function connectionSource(factory: PgListenFactory, channel: string, alive?: () => boolean): FeedSource {
  return {
    alive,
    async open(notify, lost): Promise<FeedHandle> {
      const conn = await factory();
      let done = false;
      const finish = (error?: unknown) => {
        if (done) return;
        done = true;
        dispose(conn);
        if (error !== undefined) lost(error);
      };
      conn.on("error", (error: unknown) => finish(error ?? new Error("listen connection failed")));
      conn.on("end", () => finish(new Error("listen connection ended")));
      conn.on("notification", (message: PgNotification) => {
        if (!done && message.channel === channel && message.payload) notify(message.payload);
      });
      try {
        await conn.query(`LISTEN ${quote(channel)}`);
      } catch (error) {
        finish();
        throw error;
      }
      return {
        ping: () => conn.query("SELECT 1"),
        close: async () => finish(),
      };
    },
  };
}

/**
 * Picks how to listen for a store: an explicit `listen` factory, PGlite's
 * `listen`, or a dedicated client checked out of a pg `Pool`. Null when the
 * client offers none of these (e.g. a single pg `Client`): no change feed.
 *
 * @example
 * ```ts
 * const source = feedSource(pool, "keyward_keys_changes"); // LISTENs on pool.connect()
 * ```
 */
export function feedSource(client: PgClient, channel: string, listen?: PgListenFactory | false): FeedSource | null {
  if (listen === false) return null;
  if (typeof listen === "function") return connectionSource(listen, channel);
  if (isPglite(client)) return pgliteSource(client, channel);
  if (isPool(client))
    return connectionSource(
      () => client.connect(),
      channel,
      () => client.ending !== true,
    );
  return null;
}
