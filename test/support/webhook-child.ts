/**
 * A second process delivering webhooks through a durable outbox, for the
 * kill test: it queues COUNT events for URL (a receiver that is down), says
 * `attempted` once every message failed at least once, and keeps retrying
 * until it is killed. OUTBOX is `redis` (REDIS_URL, PREFIX) or `postgres`
 * (DATABASE_URL, SCHEMA, TABLE); SECRET is the endpoint's secret.
 */
import Redis from "ioredis";
import { postgresOutbox } from "keyward/postgres";
import { redisOutbox } from "keyward/redis";
import { webhooks } from "keyward/webhooks";
import pg from "pg";

const env = process.env as Record<string, string>;
const count = Number(env.COUNT);
const outbox =
  env.OUTBOX === "redis"
    ? redisOutbox({ client: new Redis(env.REDIS_URL as string), prefix: env.PREFIX })
    : postgresOutbox({ client: new pg.Pool({ connectionString: env.DATABASE_URL }), schema: env.SCHEMA, table: env.TABLE });
const failed = new Set<string>();
const hooks = webhooks({
  endpoints: [{ url: env.URL as string, secret: env.SECRET as string }],
  store: outbox,
  timeout: 500,
  retry: { attempts: 100, baseDelay: 50, maxDelay: 200 },
  onFailure: (f) => {
    failed.add(f.id);
    if (failed.size === count) console.log("attempted");
  },
});
for (let i = 0; i < count; i++) {
  hooks.onEvent({ type: "key.created", time: new Date().toISOString(), keyId: `key_${i}`, owner: "org_1", actor: null });
}
setInterval(() => {}, 1_000); // stay up until killed
