import { createKeyward, type KeyStore, type VerifyResult } from "keyward";
import { memoryStore } from "keyward/memory";
import { describe, expect, it } from "vitest";

/** The memory store, answering findByHash with the record as read at call time after `hops` microtasks. */
function laggingReads(hops: () => number): KeyStore {
  const inner = memoryStore();
  return {
    ...inner,
    watch: inner.watch,
    async findByHash(hash) {
      const record = inner.findByHash(hash);
      for (let i = hops(); i > 0; i--) await Promise.resolve();
      return record;
    },
  };
}

/** Deterministic pseudo-random numbers, so a failure replays. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

async function race(store: KeyStore, cache: boolean, seed: number) {
  const rand = lcg(seed);
  const kw = createKeyward({ store, prefix: "kw", lastUsed: false, ...(cache ? { cache: { ttl: 60_000 } } : {}) });
  const { key, apiKey } = await kw.create({ owner: "o", label: "k" });
  let revokeResolved = false;
  let okBefore = 0;
  let after = 0;
  let okAfter = 0;
  const settle = (r: VerifyResult) => {
    if (!revokeResolved) {
      if (r.ok) okBefore++;
      return;
    }
    after++;
    if (r.ok) okAfter++;
  };
  const runs: Promise<void>[] = [];
  let revoke: Promise<void> | null = null;
  for (let i = 0; i < 1_000; i++) {
    if (i === 400) revoke = kw.revoke(apiKey.id).then(() => void (revokeResolved = true));
    runs.push(kw.verify(key).then(settle));
    // spread the calls over microtasks and macrotasks
    const pause = rand();
    if (pause < 0.3) await Promise.resolve();
    else if (pause < 0.35) await new Promise((r) => setImmediate(r));
  }
  await revoke;
  await Promise.all(runs);
  return { okBefore, after, okAfter };
}

describe("verifications racing a revoke (SECURITY 27)", () => {
  it.each([
    ["the memory store", false, false],
    ["the memory store with a cache", false, true],
    ["a memory store answering after 0-5 microtasks", true, false],
    ["a memory store answering after 0-5 microtasks, with a cache", true, true],
  ])("on %s: none of 1,000 resolves ok after revoke() resolved", async (_name, lag, cache) => {
    for (const seed of [1, 2, 3]) {
      const rand = lcg(seed * 31);
      const store = lag ? laggingReads(() => Math.floor(rand() * 6)) : memoryStore();
      const { okBefore, after, okAfter } = await race(store, cache, seed);
      expect(okAfter).toBe(0);
      // the race was real: calls resolved on both sides of the revoke
      expect(okBefore).toBeGreaterThan(0);
      expect(after).toBeGreaterThan(0);
    }
  });
});
