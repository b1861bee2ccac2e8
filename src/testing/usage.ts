import {
  consumeUsage,
  createKeyward,
  type KeyStore,
  type RateWindow,
  type StoredCredits,
  type UsageOutcome,
  type UsageRequest,
} from "keyward";
import { makeRecord } from "./fixtures.js";
import type { ConformanceOptions } from "./types.js";

/** Concurrent clients in the exactness cases. */
const CLIENTS = 64;
/** keyward instances sharing the store in the exactness cases. */
const INSTANCES = 3;
const T0 = 1_800_000_000_000;

const noted = new Set<string>();

/**
 * The store when it implements the optional `consume()`; otherwise null,
 * after saying once why the usage-control cases pass without running.
 */
async function consuming(options: ConformanceOptions): Promise<(KeyStore & Required<Pick<KeyStore, "consume">>) | null> {
  const s = await options.store();
  if (typeof s.consume === "function") return s as KeyStore & Required<Pick<KeyStore, "consume">>;
  if (!noted.has(options.name)) {
    noted.add(options.name);
    console.warn(
      `keyward store conformance: ${options.name} has no consume(), so rate limits and credits are unsupported; usage-control cases skipped`,
    );
  }
  return null;
}

/** The reference answers of a series of requests, with the state they leave. */
function model(
  credits: StoredCredits | null,
  requests: readonly UsageRequest[],
): { outcomes: UsageOutcome[]; credits: StoredCredits | null } {
  let window: RateWindow | null = null;
  let current = credits;
  const outcomes: UsageOutcome[] = [];
  for (const request of requests) {
    const step = consumeUsage(current, window, request);
    outcomes.push(step.outcome);
    window = step.window;
    current = step.credits;
  }
  return { outcomes, credits: current };
}

/** Runs `clients` loops concurrently. */
async function clients(count: number, loop: (client: number) => Promise<void>): Promise<void> {
  await Promise.all(Array.from({ length: count }, (_, i) => loop(i)));
}

/** Usage control: the optional `consume()`, its reference semantics, and exactness under concurrency. */
export function usageSuite(options: ConformanceOptions): void {
  const { describe, it, expect } = options;
  describe("usage control (optional consume)", () => {
    it("round-trips ratelimit, credits and allowedIps through insert, update, get and findByHash", async () => {
      const s = await consuming(options);
      if (!s) return;
      const record = makeRecord({
        ratelimit: { limit: 100, window: 60_000 },
        credits: { remaining: 500, refill: { amount: 500, interval: 3_600_000 }, refilledAt: T0 },
        allowedIps: ["203.0.113.0/24", "2001:db8::/32"],
      });
      await s.insert(record);
      expect(await s.get(record.id)).toEqual(record);
      expect(await s.findByHash(record.hash)).toEqual(record);
      const patched = await s.update(record.id, { ratelimit: null, credits: { remaining: 7, refill: null, refilledAt: null } });
      const expected = { ...record, ratelimit: null, credits: { remaining: 7, refill: null, refilledAt: null } };
      expect({ ...patched, ratelimit: patched?.ratelimit ?? null }).toEqual(expected);
      const read = await s.get(record.id);
      expect({ ...read, ratelimit: read?.ratelimit ?? null }).toEqual(expected);
      const cleared = await s.update(record.id, { credits: null, allowedIps: null });
      expect(cleared?.credits ?? null).toBeNull();
      expect(cleared?.allowedIps ?? null).toBeNull();
    });

    it("answers null for an unknown hash", async () => {
      const s = await consuming(options);
      if (!s) return;
      expect(await s.consume("v1:unknown-hash-value", { now: T0, cost: 1, ratelimit: { limit: 1, window: 1 } })).toBeNull();
    });

    it("gives consumeUsage's answers for a series of requests, and stores its credits", async () => {
      const s = await consuming(options);
      if (!s) return;
      const credits: StoredCredits = { remaining: 5, refill: { amount: 4, interval: 10_000 }, refilledAt: T0 };
      const ratelimit = { limit: 3, window: 1_000 };
      const record = makeRecord({ ratelimit, credits });
      await s.insert(record);
      const at = [0, 10, 20, 30, 999, 1_000, 1_500, 2_400, 2_401, 9_999, 10_000, 10_001, 10_002, 25_000, 40_000];
      const costs = [1, 2, 1, 1, 1, 1, 3, 1, 0, 1, 2, 3, 1, 4, 1];
      const requests = at.map((t, i) => ({ now: T0 + t, cost: costs[i] as number, ratelimit }));
      const expected = model(credits, requests);
      const answers: unknown[] = [];
      for (const request of requests) answers.push(await s.consume(record.hash, request));
      expect(answers).toEqual(expected.outcomes);
      expect((await s.get(record.id))?.credits).toEqual(expected.credits);
    });

    it("reads the key as it stands: credits set by an update count, and the rate window carries on", async () => {
      const s = await consuming(options);
      if (!s) return;
      const ratelimit = { limit: 3, window: 1_000 };
      const record = makeRecord({ ratelimit, credits: { remaining: 5, refill: null, refilledAt: null } });
      await s.insert(record);
      const request = (t: number) => ({ now: T0 + t, cost: 1, ratelimit });
      await s.consume(record.hash, request(0));
      await s.consume(record.hash, request(1));
      await s.update(record.id, { credits: { remaining: 10, refill: null, refilledAt: null }, label: "topped up" });
      const third = await s.consume(record.hash, request(2));
      expect(third).toMatchObject({ ok: true, window: { count: 3 }, credits: { remaining: 9 } });
      expect(await s.consume(record.hash, request(3))).toMatchObject({ ok: false, reason: "rate_limited" });
      expect((await s.get(record.id))?.credits?.remaining).toBe(9);
    });

    it("counts a rate limit without credits, and credits without a rate limit", async () => {
      const s = await consuming(options);
      if (!s) return;
      const limited = makeRecord({ ratelimit: { limit: 2, window: 500 } });
      const metered = makeRecord({ credits: { remaining: 3, refill: null, refilledAt: null } });
      await s.insert(limited);
      await s.insert(metered);
      const rl = [0, 1, 2, 499, 500, 700, 1_000, 2_500].map((t) => ({
        now: T0 + t,
        cost: 1,
        ratelimit: limited.ratelimit ?? null,
      }));
      const cr = [0, 1, 2, 3].map((t) => ({ now: T0 + t, cost: t === 1 ? 2 : 1, ratelimit: null }));
      const a: unknown[] = [];
      for (const r of rl) a.push(await s.consume(limited.hash, r));
      const b: unknown[] = [];
      for (const r of cr) b.push(await s.consume(metered.hash, r));
      expect(a).toEqual(model(null, rl).outcomes);
      expect(b).toEqual(model(metered.credits ?? null, cr).outcomes);
    });

    it(`admits exactly 100 of a limit of 100 under ${CLIENTS} concurrent clients on ${INSTANCES} keyward instances`, async () => {
      const s = await consuming(options);
      if (!s) return;
      const instances = Array.from({ length: INSTANCES }, () => createKeyward({ store: s, lastUsed: false }));
      const { key } = await (instances[0] as (typeof instances)[0]).create({
        owner: `usage-${crypto.randomUUID()}`,
        label: "exactness",
        ratelimit: { limit: 100, window: 3_600_000 },
      });
      let accepted = 0;
      let refused = 0;
      await clients(CLIENTS, async (client) => {
        const kw = instances[client % INSTANCES] as (typeof instances)[0];
        for (let i = 0; i < 4; i++) {
          const result = await kw.verify(key);
          if (result.ok) accepted++;
          else if (result.error.code === "rate_limited") refused++;
          else throw new Error(`unexpected verification failure: ${result.error.code}`);
        }
      });
      expect(accepted).toBe(100);
      expect(refused).toBe(CLIENTS * 4 - 100);
      await Promise.all(instances.map((kw) => kw.close()));
    }, 60_000);

    it(`never overspends 1,000 credits under ${CLIENTS}-way concurrency with random costs`, async () => {
      const s = await consuming(options);
      if (!s) return;
      const instances = Array.from({ length: INSTANCES }, () => createKeyward({ store: s, lastUsed: false }));
      const { key, apiKey } = await (instances[0] as (typeof instances)[0]).create({
        owner: `usage-${crypto.randomUUID()}`,
        label: "credits",
        credits: { remaining: 1_000 },
      });
      let spent = 0;
      let lowest = Number.POSITIVE_INFINITY;
      await clients(CLIENTS, async (client) => {
        const kw = instances[client % INSTANCES] as (typeof instances)[0];
        let cost = 1 + Math.floor(Math.random() * 25);
        for (;;) {
          const result = await kw.verify(key, { cost });
          if (result.ok) {
            spent += cost;
            lowest = Math.min(lowest, result.key.remaining ?? Number.NaN);
            cost = 1 + Math.floor(Math.random() * 25);
          } else if (result.error.code !== "usage_exceeded") throw new Error(`unexpected failure: ${result.error.code}`);
          else if (cost === 1)
            return; // nothing left at all
          else cost = 1; // drain what is left one credit at a time
        }
      });
      expect(spent).toBe(1_000);
      expect(lowest).toBe(0);
      expect((await s.get(apiKey.id))?.credits?.remaining).toBe(0);
      await Promise.all(instances.map((kw) => kw.close()));
    }, 60_000);

    it(`refills exactly once at an interval boundary under ${CLIENTS}-way concurrency`, async () => {
      const s = await consuming(options);
      if (!s) return;
      const record = makeRecord({ credits: { remaining: 0, refill: { amount: 50, interval: 1_000 }, refilledAt: T0 } });
      await s.insert(record);
      const burst = async (now: number) => {
        const answers = await Promise.all(
          Array.from({ length: CLIENTS }, () => s.consume(record.hash, { now, cost: 1, ratelimit: null })),
        );
        return answers.filter((a) => a?.ok).length;
      };
      expect(await burst(T0 + 999)).toBe(0);
      expect(await burst(T0 + 1_000)).toBe(50);
      expect(await burst(T0 + 1_999)).toBe(0);
      expect(await burst(T0 + 2_000)).toBe(50);
      expect((await s.get(record.id))?.credits).toEqual({ ...record.credits, remaining: 0, refilledAt: T0 + 2_000 });
    }, 60_000);
  });
}
