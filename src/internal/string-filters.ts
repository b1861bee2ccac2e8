/**
 * Probabilistic sets of strings for the verification cache, indexed by a
 * hash of each string's last four characters (digests end in random ones).
 */

/**
 * A counting filter over strings: {@link PresenceFilter.mayHold} is false
 * only for a string added no more times than removed, so a lookup it rules
 * out needs no probe of the map it guards (a probe that, for a map larger
 * than the CPU caches, is a cache miss). Slots are chosen from the last four
 * characters, which suits random strings such as digests. A slot counts up
 * to 255 and then stays set: it can only answer "maybe", never miss.
 */
export class PresenceFilter {
  private readonly counts: Uint8Array;
  private readonly mask: number;

  /** @param capacity - The most strings held at once; the filter has about four slots per string (1,024 to 1,048,576). */
  constructor(capacity: number) {
    let size = 1_024;
    while (size < capacity * 4 && size < 1_048_576) size *= 2;
    this.counts = new Uint8Array(size);
    this.mask = size - 1;
  }

  /** Whether `text` may have been added (and not removed since). */
  mayHold(text: string): boolean {
    return this.counts[slot(text) & this.mask] !== 0;
  }

  add(text: string): void {
    const i = slot(text) & this.mask;
    const n = this.counts[i] as number;
    if (n !== 255) this.counts[i] = n + 1;
  }

  /** Undoes one {@link PresenceFilter.add} of `text`; call it only for a string that was added. */
  remove(text: string): void {
    const i = slot(text) & this.mask;
    const n = this.counts[i] as number;
    if (n !== 255 && n !== 0) this.counts[i] = n - 1;
  }

  clear(): void {
    this.counts.fill(0);
  }
}

/**
 * Remembers which strings were seen recently, as bits (no removal): the
 * admission test of the verification cache. A string is admitted the second
 * time it is seen; the memory is wiped after `capacity` strings, so "twice"
 * means twice within about that many. A key read again and again is cached
 * on its second read, while a working set far larger than the cache, each
 * key of which comes back only after many others, is never inserted (each
 * insert would evict a record about to be read again). A false "seen" (a few
 * per cent) only admits a string early.
 */
export class Doorkeeper {
  private readonly bits: Int32Array;
  private readonly mask: number;
  private readonly capacity: number;
  private seen = 0;

  /** @param capacity - Strings remembered before a wipe; 64 bits each (1,024 to 16,777,216 bits), so under 1 % are wrongly remembered. */
  constructor(capacity: number) {
    let size = 1_024;
    while (size < capacity * 64 && size < 16_777_216) size *= 2;
    this.bits = new Int32Array(size >>> 5);
    this.mask = size - 1;
    this.capacity = Math.max(1, Math.floor(capacity));
  }

  /** Whether `text` was seen since the last wipe; remembers it if not. */
  admits(text: string): boolean {
    const bit = slot(text) & this.mask;
    const word = bit >>> 5;
    const flag = 1 << (bit & 31);
    const bits = this.bits;
    if (((bits[word] as number) & flag) !== 0) return true;
    if (++this.seen > this.capacity) {
      bits.fill(0);
      this.seen = 1;
    }
    bits[word] = (bits[word] as number) | flag;
    return false;
  }
}

/** FNV-1a over the last four characters (fewer for a shorter string): digests end in random characters. */
function slot(text: string): number {
  let h = 0x811c9dc5;
  for (let i = Math.max(0, text.length - 4); i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h ^ (h >>> 16);
}
