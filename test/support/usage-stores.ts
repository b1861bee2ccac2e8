/**
 * Usage control (`KeyStore.consume`) checks shared by the Postgres and Redis
 * store tests: a differential property test against the pure reference
 * `consumeUsage()`, and the exactness cases under concurrency.
 */
import fc from "fast-check";
import {
  consumeUsage,
  type KeyRecord,
  type KeyStore,
  type RateLimit,
  type RateWindow,
  type StoredCredits,
  type UsageOutcome,
} from "keyward";
import { makeRecord } from "keyward/testing";
import { expect } from "vitest";

/** A store with `consume` (the stores under test all have it). */
export type ConsumingStore = KeyStore & Required<Pick<KeyStore, "consume">>;

const T0 = 1_800_000_000_000;

const limits: fc.Arbitrary<RateLimit | null> = fc.oneof(
  fc.constant(null),
  fc.record({ limit: fc.integer({ min: 0, max: 6 }), window: fc.integer({ min: 1, max: 40 }) }),
  fc.constant({ limit: 3, window: 20 }),
  // realistic sizes: the weighted previous window at day-long windows and large counts
  fc.record({ limit: fc.integer({ min: 1, max: 1_000_000 }), window: fc.integer({ min: 1, max: 86_400_000 }) }),
);

const credits: fc.Arbitrary<StoredCredits | null> = fc.oneof(
  fc.constant(null),
  fc.record({
    remaining: fc.oneof(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 2_000_000 })),
    refill: fc.oneof(
      fc.constant(null),
      fc.record({ amount: fc.integer({ min: 0, max: 12 }), interval: fc.integer({ min: 1, max: 60 }) }),
      fc.record({ amount: fc.integer({ min: 0, max: 2_000_000 }), interval: fc.integer({ min: 1, max: 86_400_000 }) }),
    ),
    refilledAt: fc.oneof(fc.constant(T0), fc.constant(T0 - 7), fc.constant(null)),
  }),
);

const steps = fc.array(
  fc.record({
    // mostly forward, sometimes a clock behind the last one (another instance), sometimes far ahead
    advance: fc.oneof(
      fc.integer({ min: 0, max: 15 }),
      fc.integer({ min: -8, max: -1 }),
      fc.integer({ min: 30, max: 130 }),
      fc.integer({ min: 0, max: 200_000_000 }),
    ),
    cost: fc.oneof(fc.constant(1), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 1_000_000 })),
    // the key's limit stays put in practice; a changing one must still agree
    change: fc.oneof(fc.constant(null), limits),
  }),
  { minLength: 1, maxLength: 40 },
);

/**
 * Random sequences of (time, cost, limit) applied to a fresh record in the
 * store and to `consumeUsage()` give the same outcomes, and the store keeps
 * the same credits. `KEYWARD_USAGE_RUNS` sets the number of sequences.
 */
export async function differential(open: () => Promise<ConsumingStore>, numRuns = 60): Promise<void> {
  const store = await open();
  await fc.assert(
    fc.asyncProperty(credits, limits, steps, async (initial, firstLimit, sequence) => {
      const record = makeRecord({ credits: initial });
      await store.insert(record);
      let refCredits: StoredCredits | null = initial;
      let refWindow: RateWindow | null = null;
      let limit = firstLimit;
      let now = T0;
      for (const step of sequence) {
        now += step.advance;
        if (step.change !== null) limit = step.change;
        const request = { now, cost: step.cost, ratelimit: limit };
        const expected = consumeUsage(refCredits, refWindow, request);
        refCredits = expected.credits;
        refWindow = expected.window;
        expect(await store.consume(record.hash, request)).toEqual(expected.outcome);
      }
      const stored = await store.findByHash(record.hash);
      expect(stored?.credits ?? null).toEqual(refCredits);
    }),
    { numRuns: Number(process.env.KEYWARD_USAGE_RUNS ?? numRuns) },
  );
}

/** Runs `count` async workers at once. */
function all<T>(count: number, worker: (i: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => worker(i)));
}

/**
 * `limit: 100`: 64 concurrent clients, spread over the given store instances
 * (one database), each trying 4 times within one window → exactly 100 ok.
 */
export async function exactLimit(stores: readonly ConsumingStore[]): Promise<void> {
  const record = makeRecord();
  await stores[0]?.insert(record);
  const ratelimit = { limit: 100, window: 60_000 };
  const results = await all(64, async (i) => {
    const store = stores[i % stores.length] as ConsumingStore;
    const outcomes: (UsageOutcome | null)[] = [];
    for (let n = 0; n < 4; n++) outcomes.push(await store.consume(record.hash, { now: T0 + n, cost: 1, ratelimit }));
    return outcomes;
  });
  const flat = results.flat();
  expect(flat.every((o) => o !== null)).toBe(true);
  expect(flat.filter((o) => o?.ok).length).toBe(100);
  expect(flat.filter((o) => !o?.ok).every((o) => o?.reason === "rate_limited")).toBe(true);
  const counts = flat.filter((o) => o?.ok).map((o) => o?.window?.count);
  expect(new Set(counts).size).toBe(100); // every success saw its own count: 1…100
}

/**
 * Credits 1,000 spent by 64 concurrent clients with random costs: never
 * negative, and the accepted costs sum to exactly 1,000.
 */
export async function exactCredits(stores: readonly ConsumingStore[]): Promise<void> {
  const record = makeRecord({ credits: { remaining: 1_000, refill: null, refilledAt: T0 } });
  await stores[0]?.insert(record);
  let accepted = 0;
  let lowest = Number.POSITIVE_INFINITY;
  await all(64, async (i) => {
    const store = stores[i % stores.length] as ConsumingStore;
    let cost = 1 + Math.floor(Math.random() * 20);
    for (;;) {
      const outcome = await store.consume(record.hash, { now: T0 + 1, cost, ratelimit: null });
      const remaining = outcome?.credits?.remaining ?? Number.NaN;
      lowest = Math.min(lowest, remaining);
      if (outcome?.ok) accepted += cost;
      else expect(outcome?.reason).toBe("usage_exceeded");
      if (remaining === 0 || Number.isNaN(remaining)) return;
      cost = outcome?.ok ? 1 + Math.floor(Math.random() * 20) : Math.min(cost, remaining);
    }
  });
  expect(lowest).toBe(0);
  expect(accepted).toBe(1_000);
  expect((await stores[0]?.findByHash(record.hash))?.credits?.remaining).toBe(0);
}

/**
 * At a refill boundary, 64 concurrent clients see exactly one refill: of
 * 50 credits refilled, exactly 50 are spent, and the refill clock moves once.
 */
export async function oneRefill(stores: readonly ConsumingStore[]): Promise<void> {
  const refill = { amount: 50, interval: 1_000 };
  const record: KeyRecord = makeRecord({ credits: { remaining: 0, refill, refilledAt: T0 } });
  await stores[0]?.insert(record);
  const outcomes = (
    await all(64, async (i) => {
      const store = stores[i % stores.length] as ConsumingStore;
      const seen: (UsageOutcome | null)[] = [];
      for (let n = 0; n < 2; n++) seen.push(await store.consume(record.hash, { now: T0 + 1_000 + n, cost: 1, ratelimit: null }));
      return seen;
    })
  ).flat();
  expect(outcomes.filter((o) => o?.ok).length).toBe(50);
  expect(new Set(outcomes.map((o) => o?.credits?.refilledAt))).toEqual(new Set([T0 + 1_000]));
  expect((await stores[0]?.findByHash(record.hash))?.credits).toEqual({ remaining: 0, refill, refilledAt: T0 + 1_000 });
}

/**
 * Every `consume` costs exactly one round trip (`sent()` counts statements
 * or commands) whatever the outcome, and none for a key that does not exist
 * beyond that one.
 */
export async function oneRoundTrip(store: ConsumingStore, sent: () => number): Promise<void> {
  const record = makeRecord({ credits: { remaining: 2, refill: { amount: 2, interval: 100 }, refilledAt: T0 } });
  await store.insert(record);
  const ratelimit = { limit: 2, window: 1_000 };
  await store.consume(record.hash, { now: T0, cost: 0, ratelimit }); // warm up (a Redis script loads once)
  const requests = [
    { now: T0 + 1, cost: 1, ratelimit },
    { now: T0 + 2, cost: 1, ratelimit }, // rate limited
    { now: T0 + 1_001, cost: 5, ratelimit }, // usage exceeded, after a refill
    { now: T0 + 1_002, cost: 1, ratelimit: null },
  ];
  for (const request of requests) {
    const before = sent();
    await store.consume(record.hash, request);
    expect(sent() - before).toBe(1);
  }
  const before = sent();
  expect(await store.consume("v1:no-such-key", { now: T0, cost: 1, ratelimit })).toBeNull();
  expect(sent() - before).toBe(1);
}
