/**
 * keyward on Redis: create, verify and revoke a key, with the verification
 * cache kept fresh by the Redis change feed.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 npx tsx examples/redis/index.ts
 *
 * Exits by itself; if Redis is unreachable it says so and exits 0.
 */
import Redis from "ioredis";
import { createKeyward } from "keyward";
import { redisStore } from "keyward/redis";

const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

// Fail fast when Redis is down: no offline queue, one retry per command.
// keyward's storeTimeout (2 s by default) bounds every store call anyway.
const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
client.on("error", () => {}); // connection errors surface as rejected commands
try {
  await client.connect();
} catch {
  console.log(
    `Redis is not reachable at ${url}: set REDIS_URL to a running server (e.g. redis://127.0.0.1:6379). Nothing to do.`,
  );
  client.disconnect();
  process.exit(0);
}

const keyward = createKeyward({
  store: redisStore({ client, namespace: "keyward-example" }),
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

await keyward.close(); // flushes last-used writes and closes the change-feed connection
await client.quit();
