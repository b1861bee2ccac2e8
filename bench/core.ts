/**
 * Core benchmark: `keyward.verify()` on the memory store next to an ideal
 * in-process reference (parse + SHA-256 with node:crypto + Map.get + flag
 * checks + scope Set), at 1k and 1M keys; bad-checksum rejection; key generation.
 */
import { createHash, hash as oneShot } from "node:crypto";
import { createHasher, createKeyward, generateKey, isWellFormedKey, type KeyRecord, timingSafeEqual } from "keyward";
import { memoryStore } from "keyward/memory";
import { interleaved, rate } from "./harness.js";

const PREFIX = "cho";
const ROLES = { viewer: ["jobs:read"] };
const sha = oneShot
  ? (k: string) => oneShot("sha256", k, "base64url")
  : (k: string) => createHash("sha256").update(k).digest("base64url");

function makeRecords(n: number): { keys: string[]; records: KeyRecord[] } {
  const hasher = createHasher();
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

/** The physical limit of a key check: what any implementation must at least do. */
function idealVerifier(keys: string[]) {
  const byHash = new Map<string, { hash: string; active: boolean; expiresAt: number | null; scopes: Set<string> }>();
  for (const k of keys) byHash.set(sha(k), { hash: sha(k), active: true, expiresAt: null, scopes: new Set(["jobs:read"]) });
  const ideal = (key: string): boolean => {
    if (!key.startsWith(`${PREFIX}_`) || key.length !== PREFIX.length + 55) return false;
    const rec = byHash.get(sha(key));
    if (!rec?.active || (rec.expiresAt !== null && rec.expiresAt <= Date.now())) return false;
    return rec.scopes.has("jobs:read");
  };
  /** The ideal plus what the contract requires on top: checksum, constant-time compare, a Promise. */
  const floor = (key: string): Promise<boolean> => {
    if (!isWellFormedKey(key, PREFIX)) return Promise.resolve(false);
    const h = sha(key);
    const rec = byHash.get(h);
    if (!rec?.active || !timingSafeEqual(rec.hash, h) || (rec.expiresAt !== null && rec.expiresAt <= Date.now())) {
      return Promise.resolve(false);
    }
    return Promise.resolve(rec.scopes.has("jobs:read"));
  };
  return { ideal, floor };
}

async function atSize(n: number, lines: string[]): Promise<{ keyward: number; ideal: number }> {
  const { keys, records } = makeRecords(n);
  const sample = keys.length > 1000 ? Array.from({ length: 1000 }, (_, i) => keys[(i * 7919) % keys.length] as string) : keys;
  const kw = createKeyward({ store: memoryStore({ records }), prefix: PREFIX, roles: ROLES });
  const { ideal, floor } = idealVerifier(keys);
  const opts = { scopes: ["jobs:read"] };
  const check = await kw.verify(sample[0], opts);
  if (!check.ok) throw new Error("bench setup: verify failed");
  const res = await interleaved({
    ideal: (i) => ideal(sample[i % sample.length] as string),
    floor: (i) => floor(sample[i % sample.length] as string),
    keyward: (i) => kw.verify(sample[i % sample.length], opts),
  });
  const k = res.keyward ?? 0;
  const ratio = k / (res.ideal ?? 1);
  lines.push(
    `verify @ ${n.toLocaleString("en")} keys: keyward ${rate(k)}  ideal ${rate(res.ideal ?? 0)}  ratio ${ratio.toFixed(2)}x (target >= 0.60x)`,
  );
  lines.push(
    `  contract floor (ideal + checksum + constant-time compare + Promise) ${rate(res.floor ?? 0)} = ${((res.floor ?? 0) / (res.ideal ?? 1)).toFixed(2)}x ideal; keyward = ${(k / (res.floor ?? 1)).toFixed(2)}x floor`,
  );
  await kw.close();
  return { keyward: k, ideal: res.ideal ?? 0 };
}

export async function benchCore(): Promise<string[]> {
  const lines: string[] = [];
  const small = await atSize(1_000, lines);
  const large = await atSize(Number(process.env.BENCH_LARGE_KEYS ?? 1_000_000), lines);
  lines.push(
    `verify large/1k throughput ratio: keyward ${(large.keyward / small.keyward).toFixed(2)}x (target >= 0.90x), ideal ${(large.ideal / small.ideal).toFixed(2)}x`,
  );

  // bad checksum: flip the last character of a valid key
  let storeCalls = 0;
  const base = memoryStore();
  const counting = new Proxy(base, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      return typeof v === "function" && prop !== "watch"
        ? (...a: unknown[]) => (storeCalls++, (v as (...x: unknown[]) => unknown)(...a))
        : v;
    },
  });
  const kw = createKeyward({ store: counting, prefix: PREFIX });
  const good = generateKey(PREFIX).key;
  const bad = good.slice(0, -1) + (good.endsWith("A") ? "B" : "A");
  if (isWellFormedKey(bad, PREFIX)) throw new Error("bench setup: mutated key still well formed");
  const rej = await interleaved({ bad: () => kw.verify(bad) }, 3);
  lines.push(`bad-checksum rejection: ${rate(rej.bad ?? 0)} with ${storeCalls} store calls (target >= 1M/s, 0 calls)`);
  const gen = await interleaved({ generate: () => generateKey(PREFIX) }, 3);
  lines.push(`key generation: ${rate(gen.generate ?? 0)}`);
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of await benchCore()) console.log(line);
}
