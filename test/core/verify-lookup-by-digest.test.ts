/**
 * The memory store answers verification by digest, without the tagged hash
 * string. These cases hold whichever way a lookup is made: the store's own
 * `findByHash` wins when it is wrapped, spied on or copied, and a record
 * under another tag never matches a key whose digest it shares.
 */
import { createHash } from "node:crypto";
import { createHasher, createKeyward, generateKey, type KeyRecord, type KeyStore } from "keyward";
import { memoryStore } from "keyward/memory";
import { makeRecord } from "keyward/testing";
import { describe, expect, it, vi } from "vitest";

const digest = (key: string) => createHash("sha256").update(key).digest("base64url");

function storeWithKey(hash = (key: string) => createHasher().hash(key)) {
  const { key, keyPrefix, last4 } = generateKey("kw");
  const store = memoryStore({ records: [makeRecord({ id: "k1", owner: "o1", hash: hash(key), keyPrefix, last4 })] });
  return { key, store };
}

describe("verification on the memory store", () => {
  it("asks a findByHash spied on after the instance was made, and obeys it", async () => {
    const { key, store } = storeWithKey();
    const kw = createKeyward({ store, prefix: "kw" });
    expect((await kw.verify(key)).ok).toBe(true);
    const spy = vi.spyOn(store, "findByHash").mockReturnValue(null);
    const result = await kw.verify(key);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(result.ok || result.error.code).toBe("invalid");
    spy.mockRestore();
    expect((await kw.verify(key)).ok).toBe(true);
  });

  it("asks the findByHash of a proxy around the store", async () => {
    const { key, store } = storeWithKey();
    const asked: string[] = [];
    const wrapped = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop !== "findByHash") return Reflect.get(target, prop, receiver);
        return (hash: string) => (asked.push(hash), null);
      },
    });
    const kw = createKeyward({ store: wrapped, prefix: "kw" });
    const result = await kw.verify(key);
    expect(result.ok || result.error.code).toBe("invalid");
    expect(asked).toEqual([createHasher().hash(key)]);
  });

  it("works on a copy made by spreading the store, and the copy's findByHash is the one asked", async () => {
    const { key, store } = storeWithKey();
    const findByHash = vi.fn(store.findByHash);
    const copy: KeyStore = { ...store, findByHash };
    const kw = createKeyward({ store: copy, prefix: "kw" });
    expect((await kw.verify(key)).ok).toBe(true);
    expect(findByHash).toHaveBeenCalledTimes(1);
  });

  it("never matches a record stored under another tag with the key's digest", async () => {
    // the same digest under the HMAC tag: not the key's hash under plain SHA-256
    const { key, store } = storeWithKey((k) => `v2:${digest(k)}`);
    const kw = createKeyward({ store, prefix: "kw" });
    const result = await kw.verify(key);
    expect(result.ok || result.error.code).toBe("invalid");
    // nor when a store hands that record back for the key's hash: a wrong answer fails closed (503)
    const lying: KeyStore = { ...store, findByHash: (hash) => store.findByHash(hash.replace(/^v1:/, "v2:")) };
    const viaLie = await createKeyward({ store: lying, prefix: "kw" }).verify(key);
    expect(viaLie.ok || viaLie.error.code).toBe("unavailable");
  });

  it("finds records after clear() and re-insert, and untagged hashes through findByHash", async () => {
    const { key, store } = storeWithKey();
    const kw = createKeyward({ store, prefix: "kw" });
    expect((await kw.verify(key)).ok).toBe(true);
    store.clear();
    expect((await kw.verify(key)).ok).toBe(false);
    const hash = createHasher().hash(key);
    store.insert(makeRecord({ id: "k2", owner: "o1", hash }));
    expect((await kw.verify(key)).ok).toBe(true);
    store.insert(makeRecord({ id: "k3", owner: "o1", hash: "untagged-hash" }));
    expect((store.findByHash("untagged-hash") as KeyRecord | null)?.id).toBe("k3");
    expect((store.findByHash(hash) as KeyRecord | null)?.id).toBe("k2");
    expect(store.findByHash(`${hash}x`)).toBeNull();
  });
});
