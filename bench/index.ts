/**
 * `npm run bench`: every benchmark in one run. Set BENCH_ONLY=core,usage,usage-stores,http,redis,postgres,fanout,webhooks
 * to pick some; BENCH_LARGE_KEYS, BENCH_PG_KEYS, BENCH_HTTP_ROUNDS, BENCH_HTTP_SECONDS to size them;
 * BENCH_CORE=small,large,hmac,reject,cache picks parts of the core suite; BENCH_REPS, BENCH_ROUNDS
 * and BENCH_MS set its repetitions (3), interleaved rounds per repetition (5) and ms per sample (200).
 */
import { benchCore } from "./core.js";
import { benchFanout } from "./fanout.js";
import { benchHttp } from "./http.js";
import { benchPostgres } from "./postgres.js";
import { benchRedis } from "./redis.js";
import { benchUsage } from "./usage.js";
import { benchUsageStores } from "./usage-stores.js";
import { benchWebhooks } from "./webhooks.js";

const suites: Record<string, () => Promise<string[]>> = {
  core: benchCore,
  usage: benchUsage,
  "usage-stores": benchUsageStores,
  http: benchHttp,
  redis: benchRedis,
  postgres: benchPostgres,
  fanout: benchFanout,
  webhooks: benchWebhooks,
};
const only = process.env.BENCH_ONLY?.split(",").map((s) => s.trim());

console.log(`keyward benchmarks — node ${process.version}, ${new Date().toISOString()}`);
for (const [name, run] of Object.entries(suites)) {
  if (only && !only.includes(name)) continue;
  console.log(`\n## ${name}`);
  for (const line of await run()) console.log(line);
}
process.exit(0);
