/**
 * keyward behind PgBouncer in transaction mode: queries go through the pooler
 * (a pg Pool on PGBOUNCER_URL), the change feed LISTENs on a direct session to
 * the server (DATABASE_URL), which a transaction pooler cannot hold. Two
 * cached instances: a key revoked on one is refused by the other within
 * milliseconds.
 *
 *   PGBOUNCER_URL=postgres://postgres@127.0.0.1:6432/test \
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx examples/postgres-pooler/index.ts
 *
 * (scripts/pgbouncer.sh start 6432 starts such a PgBouncer.) Exits by itself.
 */
import { createKeyward } from "keyward";
import { type PgListenConnection, postgresStore } from "keyward/postgres";
import pg from "pg";

const pooledUrl = process.env.PGBOUNCER_URL;
const directUrl = process.env.DATABASE_URL;
if (!pooledUrl || !directUrl) {
  console.log("set PGBOUNCER_URL (the pooler) and DATABASE_URL (the server itself) to run this example");
  process.exit(0);
}

// queries: through the transaction pooler, like the rest of the application
const pooled = new pg.Pool({ connectionString: pooledUrl, max: 10, connectionTimeoutMillis: 3_000 });
// LISTEN: one direct session per instance, opened (and reopened) by the feed
const listen = async (): Promise<PgListenConnection> => {
  const session = new pg.Client({ connectionString: directUrl, connectionTimeoutMillis: 3_000 });
  session.on("error", () => {}); // the feed sees the drop through `end` and reconnects
  await session.connect();
  return session;
};

const table = "keyward_pooler_example_keys";
const instance = () => {
  const store = postgresStore({ client: pooled, listen, table });
  return { store, keyward: createKeyward({ store, prefix: "cho", cache: { ttl: 30_000, max: 10_000 } }) };
};
const a = instance();
const b = instance();
await a.store.migrate();

// each feed counts as live once its own heartbeat (a NOTIFY sent through the pooler) comes back on its LISTEN session
const start = Date.now();
while (!(a.store.listening && b.store.listening) && Date.now() - start < 5_000) await new Promise((r) => setTimeout(r, 10));
console.log(
  `feeds    A ${a.store.listening ? "live" : "down"}, B ${b.store.listening ? "live" : "down"} after ${Date.now() - start} ms`,
);

const { key, apiKey } = await a.keyward.create({ owner: "org_acme", label: "Behind the pooler" });
await b.keyward.verify(key); // B reads it once and caches it
console.log(`created  ${apiKey.keyPrefix}…${apiKey.last4}; B verifies it from its cache: ${(await b.keyward.verify(key)).ok}`);

await a.keyward.revoke(apiKey.id);
const revokedAt = performance.now();
let refused = await b.keyward.verify(key);
while (refused.ok && performance.now() - revokedAt < 1_000) {
  await new Promise((resolve) => setImmediate(resolve)); // let the notification in (a cache hit never waits for I/O)
  refused = await b.keyward.verify(key);
}
console.log(
  `revoked  on A; B → ${refused.ok ? "still ok" : refused.error.code} after ${(performance.now() - revokedAt).toFixed(1)} ms`,
);

await a.keyward.close();
await b.keyward.close();
await pooled.end();
