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

export default defineConfig({
  resolve: { alias },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    fileParallelism: true,
  },
});
