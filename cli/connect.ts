import type { KeyStore } from "keyward";
import { postgresStore } from "keyward/postgres";
import { redisStore } from "keyward/redis";
import { rootMessage, StoreFailure, UsageError } from "./errors.js";
import { type Flags, str } from "./flags.js";

/** Loads an optional driver package (default: dynamic `import()`). */
export type Loader = (name: string) => Promise<unknown>;

/** An open store and how to migrate and close it. */
export interface OpenStore {
  kind: "postgres" | "pglite" | "redis";
  store: KeyStore;
  /** Where the keys live, for messages: never a URL or a password. */
  where: string;
  /** Creates or upgrades the table; null for Redis, which needs no migration. */
  migrate(): Promise<{ version: number } | null>;
  /** Closes every connection so the process can exit. Never throws. */
  close(): Promise<void>;
}

/** The store flags, in the order they are reported. */
const STORE_FLAGS = ["database-url", "redis-url", "pglite"] as const;
/** How long closing a connection may take before it is dropped. */
const CLOSE_TIMEOUT = 2_000;

/** Where a store value came from, for messages: the flag, or the environment variable. */
type Source = { flag: (typeof STORE_FLAGS)[number]; value: string; name: string };

/** `host:port` of a URL, for messages; throws {@link UsageError} when it is not a URL. */
function hostOf(url: string, name: string): string {
  try {
    const u = new URL(url);
    return u.host || u.searchParams.get("host") || "localhost";
  } catch {
    throw new UsageError(`${name} is not a valid URL`);
  }
}

/**
 * Checks a Redis URL and returns its database number: the scheme must be
 * `redis:` or `rediss:` (TLS), and the database, when given, a number in the
 * path (`redis://host:6379/2`) or in `?db=` (not two different ones). ioredis
 * selects it on every connection, so every command runs on that database.
 * Messages never quote the URL (it may hold a password).
 */
function redisDatabase(url: string, name: string): number {
  const u = URL.canParse(url) ? new URL(url) : null;
  if (u?.protocol !== "redis:" && u?.protocol !== "rediss:") {
    throw new UsageError(`${name} must be a redis:// or rediss:// (TLS) URL, e.g. redis://user:password@host:6379/0`);
  }
  const fromPath = u.pathname === "" || u.pathname === "/" ? undefined : /^\/(\d{1,5})$/.exec(u.pathname)?.[1];
  if (fromPath === undefined && u.pathname.length > 1) {
    throw new UsageError(`the path of ${name} must be a database number, e.g. redis://host:6379/2`);
  }
  const fromQuery = u.searchParams.get("db") ?? undefined;
  if (fromQuery !== undefined && !/^\d{1,5}$/.test(fromQuery)) {
    throw new UsageError(`db= in ${name} must be a database number, e.g. redis://host:6379/2`);
  }
  if (fromPath !== undefined && fromQuery !== undefined && Number(fromPath) !== Number(fromQuery)) {
    throw new UsageError(`${name} names two databases (its path and db=): keep one`);
  }
  return Number(fromPath ?? fromQuery ?? 0);
}

/** Rejects with `onTimeout()` when `promise` has not settled after `ms`; the late outcome is ignored. */
function within<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  promise.catch(() => undefined);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

const seconds = (ms: number): string => `${ms / 1000} s`;

async function loadDriver<T>(load: Loader, name: string, flag: string): Promise<T> {
  try {
    return (await load(name)) as T;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if ((code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") && String((error as Error).message).includes(name)) {
      throw new UsageError(
        `install ${name} to use ${flag}: npm install ${name}`,
        undefined,
        "drivers are optional peer dependencies of keyward",
      );
    }
    throw error;
  }
}

/** Which store the flags and environment select: exactly one, flags before environment. */
function chooseStore(flags: Flags, env: Record<string, string | undefined>): Source {
  const given = STORE_FLAGS.filter((f) => str(flags, f) !== undefined);
  if (given.length > 1) throw new UsageError(`choose one store: got ${given.map((f) => `--${f}`).join(" and ")}`);
  if (given.length === 1) {
    const flag = given[0] as (typeof STORE_FLAGS)[number];
    const value = str(flags, flag) as string;
    if (value.trim() === "") throw new UsageError(`--${flag} needs a value`);
    return { flag, value, name: `--${flag}` };
  }
  const db = env.DATABASE_URL || undefined;
  const redis = env.REDIS_URL || undefined;
  if (db && redis) throw new UsageError("both DATABASE_URL and REDIS_URL are set: pass --database-url or --redis-url to choose");
  if (db) return { flag: "database-url", value: db, name: "DATABASE_URL" };
  if (redis) return { flag: "redis-url", value: redis, name: "REDIS_URL" };
  throw new UsageError("no store: pass --database-url, --redis-url or --pglite (or set DATABASE_URL or REDIS_URL)");
}

interface PgPool {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
  on(event: "error", listener: (error: unknown) => void): unknown;
  end(): Promise<void>;
}
type PgModule = { Pool: new (config: object) => PgPool };
interface Pglite {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
  readonly waitReady: Promise<void>;
  close(): Promise<void>;
}
interface IORedis {
  connect(): Promise<void>;
  on(event: "error", listener: (error: unknown) => void): unknown;
  call(command: string, ...args: string[]): Promise<unknown>;
  quit(): Promise<unknown>;
  disconnect(): void;
}

/** Runs a closer, bounded by {@link CLOSE_TIMEOUT}; then `drop()` (if given) in case it did not finish. Never throws. */
const quietly = async (fn: () => unknown, drop?: () => void): Promise<void> => {
  try {
    await within(Promise.resolve().then(fn), CLOSE_TIMEOUT, () => new Error("close timed out"));
  } catch {
    drop?.(); // closing is best effort
  }
};

function sqlStore(
  client: PgPool | Pglite,
  flags: Flags,
  kind: "postgres" | "pglite",
  where: string,
  close: () => Promise<void>,
): OpenStore {
  // operators migrate explicitly (`keyward migrate`): other commands never create tables
  const store = postgresStore({
    client,
    listen: false,
    autoMigrate: false,
    table: str(flags, "table"),
    schema: str(flags, "schema"),
  });
  return {
    kind,
    store,
    where: `${where}, table ${store.table.replaceAll('"', "")}`,
    async migrate() {
      try {
        return await store.migrate();
      } catch (error) {
        throw new StoreFailure(`migration failed: ${rootMessage(error)}`, error);
      }
    },
    close,
  };
}

/**
 * Opens the store the flags (or `DATABASE_URL` / `REDIS_URL`) select, loading
 * its driver on demand, and checks it answers within `timeout` ms. Throws
 * {@link UsageError} for bad or conflicting flags, a URL of the wrong kind or
 * a missing driver, {@link StoreFailure} when the store cannot be reached.
 *
 * @example
 * ```ts
 * const opened = await openStore({ pglite: "./.data" }, process.env, (name) => import(name), 15_000);
 * await opened.migrate();
 * await opened.close();
 * ```
 */
export async function openStore(
  flags: Flags,
  env: Record<string, string | undefined>,
  load: Loader,
  timeout: number,
): Promise<OpenStore> {
  const { flag, value, name } = chooseStore(flags, env);
  const isRedis = flag === "redis-url";
  for (const sqlOnly of ["table", "schema"]) {
    if (isRedis && str(flags, sqlOnly) !== undefined) {
      throw new UsageError(`--${sqlOnly} applies to PostgreSQL only; use --redis-namespace with Redis`);
    }
  }
  for (const redisOnly of ["redis-namespace", "redis-prefix"]) {
    if (!isRedis && str(flags, redisOnly) !== undefined) {
      throw new UsageError(`--${redisOnly} applies to Redis only; use --table with PostgreSQL`);
    }
  }

  if (flag === "pglite") {
    const { PGlite } = await loadDriver<{ PGlite: new (dir: string) => Pglite }>(load, "@electric-sql/pglite", "--pglite");
    let db: Pglite;
    try {
      db = new PGlite(value);
      await db.waitReady;
    } catch (error) {
      throw new StoreFailure(`cannot open the PGlite data directory ${value}: ${rootMessage(error)}`, error);
    }
    return sqlStore(db, flags, "pglite", `PGlite ${value}`, () => quietly(() => db.close()));
  }

  if (flag === "database-url") {
    const host = hostOf(value, name);
    if (/^rediss?:/i.test(value)) throw new UsageError(`${name} holds a Redis URL: pass it with --redis-url (or REDIS_URL)`);
    const mod = await loadDriver<PgModule & { default?: PgModule }>(load, "pg", "--database-url");
    const pool = new (mod.default ?? mod).Pool({
      connectionString: value,
      max: 2,
      connectionTimeoutMillis: timeout,
      query_timeout: timeout,
    });
    pool.on("error", () => {}); // an idle client dropping must not crash the CLI
    const opened = sqlStore(pool, flags, "postgres", `PostgreSQL ${host}`, () => quietly(() => pool.end()));
    try {
      await pool.query("SELECT 1");
    } catch (error) {
      await opened.close();
      throw new StoreFailure(`cannot connect to PostgreSQL at ${host}: ${rootMessage(error)}`, error);
    }
    return opened;
  }

  const db = redisDatabase(value, name);
  const host = hostOf(value, name);
  const mod = await loadDriver<{ default: new (url: string, options: object) => IORedis }>(load, "ioredis", "--redis-url");
  const client = new mod.default(value, {
    lazyConnect: true,
    connectTimeout: timeout,
    commandTimeout: timeout,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  let lastError: unknown;
  client.on("error", (error) => {
    lastError = error; // reported through the failing command instead
  });
  // --redis-prefix is the deprecated name of --redis-namespace, which wins when both are given
  const given = (["redis-namespace", "redis-prefix"] as const).find((name) => str(flags, name) !== undefined);
  const namespace = given && str(flags, given);
  if (namespace === "") throw new UsageError(`--${given} needs a value`);
  const store = redisStore({ client, ...(namespace !== undefined && { namespace }) });
  try {
    // ioredis resolves connect() once the server has answered its ready check: a server that
    // accepts the connection and never answers would otherwise hold the CLI forever
    await within(client.connect(), timeout, () => new Error(`no answer within ${seconds(timeout)}`));
  } catch (error) {
    client.disconnect();
    const cause = lastError ?? error;
    throw new StoreFailure(`cannot connect to Redis at ${host}: ${rootMessage(cause)}`, cause);
  }
  return {
    kind: "redis",
    store,
    where: `Redis ${host}${db === 0 ? "" : ` database ${db}`}, namespace ${store.namespace}`,
    migrate: async () => null,
    close: () =>
      quietly(
        () => client.quit(),
        () => client.disconnect(),
      ),
  };
}
