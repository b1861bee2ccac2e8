import { PGlite } from "@electric-sql/pglite";
import { createKeyward } from "keyward";
import { memoryStore } from "keyward/memory";
import { postgresOutbox, postgresStore } from "keyward/postgres";
import { redisOutbox, redisStore } from "keyward/redis";
import { webhookOutboxConformance } from "keyward/testing";
import { generateWebhookSecret, memoryOutbox, verifyWebhook, type WebhookOutbox, webhooks } from "keyward/webhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasServer, newPool, noteSkip, waitFor } from "../support/postgres.js";
import { cleanup, ioredis, noteSkip as noteRedisSkip, REDIS_URL, sendOf, uniquePrefix } from "../support/redis.js";
import { receiver } from "../support/webhook-receiver.js";

const SCHEMA = "outbox_contract";
const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const close of closers.splice(0)) await close();
});

let tables = 0;
/** One PGlite for the file (it is slow to start: in beforeAll, not in a test), a fresh table per outbox. */
const shared = new PGlite();
beforeAll(() => shared.waitReady);
closers.push(() => shared.close());
async function pglite(): Promise<WebhookOutbox> {
  return postgresOutbox({ client: shared, table: `outbox_${tables++}` });
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
  const prefix = uniquePrefix("outbox-contract");
  closers.push(async () => {
    await cleanup(sendOf(client), `{${prefix}}`);
    client.disconnect();
  });
  return redisOutbox({ client, prefix });
}

const conformance = (name: string, outbox: () => Promise<WebhookOutbox> | WebhookOutbox) =>
  webhookOutboxConformance({ name, outbox, describe, it, expect });
conformance("memoryOutbox", () => memoryOutbox());
if (REDIS_URL) conformance("redisOutbox", redis);
else noteRedisSkip("test/webhooks/outbox.test.ts");
conformance("postgresOutbox on PGlite", pglite);
if (hasServer) conformance("postgresOutbox on PostgreSQL", server);
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

describe("webhooks({ store }) with a keyward store", () => {
  it("postgresStore: its own outbox (one object), in the keyward_webhook_outbox table beside the keys", async () => {
    const db = new PGlite();
    closers.push(() => db.close());
    const store = postgresStore({ client: db });
    await store.migrate();
    expect(store.webhookOutbox()).toBe(store.webhookOutbox());
    const r = await receiver();
    closers.push(() => r.stop());
    const secret = generateWebhookSecret();
    const hooks = webhooks({ endpoints: [{ url: r.url, secret }], store, retry: { attempts: 3, baseDelay: 10_000 } });
    closers.push(() => hooks.close());
    const kw = createKeyward({ store, prefix: "cho", onEvent: hooks.onEvent });
    await kw.create({ owner: "o", label: "a" });
    expect(
      await waitFor(
        async () => (await db.query("SELECT count(*)::int AS n FROM keyward_webhook_outbox")).rows.length > 0,
        15_000,
      ),
    ).not.toBeNull();
    await r.start();
    await hooks.close();
  }, 30_000);

  it("memoryStore (no outbox of its own): the in-memory outbox delivers", async () => {
    const r = await receiver();
    await r.start();
    closers.push(() => r.stop());
    const secret = generateWebhookSecret();
    const store = memoryStore();
    const hooks = webhooks({ endpoints: [{ url: r.url, secret }], store });
    const kw = createKeyward({ store, prefix: "cho", onEvent: hooks.onEvent });
    await kw.create({ owner: "o", label: "a" });
    await hooks.flush();
    await hooks.close();
    expect(r.received.map((got) => verifyWebhook(secret, got.headers, got.body).type)).toEqual(["key.created"]);
  });

  it.skipIf(!REDIS_URL)("redisStore: its own outbox under <namespace>:outbox", async () => {
    const client = ioredis();
    const namespace = uniquePrefix("i12-leaks-store");
    closers.push(async () => {
      await cleanup(sendOf(client), `{${namespace}:outbox}`);
      client.disconnect();
    });
    const store = redisStore({ client, namespace });
    const outbox = store.webhookOutbox();
    expect(store.webhookOutbox()).toBe(outbox);
    await outbox.enqueue([{ id: "m1", url: "http://x", type: "key.created", body: "{}", attempts: 0, nextAttemptAt: 0 }]);
    expect(await sendOf(client)(["ZCARD", `{${namespace}:outbox}:due`])).toBe(1);
  });
});
