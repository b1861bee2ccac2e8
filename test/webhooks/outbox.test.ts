import { PGlite } from "@electric-sql/pglite";
import { createKeyward } from "keyward";
import { memoryStore } from "keyward/memory";
import { postgresOutbox } from "keyward/postgres";
import { redisOutbox } from "keyward/redis";
import { generateWebhookSecret, memoryOutbox, verifyWebhook, type WebhookOutbox, webhooks } from "keyward/webhooks";
import { afterAll, describe, expect, it } from "vitest";
import { outboxContract } from "../support/outbox-contract.js";
import { hasServer, newPool, noteSkip, waitFor } from "../support/postgres.js";
import { cleanup, ioredis, noteSkip as noteRedisSkip, REDIS_URL, sendOf, uniquePrefix } from "../support/redis.js";
import { receiver } from "../support/webhook-receiver.js";

const SCHEMA = "i12_leaks";
const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const close of closers.splice(0)) await close();
});

let tables = 0;
async function pglite(): Promise<WebhookOutbox> {
  const db = new PGlite();
  closers.push(() => db.close());
  return postgresOutbox({ client: db });
}
async function server(): Promise<WebhookOutbox> {
  const pool = newPool(4);
  const table = `outbox_${process.pid}_${tables++}`;
  closers.push(async () => {
    await pool.query(`DROP TABLE IF EXISTS "${SCHEMA}"."${table}"`);
    await pool.end();
  });
  return postgresOutbox({ client: pool, schema: SCHEMA, table });
}

async function redis(): Promise<WebhookOutbox> {
  const client = ioredis();
  const prefix = uniquePrefix("i12-leaks-outbox");
  closers.push(async () => {
    await cleanup(sendOf(client), `{${prefix}}`);
    client.disconnect();
  });
  return redisOutbox({ client, prefix });
}

outboxContract("memoryOutbox", async () => memoryOutbox());
if (REDIS_URL) outboxContract("redisOutbox", redis);
else noteRedisSkip("test/webhooks/outbox.test.ts");
outboxContract("postgresOutbox on PGlite", pglite);
if (hasServer) outboxContract("postgresOutbox on PostgreSQL", server);
else noteSkip("postgresOutbox on PostgreSQL");

describe.each([
  ["postgresOutbox on PGlite", pglite] as const,
  ...(hasServer ? [["postgresOutbox on PostgreSQL", server] as const] : []),
  ...(REDIS_URL ? [["redisOutbox", redis] as const] : []),
])("%s: a restart loses nothing", (_name, make) => {
  it("an instance that dies mid-delivery leaves its messages; the next one delivers every one, same ids", async () => {
    const outbox = await make();
    const secret = generateWebhookSecret();
    const r = await receiver(); // down
    closers.push(() => r.stop());
    // instance A: its deliveries hang from the third attempt on, as if the process froze or died there
    let calls = 0;
    const dying = (async (url: string, init: RequestInit) => {
      if (++calls > 2) return new Promise(() => {});
      return fetch(url, init);
    }) as typeof fetch;
    const a = webhooks({
      endpoints: [{ url: r.url, secret }],
      store: outbox,
      fetch: dying,
      timeout: 200,
      retry: { attempts: 50, baseDelay: 20, maxDelay: 50 },
    });
    const kw = createKeyward({ store: memoryStore(), prefix: "cho", onEvent: a.onEvent });
    const created = [];
    for (let i = 0; i < 10; i++) created.push(await kw.create({ owner: "o", label: `k${i}` }));
    expect(await waitFor(() => calls > 2, 15_000)).not.toBeNull();
    expect(r.received).toHaveLength(0);

    // the receiver comes back; instance B starts on the same outbox
    await r.start();
    const b = webhooks({
      endpoints: [{ url: r.url, secret }],
      store: outbox,
      retry: { attempts: 50, baseDelay: 20, maxDelay: 200 },
    });
    closers.push(() => b.close());
    b.onEvent({ type: "key.updated", time: new Date().toISOString(), keyId: "kick", owner: "o", actor: null });
    await b.flush();

    const payloads = r.received.map((got) => verifyWebhook(secret, got.headers, got.body));
    const keyIds = new Set(payloads.filter((p) => p.type === "key.created").map((p) => p.data.keyId));
    expect([...keyIds].sort()).toEqual(created.map((c) => c.apiKey.id).sort());
    expect(await outbox.next()).toBeNull();
  }, 30_000);
});
