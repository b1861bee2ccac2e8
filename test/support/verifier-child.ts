/**
 * A second keyward instance in its own OS process, for the cross-process
 * propagation tests of every shared store. It reads one raw key from stdin
 * (never argv or env), verifies it in a loop through its own cached instance
 * and reports on stdout, one JSON object a line, never the key:
 *
 *   {"event":"ready"}                          the key was served from the cache (no store read):
 *                                              only the change feed can make this instance refuse now
 *   {"event":"refused","code":"…","at":<ms>}   the first refusal, with its time
 *   {"event":"timeout"} | {"event":"error","message":"…"}
 *
 * Environment: KW_STORE (`postgres` | `redis`), DATABASE_URL and KW_TABLE, or
 * REDIS_URL and KW_NAMESPACE; KW_KEY_PREFIX (default `cho`); KW_DEADLINE_MS
 * (default 20 000), after which it exits by itself.
 */
import { createInterface } from "node:readline";
import { createKeyward, type KeyStore } from "keyward";

const env = process.env;
const deadline = Date.now() + Number(env.KW_DEADLINE_MS ?? 20_000);
const report = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(event)}\n`);

/** The store of this kind, and how to close its connections. */
async function open(): Promise<{ store: KeyStore; close(): Promise<void> }> {
  if (env.KW_STORE === "postgres") {
    const { default: pg } = await import("pg");
    const { postgresStore } = await import("keyward/postgres");
    const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 4 });
    return { store: postgresStore({ client: pool, table: env.KW_TABLE }), close: () => pool.end() };
  }
  if (env.KW_STORE === "redis") {
    const { default: Redis } = await import("ioredis");
    const { redisStore } = await import("keyward/redis");
    const client = new Redis(env.REDIS_URL as string, { maxRetriesPerRequest: 1 });
    return { store: redisStore({ client, prefix: env.KW_NAMESPACE as string }), close: async () => client.disconnect() };
  }
  throw new Error(`KW_STORE must be postgres or redis, not ${env.KW_STORE}`);
}

/** The store with its `findByHash` calls counted. */
function counted(store: KeyStore): { store: KeyStore; reads(): number } {
  let reads = 0;
  const proxy = new Proxy(store, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      if (prop === "findByHash") {
        return (hash: string) => {
          reads++;
          return value.call(target, hash);
        };
      }
      return value.bind(target);
    },
  });
  return { store: proxy, reads: () => reads };
}

async function main(): Promise<number> {
  const key = await new Promise<string>((resolve) => {
    createInterface({ input: process.stdin }).once("line", (line) => resolve(line.trim()));
  });
  const opened = await open();
  const { store, reads } = counted(opened.store);
  const keyward = createKeyward({
    store,
    prefix: env.KW_KEY_PREFIX ?? "cho",
    cache: { ttl: 30_000, max: 1000 },
    lastUsed: false,
  });
  try {
    let ready = false;
    while (Date.now() < deadline) {
      const before = reads();
      const result = await keyward.verify(key);
      if (!ready && result.ok && reads() === before) {
        ready = true;
        report({ event: "ready" });
      } else if (ready && !result.ok) {
        report({ event: "refused", code: result.error.code, at: Date.now() });
        return 0;
      } else if (!ready && !result.ok) {
        report({ event: "error", message: `refused before it was ready: ${result.error.code}` });
        return 1;
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    report({ event: "timeout" });
    return 1;
  } finally {
    await keyward.close();
    await opened.close();
  }
}

main()
  .catch((error: unknown) => {
    report({ event: "error", message: error instanceof Error ? error.message : "unknown" });
    return 1;
  })
  .then((code) => process.exit(code));
