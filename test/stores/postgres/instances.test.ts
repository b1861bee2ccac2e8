import { PGlite } from "@electric-sql/pglite";
import { createKeyward, type Keyward } from "keyward";
import { type PostgresStore, postgresStore } from "keyward/postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChildVerifier } from "../../support/cross-process.js";
import { DATABASE_URL, dropTable, hasServer, newPool, noteSkip, uniqueTable, waitFor } from "../../support/postgres.js";

/** §3.8 target, documented in docs/postgres.md. */
const BOUND_MS = 1000;
const roles = { viewer: ["jobs:read"], admin: ["jobs:read", "jobs:write"] };
type Change = "revoke" | "disable" | "scope change" | "rotate";

/**
 * B verifies a key (now cached), A changes it: A refuses at once, B within the
 * bound. Returns B's measured propagation time in ms.
 */
async function propagation(a: Keyward, b: Keyward, storeB: PostgresStore, change: Change, countB: () => number): Promise<number> {
  const { key, apiKey } = await a.create({ owner: "org_prop", label: `prop ${change}`, role: "admin" });
  const need = { scopes: ["jobs:write"] };
  expect((await b.verify(key, need)).ok).toBe(true);
  const reads = countB();
  expect((await b.verify(key, need)).ok).toBe(true); // served from B's cache
  expect(countB()).toBe(reads);
  expect(storeB.listening).toBe(true);

  if (change === "revoke") await a.revoke(apiKey.id);
  else if (change === "disable") await a.disable(apiKey.id);
  else if (change === "scope change") await a.update(apiKey.id, { role: "viewer" });
  else await a.rotate(apiKey.id);
  const start = performance.now();
  const onA = await a.verify(key, need);
  expect(onA.ok).toBe(false); // the instance that made the change refuses at once

  const refusedWithin = await waitFor(async () => !(await b.verify(key, need)).ok, 5_000, 1);
  const elapsed = performance.now() - start; // from the moment A's change resolved
  expect(refusedWithin).not.toBeNull();
  const refused = await b.verify(key, need);
  expect(refused.ok).toBe(false);
  if (!refused.ok)
    expect(refused.error.code).toBe(
      { revoke: "revoked", disable: "disabled", "scope change": "insufficient_scope", rotate: "expired" }[change],
    );
  return elapsed;
}

describe("two keyward instances sharing one PGlite", () => {
  let db: PGlite;
  let a: Keyward;
  let b: Keyward;
  let storeB: PostgresStore;
  let readsB = 0;
  beforeAll(async () => {
    db = new PGlite();
    const storeA = postgresStore({ client: db });
    await storeA.migrate();
    const counting = {
      query: (t: string, v?: unknown[]) => ((readsB += t.startsWith("SELECT") ? 1 : 0), db.query(t, v)),
      listen: db.listen.bind(db),
    };
    storeB = postgresStore({ client: counting });
    const cache = { ttl: 30_000, max: 1000 };
    a = createKeyward({ store: storeA, prefix: "cho", roles, cache, mutableScopes: true });
    b = createKeyward({ store: storeB, prefix: "cho", roles, cache, mutableScopes: true });
    expect(await waitFor(() => storeB.listening)).not.toBeNull();
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await db.close();
  });

  it.each<Change>(["revoke", "disable", "scope change", "rotate"])("B refuses after A's %s within the bound", async (change) => {
    const ms = await propagation(a, b, storeB, change, () => readsB);
    console.log(`[keyward/postgres] PGlite ${change}: A refused at once, B after ${ms.toFixed(1)} ms`);
    expect(ms).toBeLessThan(BOUND_MS);
  });
});

describe.skipIf(!hasServer)("two keyward instances on PostgreSQL (DATABASE_URL)", () => {
  const table = uniqueTable("inst");
  let poolA: ReturnType<typeof newPool>;
  let poolB: ReturnType<typeof newPool>;
  let a: Keyward;
  let b: Keyward;
  let storeB: PostgresStore;
  let readsB = 0;
  beforeAll(async () => {
    poolA = newPool();
    poolB = newPool();
    const storeA = postgresStore({ client: poolA, table }); // LISTENs on a client checked out of the pool
    await storeA.migrate();
    // B wraps its pool to count reads, so it names its LISTEN connection explicitly
    const counting = { query: (t: string, v?: unknown[]) => ((readsB += t.startsWith("SELECT") ? 1 : 0), poolB.query(t, v)) };
    storeB = postgresStore({ client: counting, table, listen: () => poolB.connect() });
    const cache = { ttl: 30_000, max: 1000 };
    a = createKeyward({ store: storeA, prefix: "cho", roles, cache, mutableScopes: true });
    b = createKeyward({ store: storeB, prefix: "cho", roles, cache, mutableScopes: true });
    expect(await waitFor(() => storeA.listening && storeB.listening)).not.toBeNull();
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await dropTable(poolA, table);
    await poolA.end();
    await poolB.end();
  });

  it.each<Change>(["revoke", "disable", "scope change", "rotate"])("B refuses after A's %s within the bound", async (change) => {
    const ms = await propagation(a, b, storeB, change, () => readsB);
    console.log(`[keyward/postgres] PostgreSQL ${change}: A refused at once, B (separate pool) after ${ms.toFixed(1)} ms`);
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it("a second OS process refuses a key revoked here within the bound", async () => {
    const { key, apiKey } = await a.create({ owner: "org_proc", label: "cross-process", role: "viewer" });
    const child = startChildVerifier(
      { KW_STORE: "postgres", DATABASE_URL: DATABASE_URL as string, KW_TABLE: table, KW_DEADLINE_MS: "15000" },
      key,
    );
    try {
      await child.next("ready", 15_000);
      await a.revoke(apiKey.id);
      const revokedAt = Date.now();
      expect((await a.verify(key)).ok).toBe(false);
      const refused = await child.next("refused", 10_000);
      expect(refused.code).toBe("revoked");
      const inChild = refused.at - revokedAt;
      console.log(`[keyward/postgres] PostgreSQL cross-process revoke: child refused after ${inChild} ms`);
      expect(inChild).toBeLessThan(BOUND_MS);
      expect(await child.exited()).toBe(0);
    } finally {
      await child.stop();
    }
  }, 30_000);
});
noteSkip("the multi-instance and cross-process propagation tests");
