/**
 * Core benchmark: `keyward.verify()` on the memory store against the
 * *contract floor*, the least any implementation of the contract must do
 * (prefix and length check, CRC32 checksum, SHA-256 one-shot, `Map.get`,
 * constant-time compare of the stored hash, revoked/disabled/expiry checks,
 * the required scope against the key's own scopes and its role's, read from
 * the roles table at verification time with wildcards honoured (SPEC §3.3),
 * a last-used window check, an awaited Promise), at 1k and 1M
 * keys; HMAC verify against the same floor with HMAC; bad-checksum and
 * unknown-key rejection against the floor's; the verification cache at
 * working sets of 0.5×, 1× and 10× its `max` against no cache. Every ratio
 * is printed as the median of {@link REPS} repetitions with its range, each
 * repetition being interleaved rounds of the cases compared.
 * BENCH_CORE=small,large,hmac,reject,cache picks parts (all by default).
 *
 * The *ideal* (no checksum, no constant-time compare, no Promise, no status
 * or last-used checks, scopes resolved in advance) is printed for reference only.
 */
import { createHash, createHmac, hash as oneShot } from "node:crypto";
import { createHasher, createKeyward, generateKey, isWellFormedKey, type KeyRecord, type Keyward } from "keyward";
import { memoryStore } from "keyward/memory";
import { median, REPS, rate, ratio, repeated } from "./harness.js";

const PREFIX = "cho";
const ROLES = { viewer: ["jobs:read"] };
const OPTS = { scopes: ["jobs:read"] };
const PEPPER = "bench-pepper";
const CACHE_MAX = 10_000;
const sha = oneShot
  ? (k: string) => oneShot("sha256", k, "base64url")
  : (k: string) => createHash("sha256").update(k).digest("base64url");
const hmac = (k: string) => createHmac("sha256", PEPPER).update(k).digest("base64url");

function makeRecords(n: number, pepper?: string): { keys: string[]; records: KeyRecord[] } {
  const hasher = createHasher(pepper);
  const keys: string[] = new Array(n);
  const records: KeyRecord[] = new Array(n);
  const now = Date.now();
  for (let i = 0; i < n; i++) {
    const g = generateKey(PREFIX);
    keys[i] = g.key;
    records[i] = {
      id: `id-${i}`,
      owner: `org-${i % 1000}`,
      label: "bench",
      keyPrefix: g.keyPrefix,
      last4: g.last4,
      hash: hasher.hash(g.key),
      scopes: [],
      role: "viewer",
      createdBy: null,
      createdAt: now,
      expiresAt: null,
      disabledAt: null,
      revokedAt: null,
      lastUsedAt: null,
      rotatedFrom: null,
      rotatedTo: null,
      metadata: {},
    };
  }
  return { keys, records };
}

// The floor's own checksum and comparison, written for speed and independent of keyward's,
// so that the reference stays fixed while keyward changes.
const CRC_TABLE = new Int32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c | 0;
});
const DIGITS = new Uint8Array(128).fill(255);
for (const [i, ch] of [..."0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"].entries())
  DIGITS[ch.charCodeAt(0)] = i;

/** `<prefix>_`, 48 base62 characters, and the base62 CRC-32 of those in 6 more. */
function wellFormed(key: string): boolean {
  const start = PREFIX.length + 1;
  if (key.length !== start + 54 || key.charCodeAt(PREFIX.length) !== 95 || !key.startsWith(PREFIX)) return false;
  let crc = -1;
  for (let i = start; i < start + 48; i++) {
    const c = key.charCodeAt(i);
    if (c > 127 || DIGITS[c] === 255) return false;
    crc = (CRC_TABLE[(crc ^ c) & 0xff] as number) ^ (crc >>> 8);
  }
  let n = 0;
  for (let i = start + 48; i < key.length; i++) {
    const c = key.charCodeAt(i);
    const d = c > 127 ? 255 : (DIGITS[c] as number);
    if (d === 255) return false;
    n = n * 62 + d;
  }
  return n === ~crc >>> 0;
}

/** Constant-time equality of two digests (time depends on the length of `b` only). */
function equal(a: string, b: string): boolean {
  const left = a.length === b.length ? a : b;
  let diff = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) diff |= left.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** The floor's answer to every rejection: one resolved promise, allocated once. */
const REJECTED = Promise.resolve(false);

interface RefRecord {
  hash: string;
  revokedAt: number | null;
  disabledAt: number | null;
  expiresAt: number | null;
  scopes: readonly string[];
  role: keyof typeof ROLES;
  /** The effective scopes resolved in advance: the ideal's shortcut, which the contract does not allow. */
  held: Set<string>;
  usedAt: number;
}

/** Whether `granted` holds `scope`: exactly, through `*`, or through `resource:*`. */
function covers(granted: readonly string[], scope: string): boolean {
  for (let i = 0; i < granted.length; i++) {
    const g = granted[i] as string;
    if (g === scope || g === "*" || (g.endsWith(":*") && scope.startsWith(g.slice(0, -1)))) return true;
  }
  return false;
}

/** The reference implementations over the same keys, hashed with `digest`. */
function references(keys: string[], digest: (key: string) => string) {
  const byHash = new Map<string, RefRecord>();
  for (const k of keys) {
    const h = digest(k);
    byHash.set(h, {
      hash: h,
      revokedAt: null,
      disabledAt: null,
      expiresAt: null,
      scopes: [],
      role: "viewer",
      held: new Set(ROLES.viewer),
      usedAt: 0,
    });
  }
  /** The physical limit of a key check (no checksum, no constant-time compare, no Promise). */
  const ideal = (key: string): boolean => {
    if (!key.startsWith(`${PREFIX}_`) || key.length !== PREFIX.length + 55) return false;
    const rec = byHash.get(digest(key));
    if (rec === undefined || rec.revokedAt !== null || (rec.expiresAt !== null && rec.expiresAt <= Date.now())) return false;
    return rec.held.has("jobs:read");
  };
  /** The contract floor: what keyward must do for every verification, and nothing more. */
  const floor = (key: string): Promise<boolean> => {
    if (!wellFormed(key)) return REJECTED;
    const h = digest(key);
    const rec = byHash.get(h);
    if (rec === undefined || !equal(rec.hash, h)) return REJECTED;
    const now = Date.now();
    if (rec.revokedAt !== null || rec.disabledAt !== null || (rec.expiresAt !== null && rec.expiresAt <= now)) {
      return REJECTED;
    }
    // effective scopes = own ∪ the role's, as the roles table says now (a role's change reaches its keys at once)
    if (!covers(rec.scopes, "jobs:read") && !covers(ROLES[rec.role] ?? [], "jobs:read")) return REJECTED;
    if (now - rec.usedAt >= 1000) rec.usedAt = now; // last-used: one write per key per window
    return Promise.resolve(true);
  };
  return { ideal, floor };
}

/** `n` keys of `keys`, spread over it (so 1M-key runs touch the whole table). */
function spread(keys: string[], n: number): string[] {
  if (keys.length <= n) return keys;
  return Array.from({ length: n }, (_, i) => keys[Math.floor((i * keys.length) / n)] as string);
}

async function mustVerify(kw: Keyward, key: string | undefined): Promise<void> {
  const r = await kw.verify(key, OPTS);
  if (!r.ok) throw new Error(`bench setup: verify failed (${r.error.code})`);
}

const line = (name: string, r: { text: string }, target: string) => `  ${name.padEnd(44)} ${r.text.padEnd(18)} ${target}`;

async function atSize(
  n: number,
  lines: string[],
): Promise<{ keys: string[]; kw: Keyward; store: ReturnType<typeof memoryStore> }> {
  const { keys, records } = makeRecords(n);
  const store = memoryStore({ records });
  records.length = 0;
  const sample = spread(keys, 1000);
  const kw = createKeyward({ store, prefix: PREFIX, roles: ROLES });
  const { ideal, floor } = references(keys, sha);
  await mustVerify(kw, sample[0]);
  const res = await repeated({
    ideal: (i) => ideal(sample[i % sample.length] as string),
    floor: (i) => floor(sample[i % sample.length] as string),
    keyward: (i) => kw.verify(sample[i % sample.length], OPTS),
  });
  const size = n.toLocaleString("en");
  lines.push(line(`verify @ ${size} keys ÷ floor`, ratio(res.keyward, res.floor), "(target >= 0.95x)"));
  lines.push(
    `    keyward ${rate(median(res.keyward ?? []))}, floor ${rate(median(res.floor ?? []))}, ideal ${rate(median(res.ideal ?? []))}; floor ÷ ideal ${ratio(res.floor, res.ideal).text}, keyward ÷ ideal ${ratio(res.keyward, res.ideal).text}`,
  );
  return { keys, kw, store };
}

async function hmacCase(lines: string[]): Promise<void> {
  const { keys, records } = makeRecords(1000, PEPPER);
  const kw = createKeyward({ store: memoryStore({ records }), prefix: PREFIX, roles: ROLES, pepper: PEPPER });
  const { ideal, floor } = references(keys, hmac);
  await mustVerify(kw, keys[0]);
  const res = await repeated({
    ideal: (i) => ideal(keys[i % keys.length] as string),
    floor: (i) => floor(keys[i % keys.length] as string),
    keyward: (i) => kw.verify(keys[i % keys.length], OPTS),
  });
  lines.push(line("HMAC verify (pepper) @ 1,000 keys ÷ ideal HMAC", ratio(res.keyward, res.ideal), "(target >= 0.80x)"));
  lines.push(
    `    keyward ${rate(median(res.keyward ?? []))}, ideal HMAC ${rate(median(res.ideal ?? []))}; keyward ÷ floor with HMAC ${ratio(res.keyward, res.floor).text}`,
  );
  await kw.close();
}

async function rejections(lines: string[]): Promise<void> {
  const { keys, records } = makeRecords(1000);
  let storeCalls = 0;
  const base = memoryStore({ records });
  const counting = new Proxy(base, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      return typeof v === "function" && prop === "findByHash"
        ? (...a: unknown[]) => (storeCalls++, (v as (...x: unknown[]) => unknown)(...a))
        : v;
    },
  });
  const kw = createKeyward({ store: counting, prefix: PREFIX, roles: ROLES });
  const { floor } = references(keys, sha);
  const good = keys[0] as string;
  const bad = good.slice(0, -1) + (good.endsWith("A") ? "B" : "A");
  if (isWellFormedKey(bad, PREFIX) || wellFormed(bad) || !wellFormed(good)) throw new Error("bench setup: checksum disagreement");
  const unknown = generateKey(PREFIX).key;
  const badRes = await repeated({ floor: () => floor(bad), keyward: () => kw.verify(bad, OPTS) });
  const badCalls = storeCalls;
  lines.push(
    line("bad-checksum rejection ÷ floor's", ratio(badRes.keyward, badRes.floor), `(target >= 0.90x) ${badCalls} store calls`),
  );
  lines.push(`    keyward ${rate(median(badRes.keyward ?? []))}, floor ${rate(median(badRes.floor ?? []))}`);
  // an unknown key on the plain store: the counting proxy above is the bench's instrument, not keyward's cost
  const plain = createKeyward({ store: base, prefix: PREFIX, roles: ROLES });
  const missRes = await repeated({ floor: () => floor(unknown), keyward: () => plain.verify(unknown, OPTS) });
  await plain.close();
  lines.push(line("unknown key ÷ floor's miss", ratio(missRes.keyward, missRes.floor), "(target >= 0.80x)"));
  lines.push(`    keyward ${rate(median(missRes.keyward ?? []))}, floor ${rate(median(missRes.floor ?? []))}`);
  await kw.close();
}

async function cacheCases(large: { keys: string[]; kw: Keyward; store: ReturnType<typeof memoryStore> }, lines: string[]) {
  const cached = createKeyward({ store: large.store, prefix: PREFIX, roles: ROLES, cache: { max: CACHE_MAX } });
  const size = large.keys.length.toLocaleString("en");
  for (const factor of [0.5, 1, 10]) {
    const working = spread(large.keys, Math.round(CACHE_MAX * factor));
    await mustVerify(cached, working[0]);
    const res = await repeated({
      uncached: (i) => large.kw.verify(working[i % working.length], OPTS),
      cached: (i) => cached.verify(working[i % working.length], OPTS),
    });
    lines.push(
      line(
        `cache on, working set ${factor}x max (${working.length}) ÷ off`,
        ratio(res.cached, res.uncached),
        "(target >= 0.95x)",
      ),
    );
    lines.push(`    cached ${rate(median(res.cached ?? []))}, uncached ${rate(median(res.uncached ?? []))} (${size} keys)`);
  }
  await cached.close();
}

/**
 * Runs the core benchmark and returns printable lines.
 *
 * @example
 * ```ts
 * for (const line of await benchCore()) console.log(line);
 * ```
 */
export async function benchCore(): Promise<string[]> {
  const lines: string[] = [`ratios: median [range] of ${REPS} repetitions, each interleaved rounds`];
  const parts = process.env.BENCH_CORE?.split(",") ?? ["small", "large", "hmac", "reject", "cache"];
  if (parts.includes("small")) await (await atSize(1_000, lines)).kw.close();
  if (parts.includes("hmac")) await hmacCase(lines);
  if (parts.includes("reject")) await rejections(lines);
  if (parts.includes("large") || parts.includes("cache")) {
    const large = await atSize(Number(process.env.BENCH_LARGE_KEYS ?? 1_000_000), lines);
    if (parts.includes("cache")) await cacheCases(large, lines);
    await large.kw.close();
  }
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of await benchCore()) console.log(line);
}
