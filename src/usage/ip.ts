/**
 * A parsed IP address: 4 bytes (IPv4) or 16 (IPv6). An IPv4-mapped IPv6
 * address (`::ffff:a.b.c.d`) is parsed as the IPv4 address it maps.
 */
interface Address {
  readonly bytes: Uint8Array;
}

/** An address range: an address and how many leading bits of it are fixed. */
interface Range {
  readonly bytes: Uint8Array;
  readonly bits: number;
}

const DECIMAL = /^(0|[1-9][0-9]{0,2})$/;
const HEXTET = /^[0-9a-fA-F]{1,4}$/;

function parseV4(text: string): Uint8Array | null {
  if (text.length > 15) return null;
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i] as string;
    if (!DECIMAL.test(part)) return null; // no leading zeros: "010" is octal to some parsers
    const n = Number(part);
    if (n > 255) return null;
    out[i] = n;
  }
  return out;
}

function parseV6(text: string): Uint8Array | null {
  if (text.length > 45) return null;
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const groups = (half: string): string[] | null => (half === "" ? [] : half.split(":"));
  const head = groups(halves[0] as string);
  const tail = halves.length === 2 ? groups(halves[1] as string) : [];
  if (head === null || tail === null) return null;
  const words: number[] = [];
  const all = [...head, ...(halves.length === 2 ? ["::"] : []), ...tail];
  let v4: Uint8Array | null = null;
  for (let i = 0; i < all.length; i++) {
    const g = all[i] as string;
    if (g === "::") continue;
    if (i === all.length - 1 && g.includes(".")) {
      v4 = parseV4(g);
      if (v4 === null) return null;
    } else if (!HEXTET.test(g)) return null;
  }
  const count = (list: string[]) => list.reduce((n, g) => n + (g.includes(".") ? 2 : 1), 0);
  const used = count(head) + count(tail);
  if (halves.length === 2 ? used > 7 : used !== 8) return null;
  const push = (list: string[]) => {
    for (const g of list) {
      if (g.includes(".") && v4 !== null)
        words.push((v4[0] as number) * 256 + (v4[1] as number), (v4[2] as number) * 256 + (v4[3] as number));
      else words.push(Number.parseInt(g, 16));
    }
  };
  push(head);
  if (halves.length === 2) for (let i = used; i < 8; i++) words.push(0);
  push(tail);
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = (words[i] as number) >> 8;
    out[2 * i + 1] = (words[i] as number) & 0xff;
  }
  return out;
}

/** Whether 16 bytes are `::ffff:a.b.c.d`. */
function isMapped(bytes: Uint8Array): boolean {
  if (bytes.length !== 16 || bytes[10] !== 0xff || bytes[11] !== 0xff) return false;
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return true;
}

/** An address from text, or null; IPv4-mapped IPv6 becomes IPv4, a zone (`%eth0`) is refused. */
function parseAddress(text: string): Address | null {
  if (text.includes(":")) {
    const bytes = parseV6(text);
    if (bytes === null) return null;
    return { bytes: isMapped(bytes) ? bytes.slice(12) : bytes };
  }
  const bytes = parseV4(text);
  return bytes === null ? null : { bytes };
}

function formatV6(bytes: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push(((bytes[2 * i] as number) << 8) | (bytes[2 * i + 1] as number));
  // RFC 5952: compress the longest run of two or more zero groups, the first one on a tie
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) {
      best = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (list: number[]) => list.map((w) => w.toString(16)).join(":");
  if (best < 0) return hex(words);
  return `${hex(words.slice(0, best))}::${hex(words.slice(best + bestLength))}`;
}

function formatAddress(bytes: Uint8Array): string {
  return bytes.length === 4 ? Array.from(bytes).join(".") : formatV6(bytes);
}

function masked(bytes: Uint8Array, bits: number): Uint8Array {
  const out = bytes.slice();
  for (let i = 0; i < out.length; i++) {
    const keep = Math.max(0, Math.min(8, bits - 8 * i));
    out[i] = (out[i] as number) & ((0xff << (8 - keep)) & 0xff);
  }
  return out;
}

function parseRange(text: string): Range | null {
  const slash = text.indexOf("/");
  if (slash < 0) {
    const address = parseAddress(text);
    return address === null ? null : { bytes: address.bytes, bits: address.bytes.length * 8 };
  }
  const addressText = text.slice(0, slash);
  const bitsText = text.slice(slash + 1);
  if (!/^(0|[1-9][0-9]{0,2})$/.test(bitsText)) return null;
  let bits = Number(bitsText);
  const v6 = addressText.includes(":") ? parseV6(addressText) : null;
  const address = parseAddress(addressText);
  if (address === null) return null;
  if (v6 !== null && address.bytes.length === 4) {
    if (bits < 96 || bits > 128) return null; // a mapped range must stay inside ::ffff:0:0/96
    bits -= 96;
  }
  if (bits > address.bytes.length * 8) return null;
  return { bytes: masked(address.bytes, bits), bits };
}

function formatRange(range: Range): string {
  const text = formatAddress(range.bytes);
  return range.bits === range.bytes.length * 8 ? text : `${text}/${range.bits}`;
}

function contains(range: Range, bytes: Uint8Array): boolean {
  if (range.bytes.length !== bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, range.bits - 8 * i));
    if (keep === 0) return true;
    if ((((bytes[i] as number) ^ (range.bytes[i] as number)) & ((0xff << (8 - keep)) & 0xff)) !== 0) return false;
  }
  return true;
}

/**
 * The normalised form of an IP address (`"203.0.113.7"`, `"2001:db8::1"`)
 * or null when `text` is not one. IPv6 is lower-case with the longest run of
 * zero groups compressed (RFC 5952); an IPv4-mapped IPv6 address becomes
 * the IPv4 address; a zone (`fe80::1%eth0`) is dropped.
 *
 * @example
 * ```ts
 * normalizeIp("::FFFF:192.0.2.1"); // "192.0.2.1"
 * normalizeIp("2001:0db8:0:0:0:0:0:1"); // "2001:db8::1"
 * normalizeIp("not an address"); // null
 * ```
 */
export function normalizeIp(text: string): string | null {
  if (typeof text !== "string") return null;
  const zone = text.indexOf("%");
  const address = parseAddress((zone >= 0 ? text.slice(0, zone) : text).trim());
  return address === null ? null : formatAddress(address.bytes);
}

/**
 * The normalised form of an allowlist entry (an address or a CIDR range), or
 * null when it is neither. Host bits of a range are cleared
 * (`10.1.2.3/8` → `10.0.0.0/8`), a full-length range is written as the
 * address, and IPv4-mapped IPv6 becomes IPv4 (`::ffff:10.0.0.0/104` →
 * `10.0.0.0/8`). Zones are refused.
 *
 * @example
 * ```ts
 * normalizeIpRange("192.0.2.0/24"); // "192.0.2.0/24"
 * normalizeIpRange("2001:DB8::/32"); // "2001:db8::/32"
 * normalizeIpRange("10.0.0.1/33"); // null
 * ```
 */
export function normalizeIpRange(text: string): string | null {
  if (typeof text !== "string" || text.length > 64) return null;
  const range = parseRange(text);
  return range === null ? null : formatRange(range);
}

/** Parsed allowlists, by the (frozen) array a checked record holds. */
const compiled = new WeakMap<readonly string[], readonly Range[]>();

function rangesOf(allowed: readonly string[]): readonly Range[] {
  let ranges = compiled.get(allowed);
  if (ranges === undefined) {
    ranges = allowed.map(parseRange).filter((r): r is Range => r !== null);
    if (Object.isFrozen(allowed)) compiled.set(allowed, ranges);
  }
  return ranges;
}

/**
 * Whether address `ip` lies in one of the ranges of `allowed` (entries as
 * {@link normalizeIpRange} accepts them). False when `ip` is not an address.
 *
 * @example
 * ```ts
 * ipAllowed(["10.0.0.0/8", "2001:db8::/32"], "::ffff:10.1.2.3"); // true
 * ipAllowed(["10.0.0.0/8"], "192.0.2.1"); // false
 * ```
 */
export function ipAllowed(allowed: readonly string[], ip: string): boolean {
  const zone = typeof ip === "string" ? ip.indexOf("%") : -1;
  const address = typeof ip === "string" ? parseAddress(zone >= 0 ? ip.slice(0, zone) : ip) : null;
  if (address === null) return false;
  for (const range of rangesOf(allowed)) if (contains(range, address.bytes)) return true;
  return false;
}

/**
 * Whether every address of range `inner` lies in range `outer` (both as
 * {@link normalizeIpRange} accepts them).
 *
 * @example
 * ```ts
 * ipRangeWithin("10.1.0.0/16", "10.0.0.0/8"); // true
 * ipRangeWithin("10.0.0.0/8", "10.1.0.0/16"); // false
 * ```
 */
export function ipRangeWithin(inner: string, outer: string): boolean {
  const a = parseRange(inner);
  const b = parseRange(outer);
  return a !== null && b !== null && a.bytes.length === b.bytes.length && a.bits >= b.bits && contains(b, a.bytes);
}
