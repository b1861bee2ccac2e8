/** The key alphabet: digits and ASCII letters. Safe in headers, URLs and JSON unescaped. */
export const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** Largest multiple of 62 that fits in a byte: bytes at or above it are rejected. */
const LIMIT = 248;

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

/** Fixed-width base62 encoding of an unsigned 32-bit integer (6 characters). */
export function encodeUint32(value: number): string {
  let n = value >>> 0;
  let out = "";
  for (let i = 0; i < 6; i++) {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}
