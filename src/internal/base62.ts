/** The key alphabet: digits and ASCII letters. Safe in headers, URLs and JSON unescaped. */
export const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** {@link BASE62} as a regular-expression character class (a test checks they agree). */
export const BASE62_CLASS = "[0-9A-Za-z]";

/** Largest multiple of 62 that fits in a byte: bytes at or above it are rejected. */
const LIMIT = 248;

/** ASCII char code → digit value, 255 for anything outside {@link BASE62}; built from it. */
export const BASE62_DIGITS: Uint8Array = /* @__PURE__ */ (() => {
  const table = new Uint8Array(128).fill(255);
  for (let i = 0; i < BASE62.length; i++) table[BASE62.charCodeAt(i)] = i;
  return table;
})();

/**
 * `length` base62 characters from a CSPRNG, without modulo bias: each byte
 * below 248 (= 4 × 62) maps to `byte % 62`; bytes 248–255 are discarded and
 * redrawn (rejection sampling).
 */
export function randomBase62(length: number): string {
  let out = "";
  // getRandomValues fills at most 65,536 bytes per call
  const buffer = new Uint8Array(Math.min(Math.ceil(length * 1.1) + 8, 65_536));
  while (out.length < length) {
    crypto.getRandomValues(buffer);
    for (let i = 0; i < buffer.length && out.length < length; i++) {
      const byte = buffer[i] as number;
      if (byte < LIMIT) out += BASE62[byte % 62];
    }
  }
  return out;
}

/** Width of {@link encodeUint32}'s output: 62^6 > 2^32. */
export const UINT32_WIDTH = 6;

/** Fixed-width base62 encoding of an unsigned 32-bit integer ({@link UINT32_WIDTH} characters, most significant first). */
export function encodeUint32(value: number): string {
  let n = value >>> 0;
  let out = "";
  for (let i = 0; i < UINT32_WIDTH; i++) {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

/**
 * The number the base62 digits of `text` in `[start, end)` spell, most
 * significant first (the inverse of {@link encodeUint32}); -1 when one of
 * them is not a base62 character.
 */
export function decodeBase62(text: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    const d = c > 127 ? 255 : (BASE62_DIGITS[c] as number);
    if (d === 255) return -1;
    n = n * 62 + d;
  }
  return n;
}
