import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    http: "src/http/index.ts",
    testing: "src/testing/index.ts",
    memory: "adapters/memory/index.ts",
    postgres: "adapters/postgres/index.ts",
    redis: "adapters/redis/index.ts",
    express: "adapters/express/index.ts",
    hono: "adapters/hono/index.ts",
    koa: "adapters/koa/index.ts",
    fastify: "adapters/fastify/index.ts",
    fetch: "adapters/fetch/index.ts",
    jwt: "adapters/jwt/index.ts",
    openapi: "src/openapi/index.ts",
    webhooks: "src/webhooks/index.ts",
    cli: "cli/index.ts",
  },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: false,
  target: "es2022",
  platform: "neutral",
  treeshake: true,
  splitting: false,
  // adapters import the core by its package name so every entry shares one copy
  external: [/^keyward(\/.*)?$/, "express", "hono", "koa", "fastify", "jose", /^@noble\/hashes/],
});
