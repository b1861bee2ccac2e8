/**
 * keyward on PostgreSQL: migrate, create, verify and revoke a key, with the
 * verification cache kept fresh by LISTEN/NOTIFY.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx tsx examples/postgres/index.ts
 *
 * Without DATABASE_URL it runs the same code on PGlite (embedded, in-memory
 * Postgres) and says so. Exits by itself.
 */
import { PGlite } from "@electric-sql/pglite";
import { createKeyward } from "keyward";
import { type PgClient, postgresStore } from "keyward/postgres";
import pg from "pg";

const url = process.env.DATABASE_URL;
let client: PgClient;
let shutdown: () => Promise<void>;
if (url) {
  // connectionTimeoutMillis: fail fast when the server is down (keyward then answers 503)
  const pool = new pg.Pool({ connectionString: url, max: 5, connectionTimeoutMillis: 3_000 });
  client = pool;
  shutdown = () => pool.end();
  console.log(`PostgreSQL at ${new URL(url).host} (table keyward_example_keys)`);
} else {
  const db = new PGlite();
  client = db;
  shutdown = () => db.close();
  console.log("DATABASE_URL is not set: using PGlite (embedded, in-memory Postgres) instead");
}

const store = postgresStore({ client, table: "keyward_example_keys" });
try {
  console.log(`migrate  schema version ${(await store.migrate()).version}`);
} catch (error) {
  console.log(`cannot reach the database (${(error as Error).message}); check DATABASE_URL`);
  await shutdown();
  process.exit(1);
}

const keyward = createKeyward({
  store,
  prefix: "cho",
  roles: { admin: ["jobs:*", "api_keys:manage"], viewer: ["jobs:read"] },
  cache: { ttl: 30_000, max: 10_000 },
});

const admin = { id: "user_ada", owner: "org_acme", role: "admin" };
const { key, apiKey } = await keyward.create({ label: "Nightly export", role: "viewer" }, { actor: admin });
// The raw key is shown to its owner once, at creation; this example prints only its display parts.
console.log(`created  ${apiKey.keyPrefix}…${apiKey.last4}  id ${apiKey.id}  role ${apiKey.role}`);

const ok = await keyward.verify(key, { scopes: ["jobs:read"] });
console.log(`verify   jobs:read  → ${ok.ok ? `ok, scopes ${ok.scopes.join(", ")}` : ok.error.code}`);
const denied = await keyward.verify(key, { scopes: ["jobs:write"] });
console.log(`verify   jobs:write → ${denied.ok ? "ok" : `${denied.error.code} (${denied.error.status})`}`);

await keyward.revoke(apiKey.id, { actor: admin });
const after = await keyward.verify(key, { scopes: ["jobs:read"] });
console.log(`revoked  verify now → ${after.ok ? "ok" : `${after.error.code} (${after.error.status})`}`);

const page = await keyward.list("org_acme", { actor: admin, limit: 3 });
console.log(`list     ${page.data.map((k) => `${k.keyPrefix}…${k.last4} ${k.status}`).join(" | ")}`);

await keyward.close(); // flushes last-used writes and releases the LISTEN connection
await shutdown();
