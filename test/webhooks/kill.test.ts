/**
 * At least once across a crash: a process delivering webhooks through a
 * PostgreSQL or Redis outbox is killed (SIGKILL) in the middle of its
 * retries; another instance on the same outbox delivers every message once
 * the receiver is back.
 */
import Redis from "ioredis";
import { postgresOutbox } from "keyward/postgres";
import { redisOutbox } from "keyward/redis";
import { generateWebhookSecret, verifyWebhook, type WebhookOutbox, webhooks } from "keyward/webhooks";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { DATABASE_URL, hasServer, noteSkip } from "../support/postgres.js";
import { cleanup, REDIS_URL, sendOf, uniquePrefix } from "../support/redis.js";
import { startTs } from "../support/spawn.js";
import { receiver } from "../support/webhook-receiver.js";

const COUNT = 25;

interface Setup {
  env: Record<string, string>;
  outbox: WebhookOutbox;
  cleanup(): Promise<void>;
}

function redisSetup(): Setup {
  const client = new Redis(REDIS_URL as string);
  const prefix = uniquePrefix("i12-leaks-kill");
  return {
    env: { OUTBOX: "redis", REDIS_URL: REDIS_URL as string, PREFIX: prefix },
    outbox: redisOutbox({ client, prefix }),
    cleanup: async () => {
      await cleanup(sendOf(client), `{${prefix}}`);
      client.disconnect();
    },
  };
}

function postgresSetup(): Setup {
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
  const table = `outbox_kill_${process.pid}`;
  return {
    env: { OUTBOX: "postgres", DATABASE_URL, SCHEMA: "webhook_kill", TABLE: table },
    outbox: postgresOutbox({ client: pool, schema: "webhook_kill", table }),
    cleanup: async () => {
      await pool.query(`DROP TABLE IF EXISTS "webhook_kill"."${table}"`);
      await pool.end();
    },
  };
}

const setups: [string, () => Setup][] = [];
if (REDIS_URL) setups.push(["Redis", redisSetup]);
if (hasServer) setups.push(["PostgreSQL", postgresSetup]);
if (!REDIS_URL) console.log("[kill.test] REDIS_URL is not set: skipping the Redis outbox kill test");
noteSkip("the PostgreSQL outbox kill test");

// without a server there is nothing to run: say so instead of leaving an empty file
if (setups.length === 0)
  describe.skip("webhooks through a durable outbox (needs REDIS_URL or DATABASE_URL)", () => it("kill test"));

describe.skipIf(setups.length === 0).each(setups)("webhooks through a %s outbox", (_name, make) => {
  it("a process killed mid-retry loses nothing: the next instance delivers every message, same ids", async () => {
    const setup = make();
    const secret = generateWebhookSecret();
    const r = await receiver(); // down until after the kill
    const child = startTs("test/support/webhook-child.ts", {
      env: { ...setup.env, URL: r.url, SECRET: secret, COUNT: String(COUNT) },
    });
    try {
      await child.waitFor(/attempted/, 30_000);
      process.kill(-(child.process.pid as number), "SIGKILL");
      await child.exited();

      await r.start();
      const next = webhooks({
        endpoints: [{ url: r.url, secret }],
        store: setup.outbox,
        retry: { attempts: 100, baseDelay: 50, maxDelay: 200 },
      });
      next.onEvent({ type: "key.updated", time: new Date().toISOString(), keyId: "after-restart", owner: "org_1", actor: null });
      await next.flush();
      await next.close();

      const payloads = r.received.map((got) => verifyWebhook(secret, got.headers, got.body));
      const created = new Set(payloads.filter((p) => p.type === "key.created").map((p) => p.data.keyId));
      expect(created.size).toBe(COUNT);
      expect(await setup.outbox.next()).toBeNull();
    } finally {
      await child.stop();
      await r.stop();
      await setup.cleanup();
    }
  }, 60_000);
});
