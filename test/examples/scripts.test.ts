import { describe, expect, it } from "vitest";
import { runTs } from "../support/spawn.js";

/** The store examples are scripts: they run to completion and must exit 0 by themselves. */
function run(file: string, env: Record<string, string | undefined>) {
  return runTs(file, { env, timeout: 90_000 });
}

const REDIS_URL = process.env.REDIS_URL;
if (!REDIS_URL && !process.env.KEYWARD_REQUIRE_SERVICES) {
  console.warn("[examples] REDIS_URL is not set: skipping examples/redis (set REDIS_URL=redis://127.0.0.1:6379 to run it)");
}

describe("store examples run to completion", () => {
  it("examples/postgres exits 0 (on PostgreSQL when DATABASE_URL is set, on embedded PGlite otherwise)", async () => {
    const result = await run("examples/postgres/index.ts", {});
    expect(result.stderr).not.toMatch(/Error:/);
    expect(result.code).toBe(0);
  }, 120_000);

  it("examples/postgres exits 0 on embedded PGlite", async () => {
    const result = await run("examples/postgres/index.ts", { DATABASE_URL: "" });
    expect(result.code).toBe(0);
  }, 120_000);

  it.skipIf(!REDIS_URL && !process.env.KEYWARD_REQUIRE_SERVICES)(
    "examples/redis exits 0 against REDIS_URL",
    async () => {
      const result = await run("examples/redis/index.ts", {});
      expect(result.code).toBe(0);
      expect(result.stdout).not.toMatch(/not reachable/i);
      expect(result.stdout).toMatch(/revoked {2}verify now → revoked/);
    },
    120_000,
  );

  it.skipIf(!process.env.PGBOUNCER_URL && !process.env.KEYWARD_REQUIRE_SERVICES)(
    "examples/postgres-pooler: both feeds live through a direct LISTEN, and the revoke reaches the other instance (PGBOUNCER_URL)",
    async () => {
      const result = await run("examples/postgres-pooler/index.ts", {});
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/feeds {4}A live, B live/);
      expect(result.stdout).toMatch(/B → revoked after/);
    },
    60_000,
  );
});

describe("the leak drill runs to completion", () => {
  it("examples/leak-drill: a signed alert revokes the key and the webhook arrives; a tampered alert is refused", async () => {
    const result = await run("examples/leak-drill/index.ts", {});
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/tampered {2}alert → 401 \(refused, nothing touched: active\)/);
    expect(result.stdout).toMatch(/alert {5}→ 200, label true_positive/);
    expect(result.stdout).toMatch(/revoked {3}verify now → revoked/);
    expect(result.stdout).toMatch(/webhook {3}key\.leaked for key [\w-]+, signature verified \(webhook-id msg_[\w-]+\)/);
  }, 60_000);
});
