import { PGlite } from "@electric-sql/pglite";
import { createKeyward, type KeywardEvent } from "keyward";
import { type PgClient, postgresStore } from "keyward/postgres";
import { afterAll, describe, expect, it, vi } from "vitest";
import { dropTable, hasServer, newPool, noteSkip, secretOf, uniqueTable } from "../../support/postgres.js";

const roles = { viewer: ["jobs:read"], admin: ["jobs:read", "jobs:write", "api_keys:manage"] };

/** Every 12-character window of a key's secret part (the display prefix shows only 8). */
function fragments(rawKey: string): string[] {
  const secret = secretOf(rawKey);
  return Array.from({ length: secret.length - 11 }, (_, i) => secret.slice(i, i + 12));
}

/** Runs a full lifecycle workload, then searches the table dump, logs and events for any issued key. */
async function workload(client: PgClient, table: string): Promise<void> {
  const logged: string[] = [];
  const spies = (["log", "info", "warn", "error", "debug"] as const).map((m) =>
    vi.spyOn(console, m).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(" "))),
  );
  const events: KeywardEvent[] = [];
  const queries: string[] = [];
  const recording: PgClient = {
    query: (text, values) => (queries.push(JSON.stringify([text, values ?? []])), client.query(text, values)),
  };
  const store = postgresStore({ client: recording, table, listen: false });
  await store.migrate();
  const kw = createKeyward({
    store,
    prefix: "cho",
    roles,
    cache: { ttl: 30_000, max: 100 },
    onEvent: (e) => events.push(e),
    lastUsed: { flushDelay: 1 },
  });
  const actor = { id: "admin_1", owner: "org_leak", role: "admin" };
  const issued: string[] = [];
  try {
    for (let i = 0; i < 10; i++) {
      const { key, apiKey } = await kw.create({ label: `key ${i}`, role: "viewer", metadata: { i } }, { actor });
      issued.push(key);
      expect((await kw.verify(key, { scopes: ["jobs:read"] })).ok).toBe(true);
      expect((await kw.verify(key, { scopes: ["jobs:write"] })).ok).toBe(false);
      await kw.update(apiKey.id, { label: `renamed ${i}` }, { actor });
      if (i % 3 === 0) {
        const rotated = await kw.rotate(apiKey.id, { gracePeriod: 60_000, actor });
        issued.push(rotated.key);
        expect((await kw.verify(rotated.key)).ok).toBe(true);
      }
      if (i % 3 === 1) {
        await kw.disable(apiKey.id, { actor });
        await kw.enable(apiKey.id, { actor });
      }
      if (i % 3 === 2) await kw.revoke(apiKey.id, { actor });
      expect((await kw.verify(`${key.slice(0, -6)}AAAAAA`)).ok).toBe(false); // bad checksum
    }
    const page = await kw.list("org_leak", { actor, limit: 100 });
    expect(page.data.length).toBe(14);
    await kw.close(); // flush last-used writes

    const dump = (await client.query(`SELECT k::text AS row FROM ${store.table} AS k`)).rows.map((r) => String(r.row)).join("\n");
    const migrations = (await client.query(`SELECT m::text AS row FROM keyward_migrations AS m`)).rows
      .map((r) => String(r.row))
      .join("\n");
    expect(dump.split("\n").length).toBe(14);
    const haystacks = {
      dump,
      migrations,
      logs: logged.join("\n"),
      events: JSON.stringify(events),
      page: JSON.stringify(page),
      sql: queries.join("\n"),
    };
    for (const key of issued) {
      for (const [where, text] of Object.entries(haystacks)) {
        expect(text.includes(key), `raw key found in ${where}`).toBe(false);
        expect(text.includes(secretOf(key)), `48-char secret found in ${where}`).toBe(false);
        for (const fragment of fragments(key)) expect(text.includes(fragment), `secret fragment found in ${where}`).toBe(false);
      }
    }
    expect(issued).toHaveLength(14);
    expect(secretOf(issued[0] as string)).toHaveLength(48);
  } finally {
    for (const s of spies) s.mockRestore();
  }
}

describe("no raw key or secret fragment at rest, in SQL, logs or events", () => {
  it("PGlite: after a full lifecycle, the table dump holds no issued key", async () => {
    const db = new PGlite();
    await workload(db, "keyward_keys");
    await db.close();
  });

  describe.skipIf(!hasServer)("PostgreSQL (DATABASE_URL)", () => {
    const table = uniqueTable("leak");
    const pool = hasServer ? newPool() : null;
    afterAll(async () => {
      if (!pool) return;
      await dropTable(pool, table);
      await pool.end();
    });

    it("after a full lifecycle, the table dump holds no issued key", async () => {
      await workload(pool as PgClient, table);
    });
  });
});
noteSkip("the leakage test against a real PostgreSQL");
