import { createHash } from "node:crypto";
import fc from "fast-check";
import type { KeyRecord, KeyStore } from "keyward";
import { createHasher, createKeyward, generateKey } from "keyward";
import { memoryStore } from "keyward/memory";
import { makeRecord } from "keyward/testing";
import { describe, expect, it } from "vitest";
import { VerificationCache } from "../../src/cache.js";
import { Doorkeeper, PresenceFilter } from "../../src/internal/string-filters.js";
import { countingStore, deferred, manualClock } from "../support/core.js";

const CACHE = { ttl: 30_000, max: 100 };

describe("the verification cache on one instance", () => {
  it("serves a hot key from memory: one store read for many verifications", async () => {
    const store = countingStore();
    const kw = createKeyward({ store, prefix: "kw", cache: CACHE, lastUsed: false });
    const { key } = await kw.create({ owner: "o", label: "k" });
    for (let i = 0; i < 20; i++) expect((await kw.verify(key)).ok).toBe(true);
    expect(store.calls.findByHash).toBe(1);
  });

  it("without a cache, every verification reads the store", async () => {
    const store = countingStore();
    const kw = createKeyward({ store, prefix: "kw", lastUsed: false });
    const { key } = await kw.create({ owner: "o", label: "k" });
    for (let i = 0; i < 20; i++) await kw.verify(key);
    expect(store.calls.findByHash).toBe(20);
  });

  it.each([
    ["revoke", "revoked"],
    ["disable", "disabled"],
  ] as const)("a %s is refused as soon as the call resolves", async (op, code) => {
    const kw = createKeyward({ store: memoryStore(), prefix: "kw", cache: CACHE, lastUsed: false });
    const { key, apiKey } = await kw.create({ owner: "o", label: "k" });
    expect((await kw.verify(key)).ok).toBe(true); // now cached
    await kw[op](apiKey.id);
    expect(await kw.verify(key)).toMatchObject({ ok: false, error: { code } });
  });

  it("a scope change (mutableScopes) applies as soon as update resolves", async () => {
    const kw = createKeyward({ store: memoryStore(), prefix: "kw", cache: CACHE, lastUsed: false, mutableScopes: true });
    const { key, apiKey } = await kw.create({ owner: "o", label: "k", scopes: ["jobs:read", "jobs:write"] });
    expect((await kw.verify(key, { scopes: ["jobs:write"] })).ok).toBe(true);
    await kw.update(apiKey.id, { scopes: ["jobs:read"] });
    expect(await kw.verify(key, { scopes: ["jobs:write"] })).toMatchObject({ ok: false, error: { code: "insufficient_scope" } });
  });

  it("a rotation with no grace expires the cached old key at once", async () => {
    const kw = createKeyward({ store: memoryStore(), prefix: "kw", cache: CACHE, lastUsed: false });
    const { key, apiKey } = await kw.create({ owner: "o", label: "k" });
    await kw.verify(key);
    await kw.rotate(apiKey.id);
    expect(await kw.verify(key)).toMatchObject({ ok: false, error: { code: "expired" } });
  });

  it("a role losing a scope applies to cached keys at the next verification", async () => {
    const roles: Record<string, readonly string[]> = { r: ["jobs:read", "jobs:write"] };
    const kw = createKeyward({ store: memoryStore(), prefix: "kw", cache: CACHE, lastUsed: false, roles });
    const { key } = await kw.create({ owner: "o", label: "k", role: "r" });
    expect((await kw.verify(key, { scopes: ["jobs:write"] })).ok).toBe(true);
    roles.r = ["jobs:read"];
    expect((await kw.verify(key, { scopes: ["jobs:write"] })).ok).toBe(false);
  });

  it("re-reads the store once the ttl has passed", async () => {
    const clock = manualClock();
    const store = countingStore();
    const kw = createKeyward({ store, prefix: "kw", cache: { ttl: 1_000 }, lastUsed: false, now: clock.now });
    const { key } = await kw.create({ owner: "o", label: "k" });
    await kw.verify(key);
    clock.advance(999);
    await kw.verify(key);
    expect(store.calls.findByHash).toBe(1);
    clock.advance(1);
    await kw.verify(key);
    expect(store.calls.findByHash).toBe(2);
  });

  it("does not cache a miss: a key inserted after a failed lookup verifies at once", async () => {
    const store = memoryStore();
    const kw = createKeyward({ store, prefix: "kw", cache: CACHE, lastUsed: false });
    const { key } = generateKey("kw");
    expect(await kw.verify(key)).toMatchObject({ ok: false, error: { code: "invalid" } });
    await store.insert(makeRecord({ owner: "o", hash: createHasher().hash(key), scopes: [] }));
    expect((await kw.verify(key)).ok).toBe(true);
  });
});

describe("the cache across instances sharing a store", () => {
  it("a revoke, disable or scope change on A evicts B's cached record through the change feed", async () => {
    const store = memoryStore();
    const a = createKeyward({ store, prefix: "kw", cache: CACHE, lastUsed: false, mutableScopes: true });
    const b = createKeyward({ store, prefix: "kw", cache: CACHE, lastUsed: false });
    const keys = await Promise.all(
      [1, 2, 3].map((i) => a.create({ owner: "o", label: `k${i}`, scopes: ["jobs:read", "jobs:write"] })),
    );
    for (const { key } of keys) expect((await b.verify(key, { scopes: ["jobs:write"] })).ok).toBe(true);
    const [r, d, s] = keys as [(typeof keys)[0], (typeof keys)[0], (typeof keys)[0]];
    await a.revoke(r.apiKey.id);
    await a.disable(d.apiKey.id);
    await a.update(s.apiKey.id, { scopes: ["jobs:read"] });
    expect(await b.verify(r.key)).toMatchObject({ ok: false, error: { code: "revoked" } });
    expect(await b.verify(d.key)).toMatchObject({ ok: false, error: { code: "disabled" } });
    expect(await b.verify(s.key, { scopes: ["jobs:write"] })).toMatchObject({ ok: false, error: { code: "insufficient_scope" } });
  });

  it("after close(), B no longer listens (and so stops evicting)", async () => {
    const store = memoryStore();
    const a = createKeyward({ store, prefix: "kw", lastUsed: false });
    const b = createKeyward({ store, prefix: "kw", cache: CACHE, lastUsed: false });
    const { key, apiKey } = await a.create({ owner: "o", label: "k" });
    await b.verify(key);
    await b.close();
    await a.revoke(apiKey.id);
    // documented: a closed instance is done; this only proves close() unsubscribed
    expect((await b.verify(key)).ok).toBe(true);
  });
});

describe("a store read that started before a change never caches the old state", () => {
  /** A memory store whose findByHash reads at call time but answers only when released. */
  function slowReads(inner = memoryStore()) {
    const gates: ReturnType<typeof deferred<void>>[] = [];
    let slow = false;
    const store: KeyStore = {
      ...inner,
      watch: inner.watch,
      findByHash(hash) {
        const record = inner.findByHash(hash);
        if (!slow) return record;
        const gate = deferred<void>();
        gates.push(gate);
        return gate.promise.then(() => record);
      },
    };
    return {
      store,
      inner,
      setSlow(v: boolean) {
        slow = v;
      },
      release() {
        for (const g of gates.splice(0)) g.resolve();
      },
    };
  }

  it("another instance's revoke during the read: the stale answer is not cached", async () => {
    const s = slowReads();
    const counting = countingStore(s.store);
    const a = createKeyward({ store: counting, prefix: "kw", cache: CACHE, lastUsed: false });
    const b = createKeyward({ store: s.inner, prefix: "kw", lastUsed: false });
    const { key, apiKey } = await b.create({ owner: "o", label: "k" });
    s.setSlow(true);
    const inflight = a.verify(key); // reads the active record, answer held back
    await b.revoke(apiKey.id); // the feed evicts on A while its read is in flight
    s.release();
    await inflight; // linearised before the revoke: may be ok
    s.setSlow(false);
    counting.reset();
    expect(await a.verify(key)).toMatchObject({ ok: false, error: { code: "revoked" } });
    expect(counting.calls.findByHash).toBe(1);
  });

  it("this instance's own revoke during the read: that verification resolves refused", async () => {
    const s = slowReads();
    const kw = createKeyward({ store: s.store, prefix: "kw", cache: CACHE, lastUsed: false });
    const { key, apiKey } = await kw.create({ owner: "o", label: "k" });
    s.setSlow(true);
    const inflight = kw.verify(key); // has read the active record; the answer is held back
    s.setSlow(false);
    await kw.revoke(apiKey.id);
    s.release(); // the stale answer arrives after revoke() resolved
    expect(await inflight).toMatchObject({ ok: false, error: { code: "revoked" } });
    expect(await kw.verify(key)).toMatchObject({ ok: false, error: { code: "revoked" } });
  });
});

describe("VerificationCache", () => {
  const record = (id: string): KeyRecord => ({ id, hash: `h-${id}` }) as KeyRecord;

  it("ignores a set whose stamp predates an eviction", () => {
    const cache = new VerificationCache({ ttl: 1_000, max: 10 });
    const stamp = cache.stamp();
    cache.evict("unrelated");
    cache.set("h-a", record("a"), 0, stamp);
    expect(cache.get("h-a", 1)).toBeUndefined();
    cache.set("h-a", record("a"), 0, cache.stamp());
    expect(cache.get("h-a", 1)?.id).toBe("a");
  });

  it("ignores a set whose stamp predates a clear", () => {
    const cache = new VerificationCache();
    const stamp = cache.stamp();
    cache.clear();
    cache.set("h-a", record("a"), 0, stamp);
    expect(cache.size).toBe(0);
  });

  it("expires entries at ttl and evicts by id", () => {
    const cache = new VerificationCache({ ttl: 100, max: 10 });
    cache.set("h-a", record("a"), 0, cache.stamp());
    cache.set("h-b", record("b"), 0, cache.stamp());
    expect(cache.get("h-a", 99)).toBeDefined();
    expect(cache.get("h-a", 100)).toBeUndefined();
    cache.evict("b");
    expect(cache.get("h-b", 1)).toBeUndefined();
  });

  it("holds at most max entries", () => {
    const cache = new VerificationCache({ ttl: 1_000, max: 3 });
    for (const id of ["a", "b", "c", "d", "e"]) cache.set(`h-${id}`, record(id), 0, cache.stamp());
    expect(cache.size).toBe(3);
    expect(cache.get("h-a", 1)).toBeUndefined();
    expect(cache.get("h-e", 1)?.id).toBe("e");
  });

  it("evicts the oldest insert still cached, whatever was evicted by id or re-cached meanwhile", () => {
    const cache = new VerificationCache({ ttl: 1_000, max: 4 });
    for (const id of ["a", "b", "c", "d"]) cache.set(`h-${id}`, record(id), 0, cache.stamp());
    cache.evict("b"); // a hole in the middle
    cache.set("h-a", record("a"), 0, cache.stamp()); // re-cached: keeps its place
    for (const id of ["e", "f"]) cache.set(`h-${id}`, record(id), 0, cache.stamp());
    // e took a's slot (the oldest), f took b's empty slot: nothing else went
    expect(cache.get("h-a", 1)).toBeUndefined();
    for (const id of ["c", "d", "e", "f"]) expect(cache.get(`h-${id}`, 1)?.id).toBe(id);
    expect(cache.size).toBe(4);
    // a working set far beyond max keeps the bound, and the newest are the ones cached
    for (let i = 0; i < 10_000; i++) cache.set(`h-n${i}`, record(`n${i}`), 0, cache.stamp());
    expect(cache.size).toBe(4);
    for (let i = 9_996; i < 10_000; i++) expect(cache.get(`h-n${i}`, 1)?.id).toBe(`n${i}`);
  });

  it("offer caches every read while there is room; once full, a key on its second read", () => {
    const cache = new VerificationCache({ ttl: 1_000, max: 3 });
    for (const id of ["a", "b", "c"]) cache.offer(`h-${id}`, record(id), 0, cache.stamp());
    expect(cache.size).toBe(3);
    cache.offer("h-d", record("d"), 0, cache.stamp());
    expect(cache.get("h-d", 1)).toBeUndefined(); // first read while full: not cached, nothing evicted
    for (const id of ["a", "b", "c"]) expect(cache.get(`h-${id}`, 1)?.id).toBe(id);
    cache.offer("h-d", record("d"), 0, cache.stamp());
    expect(cache.get("h-d", 1)?.id).toBe("d"); // second read: cached, the oldest evicted
    expect(cache.get("h-a", 1)).toBeUndefined();
    expect(cache.size).toBe(3);
  });

  it("a working set far beyond max, each key read once, leaves the cached keys in place", () => {
    const cache = new VerificationCache({ ttl: 1_000, max: 1_000 });
    const hash = (name: string) => createHash("sha256").update(name).digest("base64url"); // cache keys are digests
    for (let i = 0; i < 1_000; i++) cache.offer(hash(`hot-${i}`), record(`hot-${i}`), 0, cache.stamp());
    for (let i = 0; i < 10_000; i++) cache.offer(hash(`cold-${i}`), record(`cold-${i}`), 0, cache.stamp());
    let kept = 0;
    for (let i = 0; i < 1_000; i++) if (cache.get(hash(`hot-${i}`), 1) !== undefined) kept++;
    expect(kept).toBeGreaterThan(900); // only a wrongly remembered cold key gets in (under 1 %)
    expect(cache.size).toBe(1_000);
  });

  it("a fractional max holds its whole part", () => {
    const cache = new VerificationCache({ ttl: 1_000, max: 2.5 });
    for (const id of ["a", "b", "c"]) cache.set(`h-${id}`, record(id), 0, cache.stamp());
    expect(cache.size).toBe(2);
  });

  it("rejects a non-positive ttl or max", () => {
    expect(() => new VerificationCache({ ttl: 0 })).toThrow(RangeError);
    expect(() => new VerificationCache({ max: -1 })).toThrow(RangeError);
  });
});

describe("memoryStore().clear() and caches", () => {
  it("a cleared store is not served from the caches of instances watching it", async () => {
    const store = memoryStore();
    const kw = createKeyward({ store, prefix: "kw", cache: CACHE, lastUsed: false });
    const { key } = await kw.create({ owner: "o", label: "k" });
    expect((await kw.verify(key)).ok).toBe(true);
    store.clear();
    expect(await kw.verify(key)).toMatchObject({ ok: false, error: { code: "invalid" } });
  });
});

describe("the filters in front of the cache", () => {
  it("PresenceFilter never rules out a string added more times than removed", () => {
    const ops = fc.array(fc.tuple(fc.boolean(), fc.string({ maxLength: 6 })), { maxLength: 400 });
    fc.assert(
      fc.property(ops, fc.integer({ min: 1, max: 300 }), (steps, capacity) => {
        const filter = new PresenceFilter(capacity);
        const held = new Map<string, number>();
        for (const [add, text] of steps) {
          const n = held.get(text) ?? 0;
          if (add) {
            filter.add(text);
            held.set(text, n + 1);
          } else if (n > 0) {
            filter.remove(text);
            held.set(text, n - 1);
          }
        }
        for (const [text, n] of held) if (n > 0 && !filter.mayHold(text)) return false;
        return true;
      }),
    );
  });

  it("PresenceFilter rules out most strings never added, and a slot counted past 255 stays set", () => {
    const filter = new PresenceFilter(100);
    for (let i = 0; i < 100; i++) filter.add(`in-${i}`);
    let maybe = 0;
    for (let i = 0; i < 10_000; i++) if (filter.mayHold(`out-${i}`)) maybe++;
    expect(maybe).toBeLessThan(2_000);
    for (let i = 0; i < 300; i++) filter.add("many");
    for (let i = 0; i < 300; i++) filter.remove("many");
    expect(filter.mayHold("many")).toBe(true);
    filter.clear();
    expect(filter.mayHold("in-1")).toBe(false);
  });

  it("Doorkeeper admits a string the second time, and forgets after its capacity", () => {
    const door = new Doorkeeper(100);
    expect(door.admits("k")).toBe(false);
    expect(door.admits("k")).toBe(true);
    let admitted = 0;
    for (let i = 0; i < 100; i++) if (door.admits(`other-${i}`)) admitted++;
    expect(admitted).toBeLessThan(5); // seen once each: hardly any wrongly remembered
    for (let i = 100; i < 200; i++) door.admits(`other-${i}`);
    expect(door.admits("k")).toBe(false); // wiped after its capacity: first sight again
  });
});
