import fc from "fast-check";
import { createHasher, createKeyward, generateKey, HMAC_TAG, SHA256_TAG, timingSafeEqual } from "keyward";
import { memoryStore } from "keyward/memory";
import { describe, expect, it } from "vitest";
import { nobleBackend, nodeBackend } from "../../src/internal/sha256.js";
import { countingStore } from "../support/core.js";

const anyText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.string({ unit: "grapheme", maxLength: 50 }),
);
const node = nodeBackend as NonNullable<typeof nodeBackend>;

describe("hash back-ends", () => {
  it("node:crypto is available on this runtime (otherwise the comparison below would be vacuous)", () => {
    expect(nodeBackend).toBeDefined();
  });

  it("give identical SHA-256 digests for any string, Unicode included", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        expect(node.sha256(text)).toBe(nobleBackend.sha256(text));
      }),
      { numRuns: 1000 },
    );
  });

  it("give identical HMAC-SHA-256 digests for any pepper and string", () => {
    fc.assert(
      fc.property(
        anyText.filter((p) => p.length > 0),
        anyText,
        (pepper, text) => {
          expect(node.hmacSha256(pepper)(text)).toBe(nobleBackend.hmacSha256(pepper)(text));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("give identical HMAC-SHA-256 digests for peppers longer than a block and long text", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 60, maxLength: 300 }),
        fc.string({ minLength: 900, maxLength: 3000 }),
        (pepper, text) => {
          expect(node.hmacSha256(pepper)(text)).toBe(nobleBackend.hmacSha256(pepper)(text));
          expect(node.hmacSha256(pepper)(text.slice(0, 60))).toBe(nobleBackend.hmacSha256(pepper)(text.slice(0, 60)));
        },
      ),
      { numRuns: 100 },
    );
  });

  it("match known vectors (unpadded base64url)", () => {
    // SHA-256("abc") and RFC 4231 test case 2 (key "Jefe")
    expect(nobleBackend.sha256("abc")).toBe("ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
    expect(nobleBackend.hmacSha256("Jefe")("what do ya want for nothing?")).toBe("W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM");
    expect(node.hmacSha256("Jefe")("what do ya want for nothing?")).toBe("W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM");
  });

  it("hash the same key identically whichever back-end createHasher uses", () => {
    const { key } = generateKey("kw");
    expect(createHasher(undefined, node).hash(key)).toBe(createHasher(undefined, nobleBackend).hash(key));
    expect(createHasher(["p2", "p1"], node).hash(key)).toBe(createHasher(["p2", "p1"], nobleBackend).hash(key));
  });
});

describe("versioned hashes", () => {
  it("tag plain SHA-256 with v1: and HMAC with v2:", () => {
    const { key } = generateKey("kw");
    expect(SHA256_TAG).toBe("v1:");
    expect(HMAC_TAG).toBe("v2:");
    expect(createHasher().hash(key)).toMatch(/^v1:[A-Za-z0-9_-]{43}$/);
    expect(createHasher("pepper").hash(key)).toMatch(/^v2:[A-Za-z0-9_-]{43}$/);
    expect(createHasher("a").hash(key)).not.toBe(createHasher("b").hash(key));
  });

  it("store the tagged hash, never the key", async () => {
    const store = memoryStore();
    const kw = createKeyward({ store, prefix: "kw", pepper: "pep" });
    const { key, apiKey } = await kw.create({ owner: "o", label: "k" });
    const record = await store.get(apiKey.id);
    expect(record?.hash).toBe(createHasher("pep").hash(key));
    expect(JSON.stringify(record)).not.toContain(key.slice(3, 40));
  });

  it("rejects an empty pepper at configuration time", () => {
    expect(() => createKeyward({ store: memoryStore(), pepper: "" })).toThrow(/pepper/);
    expect(() => createKeyward({ store: memoryStore(), pepper: ["new", ""] })).toThrow(/pepper/);
  });
});

describe("pepper rotation", () => {
  it("keys created under the old pepper verify once it is listed second; new keys use the new one", async () => {
    const store = memoryStore();
    const before = createKeyward({ store, prefix: "kw", pepper: "old", lastUsed: false });
    const { key: oldKey } = await before.create({ owner: "o", label: "old" });
    const after = createKeyward({ store, prefix: "kw", pepper: ["new", "old"], lastUsed: false });
    expect((await after.verify(oldKey)).ok).toBe(true);
    const { key: newKey, apiKey } = await after.create({ owner: "o", label: "new" });
    expect((await store.get(apiKey.id))?.hash).toBe(createHasher("new").hash(newKey));
    expect((await after.verify(newKey)).ok).toBe(true);
    // dropping the old pepper retires the keys created under it
    const retired = createKeyward({ store, prefix: "kw", pepper: "new", lastUsed: false });
    expect(await retired.verify(oldKey)).toMatchObject({ ok: false, error: { code: "invalid" } });
    expect((await retired.verify(newKey)).ok).toBe(true);
  });

  it("an unknown key costs one lookup per configured pepper plus the unpeppered one, and a malformed one none", async () => {
    const store = countingStore();
    const kw = createKeyward({ store, prefix: "kw", pepper: ["new", "old"], lastUsed: false });
    await kw.verify(generateKey("kw").key);
    expect(store.calls.findByHash).toBe(3);
    store.reset();
    await kw.verify("kw_not_a_key");
    expect(store.total()).toBe(0);
  });

  it("a key created before any pepper was configured keeps verifying once one is, and new keys get v2", async () => {
    const store = memoryStore();
    const plain = createKeyward({ store, prefix: "kw", lastUsed: false });
    const { key } = await plain.create({ owner: "o", label: "plain" });
    const peppered = createKeyward({ store, prefix: "kw", pepper: "pep", lastUsed: false });
    expect(await peppered.verify(key)).toMatchObject({ ok: true });
    const fresh = await peppered.create({ owner: "o", label: "peppered" });
    expect((await store.get(fresh.apiKey.id))?.hash.startsWith("v2:")).toBe(true);
    expect(await plain.verify(fresh.key)).toMatchObject({ ok: false, error: { code: "invalid" } });
  });
});

describe("a stored hash presented as a key", () => {
  it("never authenticates, with or without a pepper, whatever prefix it is dressed in", async () => {
    for (const pepper of [undefined, "pep"]) {
      const store = memoryStore();
      const kw = createKeyward({ store, prefix: "kw", pepper, lastUsed: false });
      const { apiKey } = await kw.create({ owner: "o", label: "k" });
      const hash = (await store.get(apiKey.id))?.hash as string;
      const body = hash.slice(3);
      for (const candidate of [hash, body, `kw_${body}`, `kw_${hash}`, `kw_${body.replace(/[-_]/g, "A").slice(0, 54)}`]) {
        const result = await kw.verify(candidate);
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.error.status).toBe(401);
      }
    }
  });
});

describe("timingSafeEqual", () => {
  it("is true for equal strings", () => {
    fc.assert(
      fc.property(anyText, (s) => {
        expect(timingSafeEqual(s, [...s].join(""))).toBe(true);
      }),
      { numRuns: 500 },
    );
    expect(timingSafeEqual("", "")).toBe(true);
  });

  it("is false for every unequal pair, different lengths included", () => {
    fc.assert(
      fc.property(anyText, anyText, (a, b) => {
        fc.pre(a !== b);
        expect(timingSafeEqual(a, b)).toBe(false);
        expect(timingSafeEqual(b, a)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it("is false when one string is a prefix or a repetition of the other", () => {
    fc.assert(
      fc.property(
        anyText.filter((s) => s.length > 0),
        fc.nat(),
        (s, n) => {
          const cut = s.slice(0, n % s.length);
          expect(timingSafeEqual(cut, s)).toBe(false);
          expect(timingSafeEqual(s, cut)).toBe(false);
          expect(timingSafeEqual(s + s, s)).toBe(false);
          expect(timingSafeEqual(s, s + s)).toBe(false);
        },
      ),
      { numRuns: 1000 },
    );
    for (const [a, b] of [
      ["", "a"],
      ["a", ""],
      ["abc", "abcabc"],
      ["v1:x", "v1:"],
      ["\0", ""],
      ["", "\0"],
    ]) {
      expect(timingSafeEqual(a as string, b as string)).toBe(false);
    }
  });

  it("is false for pairs differing in one character at any position", () => {
    const hash = createHasher().hash(generateKey("kw").key);
    for (let i = 0; i < hash.length; i++) {
      const other = hash.slice(0, i) + (hash[i] === "A" ? "B" : "A") + hash.slice(i + 1);
      expect(timingSafeEqual(hash, other)).toBe(false);
    }
  });
});
