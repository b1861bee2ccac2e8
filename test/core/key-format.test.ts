import {
  assertPrefix,
  ConfigError,
  createKeyward,
  generateKey,
  hasValidChecksum,
  isWellFormedKey,
  KEY_PATTERN,
  keyPattern,
} from "keyward";
import { memoryStore } from "keyward/memory";
import { describe, expect, it, vi } from "vitest";
import { BASE62, BASE62_CLASS, BASE62_DIGITS, decodeBase62, encodeUint32, randomBase62 } from "../../src/internal/base62.js";
import { crc32 } from "../../src/internal/crc32.js";
import { flipChar, secretOf } from "../support/core.js";

const BODY = /^[0-9A-Za-z]{54}$/;

/** Replaces the CSPRNG with `fill`, to see which bytes become which characters. */
function fakeRandom(fill: (bytes: Uint8Array) => void) {
  return vi.spyOn(globalThis.crypto, "getRandomValues").mockImplementation(((array: ArrayBufferView) => {
    fill(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
    return array;
  }) as typeof crypto.getRandomValues);
}

describe("key prefix validation", () => {
  it.each(["cho", "kw", "sk_live", "sk_test2", "a", "abc_def_ghi"])("accepts %j", (prefix) => {
    expect(() => assertPrefix(prefix)).not.toThrow();
    expect(() => createKeyward({ store: memoryStore(), prefix })).not.toThrow();
  });

  it.each(["", "Cho", "1abc", "_cho", "cho_", "sk__live", "sk-live", "ch o", "chо", "a".repeat(25), "cho\n"])(
    "rejects %j with ConfigError at configuration time",
    (prefix) => {
      expect(() => assertPrefix(prefix)).toThrow(ConfigError);
      expect(() => createKeyward({ store: memoryStore(), prefix })).toThrow(ConfigError);
    },
  );

  it("rejects a non-string prefix", () => {
    expect(() => assertPrefix(42)).toThrow(ConfigError);
    expect(() => keyPattern("Bad")).toThrow(ConfigError);
  });
});

describe("generated keys", () => {
  const keys = Array.from({ length: 200 }, () => generateKey("sk_live"));

  it("are <prefix>_ followed by 54 base62 characters (48 random + 6 checksum)", () => {
    for (const { key } of keys) {
      expect(key.startsWith("sk_live_")).toBe(true);
      expect(key.slice("sk_live_".length)).toMatch(BODY);
    }
  });

  it("carry 48 random base62 characters: at least 256 bits", () => {
    expect(48 * Math.log2(62)).toBeGreaterThanOrEqual(256);
    for (const { key } of keys) expect(secretOf(key, "sk_live")).toMatch(/^[0-9A-Za-z]{48}$/);
  });

  it("are all distinct", () => {
    expect(new Set(keys.map((k) => k.key)).size).toBe(keys.length);
  });

  it("match KEY_PATTERN and keyPattern(prefix), also inside surrounding text", () => {
    for (const { key } of keys) {
      expect(KEY_PATTERN.test(key)).toBe(true);
      expect(keyPattern("sk_live").test(key)).toBe(true);
      expect(`Authorization: Bearer ${key}\n`.match(KEY_PATTERN)?.[0]).toBe(key);
      expect(`{"token":"${key}"}`.match(keyPattern("sk_live"))?.[0]).toBe(key);
    }
  });

  it("do not match keyPattern of another prefix", () => {
    const { key } = generateKey("cho");
    expect(keyPattern("sk_live").test(key)).toBe(false);
    expect(keyPattern("ch").test(key)).toBe(false);
  });

  it("have a valid checksum that any single-character change breaks", () => {
    for (const { key } of keys.slice(0, 20)) {
      expect(hasValidChecksum(key)).toBe(true);
      expect(isWellFormedKey(key, "sk_live")).toBe(true);
      for (let i = "sk_live_".length; i < key.length; i++) expect(hasValidChecksum(flipChar(key, i))).toBe(false);
    }
  });

  it("fail the checksum when truncated, extended or re-prefixed", () => {
    const { key } = keys[0] as { key: string };
    expect(hasValidChecksum(key.slice(0, -1))).toBe(false);
    expect(hasValidChecksum(`${key}A`)).toBe(false);
    expect(isWellFormedKey(key, "sk_test")).toBe(false);
    expect(isWellFormedKey(key.replace("sk_live_", "sk_livf_"), "sk_live")).toBe(false);
    expect(hasValidChecksum("")).toBe(false);
    expect(hasValidChecksum("x".repeat(55))).toBe(false);
  });

  it("expose keyPrefix = <prefix>_ + 8 secret characters and last4 = the key's last 4", () => {
    for (const { key, keyPrefix, last4 } of keys) {
      expect(keyPrefix).toMatch(/^sk_live_[0-9A-Za-z]{8}$/);
      expect(key.startsWith(keyPrefix)).toBe(true);
      expect(last4).toBe(key.slice(-4));
      expect(last4).toMatch(/^[0-9A-Za-z]{4}$/);
    }
  });

  it("keep at least 192 bits secret after showing keyPrefix and last4", () => {
    // 8 shown secret characters; last4 lies in the checksum, a function of the secret worth at most 4 characters
    expect((48 - 8 - 4) * Math.log2(62)).toBeGreaterThanOrEqual(192);
  });

  it("tell two keys apart by keyPrefix", () => {
    expect(new Set(keys.map((k) => k.keyPrefix)).size).toBe(keys.length);
  });
});

describe("base62 encoding without modulo bias", () => {
  it("draws each of the 62 symbols within ±10% of its expected count over 620,000 characters", () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 62; i++) {
      for (const c of randomBase62(10_000)) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    expect([...counts.keys()].sort().join("")).toBe([...BASE62].sort().join(""));
    // expected 10,000 per symbol, σ ≈ 99: ±1,000 is over 10σ, yet a modulo-256 bias (+25% for the first 8 symbols) fails it
    for (const n of counts.values()) {
      expect(n).toBeGreaterThan(9_000);
      expect(n).toBeLessThan(11_000);
    }
  });

  it("gives symbols 0-7 no more weight than the rest (the bias a plain `byte % 62` would add)", () => {
    let low = 0;
    const sample = randomBase62(200_000);
    for (const c of sample) if (BASE62.indexOf(c) < 8) low++;
    // unbiased: 8/62 ≈ 12.9%; `byte % 62` would give 10/64 ≈ 15.6%
    expect(low / sample.length).toBeLessThan(0.14);
    expect(low / sample.length).toBeGreaterThan(0.118);
  });

  it("takes its bytes from crypto.getRandomValues and discards bytes 248-255 instead of folding them (rejection sampling)", () => {
    // bytes the CSPRNG "returns", in order: every rejected value, then accepted ones at the edges of the 4 × 62 range
    const script = [248, 249, 250, 251, 252, 253, 254, 255, 0, 61, 62, 123, 124, 185, 186, 247, 255, 1];
    let next = 0;
    const spy = fakeRandom((bytes) => {
      for (let i = 0; i < bytes.length; i++) bytes[i] = script[next++ % script.length] as number;
    });
    try {
      // folding 248-255 (`byte % 62` → 0-7) would have started the output with "01234567"
      expect(randomBase62(9)).toBe("0z0z0z0z1");
      expect(spy).toHaveBeenCalled();
      next = 0;
      const { key } = generateKey("kw");
      expect(secretOf(key)).toBe("0z0z0z0z1".repeat(6).slice(0, 48));
    } finally {
      spy.mockRestore();
    }
  });

  it("keeps drawing until it has enough characters when the CSPRNG yields only rejected bytes at first", () => {
    let calls = 0;
    const spy = fakeRandom((bytes) => bytes.fill(calls++ < 3 ? 250 : 7));
    try {
      expect(randomBase62(48)).toBe("7".repeat(48));
      expect(calls).toBe(4);
    } finally {
      spy.mockRestore();
    }
  });

  it("returns exactly the requested length", () => {
    for (const n of [0, 1, 48, 1000]) expect(randomBase62(n)).toHaveLength(n);
  });
});

describe("the checksum primitives", () => {
  it('crc32 is CRC-32/IEEE (check value of "123456789")', () => {
    expect(crc32("123456789")).toBe(0xcbf43926);
    expect(crc32("xx123456789yy", 2, 11)).toBe(0xcbf43926);
    expect(crc32("")).toBe(0);
  });

  it("crc32 with an alphabet checks it in the same pass: -1 for a character outside, the plain CRC otherwise", () => {
    expect(crc32("123456789", 0, 9, BASE62_DIGITS)).toBe(0xcbf43926);
    for (const bad of ["12345678_", "1234-6789", "12345678\u00e9", "1234 6789", "\u0100"]) {
      expect(crc32(bad, 0, bad.length, BASE62_DIGITS)).toBe(-1);
    }
  });

  it("encodeUint32 writes 6 base62 digits, most significant first, for the whole 32-bit range", () => {
    const decode = (s: string) => [...s].reduce((n, c) => n * 62 + BASE62.indexOf(c), 0);
    for (const n of [0, 1, 61, 62, 3843, 2 ** 31, 2 ** 32 - 1, 0xcbf43926]) {
      const text = encodeUint32(n);
      expect(text).toMatch(/^[0-9A-Za-z]{6}$/);
      expect(decode(text)).toBe(n);
    }
    expect(encodeUint32(0)).toBe("000000");
    expect(encodeUint32(61)).toBe("00000z");
  });

  it("decodeBase62 reads back what encodeUint32 wrote, and -1 for a character outside the alphabet", () => {
    for (const n of [0, 1, 61, 62, 3843, 2 ** 31, 2 ** 32 - 1, 0xcbf43926])
      expect(decodeBase62(`x${encodeUint32(n)}x`, 1, 7)).toBe(n);
    for (const bad of ["00000-", "0000_0", "00000\u00e9", "0000 0", "00000\u0100"]) expect(decodeBase62(bad, 0, 6)).toBe(-1);
  });

  it("the alphabet has one definition: its character class, the checksum's alphabet check and the decoder agree on every code point below 256", () => {
    const inClass = new RegExp(`^${BASE62_CLASS}$`);
    for (let code = 0; code < 256; code++) {
      const c = String.fromCharCode(code);
      const member = BASE62.includes(c);
      expect(inClass.test(c), `code ${code}`).toBe(member);
      expect(crc32(c, 0, 1, BASE62_DIGITS) === -1, `code ${code}`).toBe(!member);
      expect(decodeBase62(c, 0, 1) === -1, `code ${code}`).toBe(!member);
    }
    expect(new Set(BASE62).size).toBe(62);
  });

  it("KEY_PATTERN keeps the exact source scanners were configured with", () => {
    expect(KEY_PATTERN.source).toBe("\\b[a-z][a-z0-9]*(?:_[a-z0-9]+)*_[0-9A-Za-z]{54}\\b");
    expect(keyPattern("sk_live").source).toBe("\\bsk_live_[0-9A-Za-z]{54}\\b");
  });
});
