/**
 * The memory store's lookup by digest and the core reach each other through
 * one registered symbol, spelled in both places; if the two drifted apart,
 * verification would silently fall back to `findByHash`.
 */
import { createHasher, generateKey } from "keyward";
import { describe, expect, it } from "vitest";
import { DIGEST_LOOKUP as MEMORY_SIDE } from "../../adapters/memory/hash-index.js";
import { memoryStore } from "../../adapters/memory/index.js";
import { DIGEST_LOOKUP as CORE_SIDE, digestLookup } from "../../src/internal/digest-lookup.js";
import { makeRecord } from "../../src/testing/index.js";

describe("the lookup by digest between the memory store and the core", () => {
  it("uses one symbol on both sides, and answers what findByHash answers", () => {
    expect(MEMORY_SIDE).toBe(CORE_SIDE);
    const { key } = generateKey("kw");
    const hash = createHasher().hash(key);
    const store = memoryStore({ records: [makeRecord({ id: "k1", owner: "o1", hash })] });
    const direct = digestLookup(store, "v1:");
    expect(direct).not.toBeNull();
    expect(direct?.findByHash).toBe(store.findByHash);
    expect(direct?.lookup(hash.slice(3))).toBe(store.findByHash(hash));
    expect(direct?.lookup(`${hash.slice(3)}x`)).toBeNull();
    expect(digestLookup(store, "v2:")?.lookup(hash.slice(3))).toBeNull();
  });

  it("answers for a tag it does not file apart exactly what findByHash answers for tag + digest", () => {
    const store = memoryStore({
      records: [
        makeRecord({ id: "a", owner: "o1", hash: "v1:looks-tagged" }),
        makeRecord({ id: "b", owner: "o1", hash: "x:abc" }),
      ],
    });
    expect(digestLookup(store, "")?.lookup("v1:looks-tagged")).toBe(store.findByHash("v1:looks-tagged"));
    expect(digestLookup(store, "x:")?.lookup("abc")).toBe(store.findByHash("x:abc"));
    expect(digestLookup(store, "x:")?.lookup("abc")).not.toBeNull();
  });

  it("is not carried by a copy of the store, and is null for a store without it or whose capability throws", () => {
    const store = memoryStore();
    expect(digestLookup({ ...store }, "v1:")).toBeNull();
    const throwing = new Proxy(store, {
      get: (target, prop, receiver) => {
        if (prop === CORE_SIDE) throw new Error("boom");
        return Reflect.get(target, prop, receiver);
      },
    });
    expect(digestLookup(throwing, "v1:")).toBeNull();
  });
});
