import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/** Resolve `keyward/*` to the sources, as the published package resolves them to dist/. */
export const alias = [
  { find: /^keyward$/, replacement: here("./src/index.ts") },
  { find: /^keyward\/http$/, replacement: here("./src/http/index.ts") },
  { find: /^keyward\/testing$/, replacement: here("./src/testing/index.ts") },
  { find: /^keyward\/(memory|postgres|redis|express|hono|koa|jwt)$/, replacement: here("./adapters/$1/index.ts") },
];

const common = { testTimeout: 20_000, hookTimeout: 30_000, fileParallelism: true };

export default defineConfig({
  test: {
    projects: [
      { resolve: { alias }, test: { ...common, name: "keyward", include: ["test/**/*.test.ts"] } },
      {
        // the HTTP contract and the management API again, on Express 4 and Koa 2 (the adapters support both majors)
        resolve: {
          alias: [...alias, { find: /^express$/, replacement: "express4" }, { find: /^koa$/, replacement: "koa2" }],
        },
        test: {
          ...common,
          name: "express4-koa2",
          include: ["test/http/contract.test.ts", "test/http/management.test.ts", "test/http/versions.test.ts"],
          env: { KEYWARD_FRAMEWORKS: "express4-koa2" },
        },
      },
    ],
  },
});
