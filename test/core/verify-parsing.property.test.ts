import fc from "fast-check";
import { createKeyward, generateKey, hasValidChecksum } from "keyward";
import { beforeAll, describe, expect, it } from "vitest";
import { type CountingStore, countingStore, flipChar } from "../support/core.js";

const store: CountingStore = countingStore();
const kw = createKeyward({ store, prefix: "sk_live", lastUsed: false });
let realKey = "";

beforeAll(async () => {
  realKey = (await kw.create({ owner: "org_1", label: "real" })).key;
});

/** Verifies `candidate`; asserts it resolves, never throws, and is not ok; returns the store calls it made. */
async function refusedWithoutStore(candidate: string): Promise<void> {
  store.reset();
  const result = await kw.verify(candidate);
  expect(result.ok).toBe(false);
  if (!result.ok) expect(["missing", "malformed"]).toContain(result.error.code);
  expect(store.total()).toBe(0);
}

/** Mutations of a real key that the checksum must catch. */
const mutated = fc.oneof(
  fc
    .record({ i: fc.nat(), c: fc.constantFrom(..."0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-\n ") })
    .map(({ i, c }) => {
      const at = i % realKey.length;
      return realKey[at] === c ? flipChar(realKey, at) : realKey.slice(0, at) + c + realKey.slice(at + 1);
    }),
  fc.nat().map((n) => realKey.slice(0, n % realKey.length)),
  fc.string({ minLength: 1, maxLength: 8 }).map((tail) => realKey + tail),
  fc.constantFrom("sk_test", "cho", "sk", "sk_live_x", "SK_LIVE", "").map((p) => p + realKey.slice("sk_live".length)),
  fc.nat().map((n) => {
    const at = 8 + (n % (realKey.length - 9));
    return realKey.slice(0, at) + (realKey[at + 1] as string) + (realKey[at] as string) + realKey.slice(at + 2);
  }),
);

describe("verify on arbitrary input", () => {
  it("never throws and makes no store call for any string that fails the checksum (ASCII-ish strings)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), async (s) => {
        fc.pre(!hasValidChecksum(s));
        await refusedWithoutStore(s);
      }),
      { numRuns: 1000 },
    );
  });

  it("never throws and makes no store call for full-Unicode strings", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "binary", maxLength: 300 }), async (s) => {
        fc.pre(!hasValidChecksum(s));
        await refusedWithoutStore(s);
      }),
      { numRuns: 1000 },
    );
  });

  it("refuses every mutation of a real key (flipped, truncated, extended, transposed, re-prefixed) with zero store calls", async () => {
    await fc.assert(
      fc.asyncProperty(mutated, async (candidate) => {
        fc.pre(candidate !== realKey);
        await refusedWithoutStore(candidate);
      }),
      { numRuns: 2000 },
    );
  });

  it("returns a result for values that are not strings at all", async () => {
    for (const value of [undefined, null, 0, 42, {}, [], [realKey], { toString: () => realKey }, Symbol("k"), true]) {
      store.reset();
      const result = await kw.verify(value);
      expect(result).toMatchObject({ ok: false, error: { code: "missing", status: 401 } });
      expect(store.total()).toBe(0);
    }
  });

  it("refuses keys with CR, LF, spaces or NUL around them, before any lookup", async () => {
    for (const wrapped of [`${realKey}\n`, `${realKey}\r\n`, ` ${realKey}`, `${realKey} `, `${realKey}\0`, `Bearer ${realKey}`]) {
      await refusedWithoutStore(wrapped);
    }
  });

  it("refuses an oversized string before hashing or looking it up", async () => {
    await refusedWithoutStore(realKey.repeat(10_000));
  });
});

describe("the checksum grants nothing", () => {
  it("a well-formed key with an unknown secret costs exactly one lookup and reads as invalid (401)", async () => {
    const stranger = generateKey("sk_live").key;
    store.reset();
    const result = await kw.verify(stranger);
    expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: "invalid", status: 401 }) });
    expect(store.calls.findByHash).toBe(1);
    expect(store.total()).toBe(1);
  });

  it("another environment's key (wrong prefix, valid checksum) is refused with 401 and no lookup", async () => {
    const testKey = generateKey("sk_test").key;
    expect(hasValidChecksum(testKey)).toBe(true);
    store.reset();
    const result = await kw.verify(testKey);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.status).toBe(401);
    expect(store.total()).toBe(0);
  });

  it("the real key itself verifies with one lookup", async () => {
    store.reset();
    expect((await kw.verify(realKey)).ok).toBe(true);
    expect(store.calls.findByHash).toBe(1);
  });
});
