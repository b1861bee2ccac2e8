/**
 * Keys hashed under an older pepper (or before any pepper) are found by a
 * fallback hash; the verification cache must serve them like current keys,
 * not cost two store lookups on every verification — and a change must still
 * take them out of the cache at once.
 */
import { createKeyward } from "keyward";
import { memoryStore } from "keyward/memory";
import { describe, expect, it } from "vitest";
import { countingStore } from "../support/core.js";

const CACHE = { ttl: 60_000, max: 100 };
const ROLES = { viewer: ["jobs:read"], admin: ["jobs:*"] };

/** A key created under `before` (a pepper list, or none), verified by an instance configured with `after`. */
async function olderKey(before: string[] | undefined, after: string[]) {
  const store = countingStore(memoryStore());
  const old = createKeyward({ store, prefix: "kw", roles: ROLES, lastUsed: false, ...(before && { pepper: before }) });
  const issued = await old.create({ owner: "o", label: "k", role: "admin" });
  const kw = createKeyward({
    store,
    prefix: "kw",
    roles: ROLES,
    lastUsed: false,
    pepper: after,
    cache: CACHE,
    mutableScopes: true,
  });
  store.reset();
  return { store, kw, ...issued };
}

describe.each([
  ["an older pepper", ["pepper-old"]],
  ["no pepper (plain SHA-256)", undefined],
])("a key hashed under %s, with the verification cache on", (_name, before) => {
  it("costs the fallback lookups once, then is served from the cache with no store call", async () => {
    const { store, kw, key } = await olderKey(before, ["pepper-new", "pepper-old"]);
    const first = await kw.verify(key, { scopes: ["jobs:read"] });
    expect(first.ok).toBe(true);
    const firstLookups = store.calls.findByHash;
    expect(firstLookups).toBe(before ? 2 : 3); // current pepper, then each older hash until it is found
    for (let i = 0; i < 10; i++) expect((await kw.verify(key, { scopes: ["jobs:read"] })).ok).toBe(true);
    expect(store.calls.findByHash).toBe(firstLookups);
  });

  it("is refused as soon as a revoke or disable resolves, then read from the store again", async () => {
    const { store, kw, key, apiKey } = await olderKey(before, ["pepper-new", "pepper-old"]);
    expect((await kw.verify(key)).ok).toBe(true);
    await kw.disable(apiKey.id);
    store.reset();
    expect(await kw.verify(key)).toMatchObject({ ok: false, error: { code: "disabled" } });
    expect(store.calls.findByHash).toBeGreaterThan(0);
    await kw.enable(apiKey.id);
    expect((await kw.verify(key)).ok).toBe(true);
    await kw.revoke(apiKey.id);
    expect(await kw.verify(key)).toMatchObject({ ok: false, error: { code: "revoked" } });
  });

  it("loses a removed scope as soon as the update resolves", async () => {
    const { kw, key, apiKey } = await olderKey(before, ["pepper-new", "pepper-old"]);
    expect((await kw.verify(key, { scopes: ["jobs:write"] })).ok).toBe(true);
    await kw.update(apiKey.id, { role: "viewer" });
    expect(await kw.verify(key, { scopes: ["jobs:write"] })).toMatchObject({ ok: false, error: { code: "insufficient_scope" } });
  });

  it("is evicted on another instance through the change feed", async () => {
    const { store, kw: b, key, apiKey } = await olderKey(before, ["pepper-new", "pepper-old"]);
    const a = createKeyward({ store, prefix: "kw", pepper: ["pepper-new", "pepper-old"], lastUsed: false });
    expect((await b.verify(key)).ok).toBe(true);
    expect((await b.verify(key)).ok).toBe(true); // cached on B
    await a.revoke(apiKey.id);
    expect(await b.verify(key)).toMatchObject({ ok: false, error: { code: "revoked" } });
  });
});

describe("the cache never confuses keys across peppers", () => {
  it("a current key and an older-pepper key are cached apart, each one lookup", async () => {
    const { store, kw, key: oldKey } = await olderKey(["pepper-old"], ["pepper-new", "pepper-old"]);
    const { key: newKey } = await kw.create({ owner: "o", label: "new", role: "viewer" });
    store.reset();
    for (let i = 0; i < 5; i++) {
      const o = await kw.verify(oldKey);
      const n = await kw.verify(newKey);
      expect(o.ok && o.key.label).toBe("k");
      expect(n.ok && n.key.label).toBe("new");
    }
    expect(store.calls.findByHash).toBe(3); // old: current miss + older hit; new: one hit
  });

  it("an unknown key is never cached: each verification looks it up under every hash again", async () => {
    const { store, kw } = await olderKey(["pepper-old"], ["pepper-new", "pepper-old"]);
    const { key } = await createKeyward({ store: memoryStore(), prefix: "kw" }).create({ owner: "x", label: "elsewhere" });
    store.reset();
    for (let i = 0; i < 3; i++) expect(await kw.verify(key)).toMatchObject({ ok: false, error: { code: "invalid" } });
    expect(store.calls.findByHash).toBe(9);
  });
});
