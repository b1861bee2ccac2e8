/**
 * Expiry notices wait in a durable outbox: with three instances on one
 * store, `key.expiring` and `key.expired` go out once each, survive the
 * restart of the instance that scheduled them, follow a rotation made on
 * another instance and never go out for a key revoked elsewhere.
 */
import { PGlite } from "@electric-sql/pglite";
import { createKeyward, type KeyStore } from "keyward";
import { type PgClient, postgresStore } from "keyward/postgres";
import { redisStore } from "keyward/redis";
import { generateWebhookSecret, verifyWebhook, type WebhookPayload, webhooks } from "keyward/webhooks";
import { describe, expect, it } from "vitest";
import { hasServer, newPool, noteSkip } from "../support/postgres.js";
import { cleanup, ioredis, REDIS_URL, sendOf, uniquePrefix } from "../support/redis.js";
import { receiver } from "../support/webhook-receiver.js";

interface Durable {
  store: KeyStore;
  close(): Promise<void>;
}

const kinds: [string, () => Promise<Durable>][] = [
  [
    "postgresStore on PGlite",
    async () => {
      const db = new PGlite();
      const client: PgClient = { query: (text, values) => db.query(text, values) };
      const store = postgresStore({ client, listen: false });
      await store.migrate();
      return { store, close: () => db.close() };
    },
  ],
];
if (hasServer) {
  kinds.push([
    "postgresStore on PostgreSQL",
    async () => {
      const pool = newPool(4);
      const schema = `expiry_durable_${process.pid}`;
      const store = postgresStore({ client: pool, schema, listen: false });
      await store.migrate();
      return {
        store,
        close: async () => {
          await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          await pool.end();
        },
      };
    },
  ]);
}
noteSkip("the expiry notices on PostgreSQL");
if (REDIS_URL) {
  kinds.push([
    "redisStore",
    async () => {
      const client = ioredis();
      const send = sendOf(client);
      const prefix = uniquePrefix("expiry-durable");
      return {
        store: redisStore({ sendCommand: send, prefix }),
        close: async () => {
          await cleanup(send, prefix);
          client.disconnect();
        },
      };
    },
  ]);
} else console.log("[expiry-durable.test] REDIS_URL is not set: skipping the expiry notices on Redis");

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(kinds)("expiry notices through %s's outbox", (_name, open) => {
  it("go out once across 3 instances, survive a restart, follow a rotation made elsewhere, skip a revocation", async () => {
    const durable = await open();
    const r = await receiver();
    await r.start();
    const secret = generateWebhookSecret();
    const instances: { close(): Promise<void> }[] = [];
    const instance = () => {
      const hooks = webhooks({
        endpoints: [{ url: r.url, secret, events: ["key.expiring", "key.expired"] }],
        store: durable.store,
        expiringBefore: 800,
        pollInterval: 50,
      });
      const kw = createKeyward({ store: durable.store, prefix: "cho", onEvent: hooks.onEvent, lastUsed: false });
      instances.push(hooks, kw);
      return { hooks, kw };
    };
    try {
      const a = instance();
      const b = instance();
      const c = instance();
      const start = Date.now();
      const kept = await a.kw.create({ owner: "org_1", label: "kept", expiresAt: start + 1_500 });
      const revoked = await a.kw.create({ owner: "org_1", label: "revoked", expiresAt: start + 1_500 });
      const moved = await a.kw.create({ owner: "org_1", label: "moved", expiresAt: start + 3_000 });
      await a.hooks.close(); // A stops before any notice is due: what it scheduled stays in the outbox
      await b.kw.update(kept.apiKey.id, { label: "kept (renamed)" }); // B schedules the same notices again
      await b.kw.revoke(revoked.apiKey.id);
      await c.kw.rotate(moved.apiKey.id, { gracePeriod: 1_200 }); // C moves the expiry earlier
      const movedTo = (await durable.store.get(moved.apiKey.id))?.expiresAt as number;
      expect(movedTo).toBeLessThan(start + 3_000);
      instance(); // A again, restarted
      await sleep(Math.max(0, start + 3_600 - Date.now()));

      const ours = new Set([kept.apiKey.id, revoked.apiKey.id, moved.apiKey.id]);
      const got = r.received
        .map((m) => ({
          id: m.headers["webhook-id"],
          at: m.at,
          payload: verifyWebhook(secret, m.headers, m.body) as WebhookPayload,
        }))
        .filter((g) => ours.has(g.payload.data.keyId as string));
      const seen = (keyId: string) =>
        got
          .filter((g) => g.payload.data.keyId === keyId)
          .map((g) => [g.payload.type, g.payload.data.expiresAt])
          .sort();
      expect(seen(kept.apiKey.id)).toEqual([
        ["key.expired", new Date(start + 1_500).toISOString()],
        ["key.expiring", new Date(start + 1_500).toISOString()],
      ]);
      expect(seen(revoked.apiKey.id)).toEqual([]);
      expect(seen(moved.apiKey.id)).toEqual([
        ["key.expired", new Date(movedTo).toISOString()],
        ["key.expiring", new Date(movedTo).toISOString()],
      ]);
      expect(new Set(got.map((g) => g.id)).size).toBe(got.length);
      const expired = got.find((g) => g.payload.type === "key.expired" && g.payload.data.keyId === kept.apiKey.id);
      expect(expired?.at).toBeGreaterThanOrEqual(start + 1_500);
    } finally {
      for (const i of instances.reverse()) await i.close();
      await r.stop();
      await durable.close();
    }
  }, 30_000);
});
