/**
 * Redis benchmark: `keyward.verify()` on `redisStore` (ioredis), uncached (one
 * HGETALL per verification) and cached (served from memory, kept fresh by the
 * change feed), one at a time and with 64 verifications in flight. Counts the
 * Redis commands each verification costs through a wrapping client.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 npx tsx bench/redis.ts
 *
 * Prints one line saying it skipped when Redis is unreachable.
 */
import Redis from "ioredis";
import { createKeyward, type Keyward } from "keyward";
import { redisStore } from "keyward/redis";
import { median, rate } from "./harness.js";

const KEYS = 1_000;
const IN_FLIGHT = 64;
const ROUNDS = 3;
const ROUND_MS = 700;
const OPTS = { scopes: ["jobs:read"] };

/** Verifications per second over `ms`, with `concurrency` of them in flight. */
async function throughput(kw: Keyward, keys: string[], concurrency: number, ms: number): Promise<number> {
  let ops = 0;
  const start = performance.now();
  const worker = async (offset: number) => {
    for (let i = offset; performance.now() - start < ms; i += concurrency) {
      const result = await kw.verify(keys[i % keys.length], OPTS);
      if (!result.ok) throw new Error(`bench: verify failed (${result.error.code})`);
      ops++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  return (ops / (performance.now() - start)) * 1000;
}

/**
 * Runs the benchmark and returns printable lines (about 10 s).
 *
 * @example
 * ```ts
 * for (const line of await benchRedis()) console.log(line);
 * ```
 */
export async function benchRedis(): Promise<string[]> {
  const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  client.on("error", () => {});
  try {
    await client.connect();
  } catch {
    client.disconnect();
    return [`redis: skipped, Redis is not reachable at ${url} (set REDIS_URL)`];
  }
  const prefix = `keyward-bench:${process.pid}:${Date.now().toString(36)}`;
  let commands = 0;
  const counted = {
    call: (command: string, ...args: string[]) => (commands++, client.call(command, ...args)),
    duplicate: () => client.duplicate(),
  };
  const store = redisStore({ client: counted, namespace: prefix });
  const common = { store, prefix: "cho", roles: { viewer: ["jobs:read"] }, lastUsed: false } as const;
  const uncached = createKeyward(common);
  const cached = createKeyward({ ...common, cache: { ttl: 60_000, max: 10_000 } });
  const lines: string[] = [];
  try {
    const keys: string[] = [];
    for (let i = 0; i < KEYS; i += 100) {
      const batch = Array.from({ length: 100 }, (_, j) =>
        uncached.create({ owner: `org_${(i + j) % 10}`, label: "bench", role: "viewer" }),
      );
      for (const issued of await Promise.all(batch)) keys.push(issued.key);
    }
    // the cache is used once the change feed proved itself live (its first heartbeat came back)
    const probe = keys[0] as string;
    for (let i = 0; i < 200; i++) {
      await cached.verify(probe, OPTS);
      const before = commands;
      await cached.verify(probe, OPTS);
      if (commands === before) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    for (const key of keys) await cached.verify(key, OPTS); // fill the cache

    const cases: [string, Keyward, number][] = [
      ["uncached, sequential", uncached, 1],
      [`uncached, ${IN_FLIGHT} in flight`, uncached, IN_FLIGHT],
      ["cached (hit), sequential", cached, 1],
      [`cached (hit), ${IN_FLIGHT} in flight`, cached, IN_FLIGHT],
    ];
    const samples = new Map<string, number[]>(cases.map(([name]) => [name, []]));
    const perVerify = new Map<string, number>();
    for (const [, kw, c] of cases) await throughput(kw, keys, c, 150); // warm up
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, kw, concurrency] of cases) {
        const before = commands;
        const started = performance.now();
        const opsPerSec = await throughput(kw, keys, concurrency, ROUND_MS);
        const ops = (opsPerSec * (performance.now() - started)) / 1000;
        samples.get(name)?.push(opsPerSec);
        perVerify.set(name, (commands - before) / ops);
      }
    }
    lines.push(`redis verify (${KEYS.toLocaleString("en")} keys, ioredis, last-used writes off, median of ${ROUNDS} rounds):`);
    for (const [name] of cases) {
      const rt = perVerify.get(name) ?? 0;
      lines.push(
        `  ${name.padEnd(28)} ${rate(median(samples.get(name) ?? [])).padStart(9)}  ${rt.toFixed(2)} Redis commands per verify`,
      );
    }
  } finally {
    await uncached.close();
    await cached.close();
    let cursor = "0";
    do {
      const [next, found] = (await client.call("SCAN", cursor, "MATCH", `${prefix}:*`, "COUNT", "1000")) as [string, string[]];
      cursor = next;
      if (found.length > 0) await client.call("DEL", ...found);
    } while (cursor !== "0");
    await client.quit();
  }
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of await benchRedis()) console.log(line);
}
