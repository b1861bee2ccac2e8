/**
 * Profiles one verification loop (setup excluded) with the inspector's CPU
 * profiler, the same sampler as `node --cpu-prof`, and writes
 * `<scenario>-<keys>.cpuprofile` into BENCH_PROFILE_DIR (default /tmp);
 * bench/profile-summary.ts prints self time per function:
 *
 *   npx tsx bench/profile.ts verify 1000000
 *   npx tsx bench/profile-summary.ts /tmp/verify-1000000.cpuprofile
 *
 * Scenarios: `verify` (hit, scope check), `hmac`, `bad` (bad checksum),
 * `unknown`, `cache10` / `uncached10` (cache on / off, working set 10× the
 * cache's max), `floor` (the contract floor of bench/core.ts). Second
 * argument: keys in the store (default 1000); third: seconds (default 5).
 */
import { hash as oneShot } from "node:crypto";
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { createHasher, createKeyward, generateKey, isWellFormedKey, type KeyRecord, timingSafeEqual } from "keyward";
import { memoryStore } from "keyward/memory";

const [scenario = "verify", sizeArg = "1000", secondsArg = "5"] = process.argv.slice(2);
const n = Number(sizeArg);
const pepper = scenario === "hmac" ? "bench-pepper" : undefined;
const hasher = createHasher(pepper);
const keys: string[] = [];
const records: KeyRecord[] = [];
for (let i = 0; i < n; i++) {
  const g = generateKey("cho");
  keys.push(g.key);
  records.push({
    id: `id-${i}`,
    owner: `org-${i % 1000}`,
    label: "bench",
    keyPrefix: g.keyPrefix,
    last4: g.last4,
    hash: hasher.hash(g.key),
    scopes: [],
    role: "viewer",
    createdBy: null,
    createdAt: Date.now(),
    expiresAt: null,
    disabledAt: null,
    revokedAt: null,
    lastUsedAt: null,
    rotatedFrom: null,
    rotatedTo: null,
    metadata: {},
  });
}
const cache = scenario === "cache10" ? { max: Math.max(1, Math.floor(n / 10)) } : undefined;
const kw = createKeyward({ store: memoryStore({ records }), prefix: "cho", roles: { viewer: ["jobs:read"] }, pepper, cache });
const opts = { scopes: ["jobs:read"] };
const good = keys[0] as string;
const bad = good.slice(0, -1) + (good.endsWith("A") ? "B" : "A");
const unknown = generateKey("cho").key;
const sample = keys.length > 1000 && !scenario.endsWith("10") ? keys.filter((_, i) => i % Math.floor(n / 1000) === 0) : keys;
const byHash = new Map(keys.map((k) => [oneShot("sha256", k, "base64url"), { hash: oneShot("sha256", k, "base64url") }]));
const floor = (key: string): Promise<boolean> => {
  if (!isWellFormedKey(key, "cho")) return Promise.resolve(false);
  const h = oneShot("sha256", key, "base64url");
  const rec = byHash.get(h);
  return Promise.resolve(rec !== undefined && timingSafeEqual(rec.hash, h));
};
const pick: Record<string, (i: number) => string> = {
  verify: (i) => sample[i % sample.length] as string,
  hmac: (i) => sample[i % sample.length] as string,
  cache10: (i) => sample[i % sample.length] as string,
  uncached10: (i) => sample[i % sample.length] as string,
  floor: (i) => sample[i % sample.length] as string,
  bad: () => bad,
  unknown: () => unknown,
};
const next = pick[scenario];
if (next === undefined) throw new Error(`unknown scenario ${scenario}`);
const run = scenario === "floor" ? (k: string) => floor(k) : (k: string) => kw.verify(k, opts);
for (let i = 0; i < 200_000; i++) await run(next(i)); // warm up (and fill the cache)
const profiling = process.env.BENCH_PROFILE !== "0"; // 0: just the throughput
const session = new Session();
session.connect();
if (profiling) {
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 100 });
  await session.post("Profiler.start");
}
const end = performance.now() + Number(secondsArg) * 1000;
let ops = 0;
const started = performance.now();
while (performance.now() < end) {
  for (let j = 0; j < 2000; j++) await run(next(ops++));
}
const out = profiling ? `${process.env.BENCH_PROFILE_DIR ?? "/tmp"}/${scenario}-${n}.cpuprofile` : "(none)";
if (profiling) writeFileSync(out, JSON.stringify((await session.post("Profiler.stop")).profile));
console.log(`${scenario} @ ${n} keys: ${((ops / (performance.now() - started)) * 1000).toFixed(0)}/s, profile in ${out}`);
await kw.close();
