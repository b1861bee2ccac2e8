import type { KeyStore, Use } from "keyward";
import { createKeyward } from "keyward";
import { memoryStore } from "keyward/memory";
import { describe, expect, it, vi } from "vitest";
import { countingStore, deferred, manualClock, sleep } from "../support/core.js";

/** A memory store that records every touch batch and can be told to fail touches. */
function touchSpy(failures = 0) {
  const inner = memoryStore();
  const batches: Use[][] = [];
  let toFail = failures;
  const store: KeyStore = {
    ...inner,
    touch(uses) {
      batches.push(uses.map((u) => ({ ...u })));
      if (toFail > 0) {
        toFail--;
        throw new Error("touch failed");
      }
      return inner.touch(uses);
    },
  };
  return { store, inner, batches };
}

describe("last-used tracking", () => {
  it.each([
    ["a past", Date.UTC(2020, 0, 1)],
    ["a future", Date.UTC(2040, 0, 1)],
  ])("coalesces to at most one store write per key per window, with %s injected clock", async (_name, start) => {
    const clock = manualClock(start);
    const { store, batches } = touchSpy();
    const kw = createKeyward({ store, prefix: "kw", now: clock.now, lastUsed: { window: 60_000, flushDelay: 1 } });
    const a = await kw.create({ owner: "o", label: "a" });
    const b = await kw.create({ owner: "o", label: "b" });
    for (let i = 0; i < 50; i++) {
      expect((await kw.verify(a.key)).ok).toBe(true);
      expect((await kw.verify(b.key)).ok).toBe(true);
    }
    await sleep(20);
    expect(batches).toHaveLength(1);
    expect(batches[0]?.map((u) => u.id).sort()).toEqual([a.apiKey.id, b.apiKey.id].sort());
    // later in the same window: nothing new is written
    clock.advance(59_999);
    for (let i = 0; i < 20; i++) await kw.verify(a.key);
    await sleep(20);
    for (let i = 0; i < 20; i++) await kw.verify(a.key);
    await kw.close();
    expect(batches).toHaveLength(1);
    // the next window: one more write, for the key used
    clock.advance(1);
    await kw.verify(a.key);
    await kw.close();
    expect(batches).toHaveLength(2);
    expect(batches[1]).toEqual([{ id: a.apiKey.id, at: start + 60_000 }]);
    expect((await kw.get(a.apiKey.id))?.lastUsedAt).toBe(new Date(start + 60_000).toISOString());
  });

  it("is flushed by close(), before any timer would fire", async () => {
    const clock = manualClock();
    const store = countingStore();
    const kw = createKeyward({ store, prefix: "kw", now: clock.now, lastUsed: { flushDelay: 3_600_000 } });
    const { key, apiKey } = await kw.create({ owner: "o", label: "k" });
    await kw.verify(key);
    expect(store.calls.touch).toBe(0);
    await kw.close();
    expect(store.calls.touch).toBe(1);
    expect((await kw.get(apiKey.id))?.lastUsedAt).toBe(new Date(clock.now()).toISOString());
  });

  it("is monotonic: an instance with an older time never overwrites a newer one", async () => {
    const store = memoryStore();
    const late = manualClock(Date.UTC(2030, 0, 2));
    const early = manualClock(Date.UTC(2030, 0, 1));
    const a = createKeyward({ store, prefix: "kw", now: late.now, lastUsed: { flushDelay: 3_600_000 } });
    const b = createKeyward({ store, prefix: "kw", now: early.now, lastUsed: { flushDelay: 3_600_000 } });
    const { key, apiKey } = await a.create({ owner: "o", label: "k" });
    await a.verify(key);
    await b.verify(key);
    await a.close();
    await b.close();
    expect((await store.get(apiKey.id))?.lastUsedAt).toBe(late.now());
  });

  it("a failing write never fails a verification, and is retried once", async () => {
    const { store, inner, batches } = touchSpy(1);
    const kw = createKeyward({ store, prefix: "kw", lastUsed: { flushDelay: 1 } });
    const { key, apiKey } = await kw.create({ owner: "o", label: "k" });
    expect((await kw.verify(key)).ok).toBe(true);
    await vi.waitFor(() => expect(batches).toHaveLength(2), { timeout: 5_000, interval: 5 });
    await sleep(30);
    expect(batches).toHaveLength(2); // once, not again
    expect(batches[1]).toEqual(batches[0]);
    expect((await inner.get(apiKey.id))?.lastUsedAt).not.toBeNull();
  });

  it("a write that keeps failing is retried exactly once, then dropped; verifications stay ok", async () => {
    const { store, batches } = touchSpy(Number.POSITIVE_INFINITY);
    const kw = createKeyward({ store, prefix: "kw", lastUsed: { flushDelay: 1 } });
    const { key } = await kw.create({ owner: "o", label: "k" });
    for (let i = 0; i < 5; i++) expect((await kw.verify(key)).ok).toBe(true);
    await sleep(40);
    await kw.close();
    expect(batches).toHaveLength(2);
    expect((await kw.verify(key)).ok).toBe(true);
  });

  it("a touch that rejects asynchronously is handled like one that throws", async () => {
    const inner = memoryStore();
    let calls = 0;
    const store: KeyStore = { ...inner, touch: () => (calls++, Promise.reject(new Error("later"))) };
    const kw = createKeyward({ store, prefix: "kw", lastUsed: { flushDelay: 1 } });
    const { key } = await kw.create({ owner: "o", label: "k" });
    expect((await kw.verify(key)).ok).toBe(true);
    await sleep(30);
    await expect(kw.close()).resolves.toBeUndefined();
    expect(calls).toBe(2);
  });

  it("lastUsed: false never writes", async () => {
    const store = countingStore();
    const kw = createKeyward({ store, prefix: "kw", lastUsed: false });
    const { key } = await kw.create({ owner: "o", label: "k" });
    await kw.verify(key);
    await kw.close();
    expect(store.calls.touch).toBe(0);
  });
});

describe("last-used never undoes a state change (SECURITY 29)", () => {
  it("a disable on this instance after a verification is not undone by the flush", async () => {
    const store = memoryStore();
    const kw = createKeyward({ store, prefix: "kw", lastUsed: { flushDelay: 3_600_000 } });
    const { key, apiKey } = await kw.create({ owner: "o", label: "k" });
    expect((await kw.verify(key)).ok).toBe(true);
    await kw.disable(apiKey.id);
    await kw.close();
    const record = await store.get(apiKey.id);
    expect(record?.disabledAt).not.toBeNull();
    expect(await kw.verify(key)).toMatchObject({ ok: false, error: { code: "disabled" } });
  });

  it("a disable by another instance while the use is pending is not undone", async () => {
    const store = memoryStore();
    const a = createKeyward({ store, prefix: "kw", lastUsed: { flushDelay: 3_600_000 } });
    const b = createKeyward({ store, prefix: "kw", lastUsed: false });
    const { key, apiKey } = await a.create({ owner: "o", label: "k" });
    const r = await a.create({ owner: "o", label: "r" });
    expect((await a.verify(key)).ok).toBe(true);
    expect((await a.verify(r.key)).ok).toBe(true);
    const disabled = await b.disable(apiKey.id);
    await b.revoke(r.apiKey.id);
    await a.close();
    const after = await store.get(apiKey.id);
    expect(after?.disabledAt).toBe(Date.parse(disabled.disabledAt as string));
    expect(after?.lastUsedAt).toBeNull();
    expect((await store.get(r.apiKey.id))?.revokedAt).not.toBeNull();
    expect((await a.verify(key)).ok).toBe(false);
  });

  it("a disable landing while a verification awaits the store is not undone", async () => {
    const inner = memoryStore();
    const gate = deferred<void>();
    let stall = false;
    const store: KeyStore = {
      ...inner,
      findByHash: async (hash) => {
        const record = inner.findByHash(hash);
        if (stall) await gate.promise;
        return record;
      },
    };
    const kw = createKeyward({ store, prefix: "kw", lastUsed: { flushDelay: 3_600_000 } });
    const other = createKeyward({ store, prefix: "kw", lastUsed: false });
    const { key, apiKey } = await kw.create({ owner: "o", label: "k" });
    stall = true;
    const pending = kw.verify(key);
    await other.disable(apiKey.id);
    gate.resolve();
    await pending; // read before the disable: may be ok, the flush must still not revive
    await kw.close();
    const record = await inner.get(apiKey.id);
    expect(record?.disabledAt).not.toBeNull();
    expect(record?.lastUsedAt).toBeNull();
    stall = false;
    expect((await kw.verify(key)).ok).toBe(false);
  });
});
