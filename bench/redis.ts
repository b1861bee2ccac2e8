/**
 * Redis benchmark: `keyward.verify()` on `redisStore` (ioredis), uncached (one
 * HGETALL per verification) and cached (served from memory, kept fresh by the
 * change feed), one at a time and with 64 verifications in flight. Counts the
 * Redis commands each verification costs through a wrapping client. Next to
 * the uncached verify, in the same interleaved rounds, a raw `HGETALL` of the
 * same record through the same client (`client.call`): the driver's speed,
 * which an uncached verify can at best approach; the ratio of the two is
 * printed per concurrency as a median with its range over the rounds. Each
 * case also prints this process's CPU time per operation (Redis runs on the
 * same cores, so throughput moves with it; CPU time per operation does less).
 *
 *   REDIS_URL=redis://127.0.0.1:6379 npx tsx bench/redis.ts
 *
 * Prints one line saying it skipped when Redis is unreachable.
 */
import Redis from "ioredis";
import { createHasher, createKeyward, type Keyward } from "keyward";
import { redisStore } from "keyward/redis";
import { median, rate, ratio } from "./harness.js";

const KEYS = 1_000;
const IN_FLIGHT = 64;
const ROUNDS = Number(process.env.BENCH_REDIS_ROUNDS ?? 5);
const ROUND_MS = 700;
const OPTS = { scopes: ["jobs:read"] };

type Op = (i: number) => Promise<unknown>;

/** Operations per second over `ms`, with `concurrency` of them in flight. */
async function throughput(op: Op, concurrency: number, ms: number): Promise<number> {
  let ops = 0;
  const start = performance.now();
  const worker = async (offset: number) => {
    for (let i = offset; performance.now() - start < ms; i += concurrency) {
      await op(i);
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

    const verify = (kw: Keyward) => async (i: number) => {
      const result = await kw.verify(keys[i % keys.length], OPTS);
      if (!result.ok) throw new Error(`bench: verify failed (${result.error.code})`);
    };
    // the record keys, named as the store names them (`<namespace>:rec:{<hash>}`)
    const hasher = createHasher();
    const recordKeys = keys.map((k) => `${prefix}:rec:{${hasher.hash(k)}}`);
    const raw = async (i: number) => {
      const reply = await client.call("HGETALL", recordKeys[i % recordKeys.length] as string);
      if (!Array.isArray(reply) || reply.length === 0) throw new Error("bench: raw HGETALL found nothing");
    };
    const cases: [string, Op, number][] = [
      ["raw HGETALL, sequential", raw, 1],
      ["uncached, sequential", verify(uncached), 1],
      [`raw HGETALL, ${IN_FLIGHT} in flight`, raw, IN_FLIGHT],
      [`uncached, ${IN_FLIGHT} in flight`, verify(uncached), IN_FLIGHT],
      ["cached (hit), sequential", verify(cached), 1],
      [`cached (hit), ${IN_FLIGHT} in flight`, verify(cached), IN_FLIGHT],
    ];
    const samples = new Map<string, number[]>(cases.map(([name]) => [name, []]));
    const perVerify = new Map<string, number>();
    const cpuPerOp = new Map<string, number[]>(); // this process's CPU µs per operation: steadier than throughput here
    for (const [, op, c] of cases) await throughput(op, c, 150); // warm up
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, op, concurrency] of cases) {
        const before = commands;
        const started = performance.now();
        const cpu = process.cpuUsage();
        const opsPerSec = await throughput(op, concurrency, ROUND_MS);
        const used = process.cpuUsage(cpu);
        const ops = (opsPerSec * (performance.now() - started)) / 1000;
        samples.get(name)?.push(opsPerSec);
        perVerify.set(name, (commands - before) / ops);
        cpuPerOp.set(name, [...(cpuPerOp.get(name) ?? []), (used.user + used.system) / ops]);
      }
    }
    lines.push(`redis verify (${KEYS.toLocaleString("en")} keys, ioredis, last-used writes off, median of ${ROUNDS} rounds):`);
    for (const [name] of cases) {
      const rt = name.startsWith("raw") ? "" : `${(perVerify.get(name) ?? 0).toFixed(2)} Redis commands per verify`;
      const cpu = `${median(cpuPerOp.get(name) ?? []).toFixed(1)} µs CPU here`;
      lines.push(`  ${name.padEnd(28)} ${rate(median(samples.get(name) ?? [])).padStart(9)}  ${cpu.padStart(17)}  ${rt}`);
    }
    for (const c of ["sequential", `${IN_FLIGHT} in flight`]) {
      const r = ratio(samples.get(`uncached, ${c}`), samples.get(`raw HGETALL, ${c}`));
      lines.push(`  uncached verify ÷ raw HGETALL, ${c.padEnd(13)} ${r.text}  (target >= 0.85x)`);
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
