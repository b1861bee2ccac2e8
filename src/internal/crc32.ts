/** CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320) over ASCII strings: the checksum of a key body. */

/**
 * The byte-wise lookup table, as signed 32-bit integers, so a CRC loop stays
 * in int32 arithmetic: start at -1, `crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8)`,
 * end with `~crc >>> 0`.
 */
export const CRC_TABLE: Int32Array = /* @__PURE__ */ (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c | 0;
  }
  return table;
})();

/**
 * CRC-32 of the char codes of `text` in `[start, end)`. Callers pass ASCII only
 * (key bodies are base62), so char codes are bytes. With `alphabet` (char
 * code → digit, 255 outside it, e.g. base62's), a character outside the
 * alphabet ends the pass with -1: the key check validates and sums in one loop.
 */
export function crc32(text: string, start = 0, end = text.length, alphabet?: Uint8Array): number {
  let crc = -1;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (alphabet !== undefined && (c > 127 || alphabet[c] === 255)) return -1;
    crc = (CRC_TABLE[(crc ^ c) & 0xff] as number) ^ (crc >>> 8);
  }
  return ~crc >>> 0;
}
