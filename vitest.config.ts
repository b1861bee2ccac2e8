import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { configDefaults, defineConfig, type TestProjectInlineConfiguration } from "vitest/config";
import { PEER_SETS } from "./scripts/peer-sets.mjs";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/** Resolve `keyward/*` to the sources, as the published package resolves them to dist/. */
export const alias = [
  { find: /^keyward$/, replacement: here("./src/index.ts") },
  { find: /^keyward\/http$/, replacement: here("./src/http/index.ts") },
  { find: /^keyward\/testing$/, replacement: here("./src/testing/index.ts") },
  { find: /^keyward\/openapi$/, replacement: here("./src/openapi/index.ts") },
  { find: /^keyward\/webhooks$/, replacement: here("./src/webhooks/index.ts") },
  { find: /^keyward\/(memory|postgres|redis|express|hono|koa|fastify|fetch|jwt)$/, replacement: here("./adapters/$1/index.ts") },
];

const ENTRIES = [
  "http",
  "testing",
  "openapi",
  "webhooks",
  "memory",
  "postgres",
  "redis",
  "express",
  "hono",
  "koa",
  "fastify",
  "fetch",
  "jwt",
];

const common = {
  testTimeout: 20_000,
  hookTimeout: 30_000,
  fileParallelism: true,
  setupFiles: [here("./test/setup/unhandled-rejections.ts")],
};

/**
 * Test files that reach into the sources (internal modules) or run the
 * sources in a child process: they prove the code, not the artifact.
 */
const SOURCE_ONLY = [
  "test/cli/**",
  "test/docs/**",
  "test/examples/**",
  "test/types/**",
  "test/core/cache.test.ts",
  "test/core/digest-lookup.test.ts",
  "test/core/last-used-flush-order.test.ts",
  "test/core/hashing.test.ts",
  "test/core/key-format.test.ts",
  "test/stores/null-expiry-never-expires.test.ts",
  "test/stores/redis/feed.test.ts",
  "test/webhooks/kill.test.ts",
];

/** Test files that spawn other runtimes (Bun, Deno, workerd) on the installed package. */
const RUNTIMES = ["test/runtimes/**"];

/** What each artifact run covers (globs under test/). */
const HTTP = ["test/http/**/*.test.ts", "test/openapi/**/*.test.ts"];
const CONFORMANCE = ["test/stores/*/conformance.test.ts", "test/stores/memory/*.test.ts", "test/webhooks/outbox.test.ts"];
const STORES = ["test/stores/**/*.test.ts"];
const REDIS = ["test/stores/redis/*.test.ts", "test/http/versions.test.ts"];
/** Crashes cluster nodes; once per client major is enough (newest and oldest, as ESM). */
const FAILOVER = "test/stores/redis/cluster-failover.test.ts";
const RUNS: { set: keyof typeof PEER_SETS; format: "esm" | "cjs"; include: string[]; exclude?: string[] }[] = [
  // the whole suite on the newest peers, as `import`
  { set: "newest", format: "esm", include: ["test/**/*.test.ts"] },
  // the HTTP contract and management suites, the stores and the core again, as `require`
  {
    set: "newest",
    format: "cjs",
    include: [...HTTP, ...CONFORMANCE, "test/stores/redis/*.test.ts", "test/core/**/*.test.ts"],
    exclude: [FAILOVER],
  },
  // the oldest supported major of every peer
  { set: "oldest", format: "esm", include: [...HTTP, ...STORES, "test/webhooks/outbox.test.ts", "test/jwt/**/*.test.ts"] },
  { set: "oldest", format: "cjs", include: [...HTTP, ...CONFORMANCE] },
  // node-redis 5, the major between the oldest and the newest
  { set: "redis5", format: "esm", include: REDIS, exclude: [FAILOVER] },
];

/**
 * The file Node loads for `import` or `require` of the package in `dir`
 * (its `exports["."]` under `conditions`, else `main`), so the test files get
 * the very module instance the built adapters get.
 */
function entryOf(dir: string, conditions: readonly string[]): string {
  const pkg = JSON.parse(readFileSync(`${dir}/package.json`, "utf8")) as { exports?: unknown; main?: string };
  const pick = (target: unknown): string | undefined => {
    if (typeof target === "string") return target;
    if (Array.isArray(target)) return target.map(pick).find(Boolean);
    if (target && typeof target === "object") {
      for (const [key, value] of Object.entries(target)) {
        if (conditions.includes(key)) {
          const found = pick(value);
          if (found) return found;
        }
      }
    }
    return undefined;
  };
  let exported = pkg.exports;
  if (exported && typeof exported === "object" && !Array.isArray(exported) && "." in exported) {
    exported = (exported as Record<string, unknown>)["."];
  }
  const file = pick(exported) ?? pkg.main ?? "index.js";
  const path = `${dir}/${file.replace(/^\.\//, "")}`;
  return existsSync(path) || !existsSync(`${path}.js`) ? path : `${path}.js`;
}

/** The vitest projects that run against the packed package installed by `scripts/artifact.mjs`. */
function artifactProjects(): TestProjectInlineConfiguration[] {
  const projects: TestProjectInlineConfiguration[] = [];
  for (const run of RUNS) {
    const dir = here(`./.artifact/${run.set}/node_modules`);
    if (!existsSync(`${dir}/keyward/package.json`)) continue;
    const ext = run.format === "esm" ? "js" : "cjs";
    const dist = `${dir}/keyward/dist`;
    const conditions = ["node", run.format === "esm" ? "import" : "require", "default"];
    const peers = Object.keys(PEER_SETS[run.set]).flatMap((name) => [
      { find: new RegExp(`^${name.replace(/[/.]/g, "\\$&")}$`), replacement: entryOf(`${dir}/${name}`, conditions) },
      { find: new RegExp(`^${name.replace(/[/.]/g, "\\$&")}/package\\.json$`), replacement: `${dir}/${name}/package.json` },
    ]);
    projects.push({
      resolve: {
        alias: [
          { find: /^keyward$/, replacement: `${dist}/index.${ext}` },
          ...ENTRIES.map((entry) => ({ find: new RegExp(`^keyward/${entry}$`), replacement: `${dist}/${entry}.${ext}` })),
          ...peers,
        ],
      },
      test: {
        ...common,
        name: `dist-${run.format}-${run.set}`,
        include: run.include,
        exclude: [...SOURCE_ONLY, ...(run.exclude ?? []), ...(run.set === "newest" && run.format === "esm" ? [] : RUNTIMES)],
        env: { KEYWARD_UNDER_TEST: `dist-${run.format}-${run.set}` },
        // loaded by Node itself, as in an application: one instance of each module, resolved by Node's rules
        server: { deps: { external: [/\/\.artifact\/.*\.[cm]?js$/] } },
      },
    });
  }
  return projects;
}

const artifactOnly = process.env.KEYWARD_ARTIFACT === "only";
const sourceProject: TestProjectInlineConfiguration = {
  resolve: { alias },
  test: {
    ...common,
    name: "src",
    include: ["test/**/*.test.ts"],
    // the runtime proofs run the installed package on Bun, Deno and workerd: dist-esm-newest only
    exclude: [...configDefaults.exclude, ...RUNTIMES],
    env: { KEYWARD_UNDER_TEST: "src" },
  },
};
const projects = [...(artifactOnly ? [] : [sourceProject]), ...artifactProjects()];
if (artifactOnly && projects.length === 0) throw new Error("KEYWARD_ARTIFACT=only but .artifact/ holds no install");

export default defineConfig({ test: { projects } });
