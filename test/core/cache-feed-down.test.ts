import { type ChangeListener, createKeyward, type KeyStore } from "keyward";
import { memoryStore } from "keyward/memory";
import { describe, expect, it } from "vitest";

/** A memory store whose change feed the test drives by hand, counting lookups. */
function manualFeedStore() {
  const base = memoryStore();
  let listener: ChangeListener | undefined;
  let lookups = 0;
  const store: KeyStore = {
    ...base,
    findByHash: (hash) => {
      lookups++;
      return base.findByHash(hash);
    },
    watch: (l) => {
      listener = l;
      return () => {};
    },
  };
  return { store, base, feed: () => listener as ChangeListener, lookups: () => lookups };
}

describe("the verification cache when the change feed is down", () => {
  it("serves nothing from memory until the feed first proves itself live with onReset (feeds start down)", async () => {
    const { store, base, feed, lookups } = manualFeedStore();
    const kw = createKeyward({ store, prefix: "kw", cache: { ttl: 60_000, max: 100 }, lastUsed: false });
    const { key, apiKey } = await kw.create({ owner: "o", label: "k" });
    await kw.verify(key);
    await kw.verify(key);
    expect(lookups()).toBe(2); // the feed has not said it is live: every verification reads the store
    base.transition(apiKey.id, "revoke", Date.now()); // a revoke whose notification nobody could have seen
    expect(await kw.verify(key)).toMatchObject({ ok: false, error: { code: "revoked" } });

    feed().onReset();
    const other = await kw.create({ owner: "o", label: "k2" });
    const before = lookups();
    await kw.verify(other.key);
    await kw.verify(other.key);
    expect(lookups()).toBe(before + 1); // live: cached from now on
    await kw.close();
  });

  it("stops serving from memory on onDown, so a change made elsewhere is seen at once, and caches again after onReset", async () => {
    const { store, base, feed, lookups } = manualFeedStore();
    const kw = createKeyward({ store, prefix: "kw", cache: { ttl: 60_000, max: 100 }, lastUsed: false });
    feed().onReset(); // the feed is live
    const { key, apiKey } = await kw.create({ owner: "o", label: "k" });
    expect((await kw.verify(key)).ok).toBe(true);
    expect((await kw.verify(key)).ok).toBe(true);
    expect(lookups()).toBe(1); // the second came from the cache

    feed().onDown?.();
    await kw.verify(key);
    await kw.verify(key);
    expect(lookups()).toBe(3); // every verification reads the store while the feed is down
    // a revoke by another instance, whose notification is lost with the feed
    base.transition(apiKey.id, "revoke", Date.now());
    expect(await kw.verify(key)).toMatchObject({ ok: false, error: { code: "revoked" } });

    feed().onReset();
    const other = await kw.create({ owner: "o", label: "k2" });
    const before = lookups();
    await kw.verify(other.key);
    await kw.verify(other.key);
    expect(lookups()).toBe(before + 1); // cached again once the feed is back
    await kw.close();
  });
});

describe("close() with a change feed that never answers", () => {
  it("settles within storeTimeout when the store's watch() or its unsubscribe hangs", async () => {
    for (const hang of ["watch", "unsubscribe"] as const) {
      const base = memoryStore();
      const store: KeyStore = {
        ...base,
        watch: () => (hang === "watch" ? new Promise(() => {}) : () => new Promise(() => {})),
      };
      const kw = createKeyward({ store, prefix: "kw", cache: { ttl: 60_000, max: 100 }, storeTimeout: 150 });
      let settled = false;
      const closing = kw.close().then(() => (settled = true));
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(settled, hang).toBe(true);
      await closing;
    }
  });
});
