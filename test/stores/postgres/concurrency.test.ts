import { PGlite } from "@electric-sql/pglite";
import { createKeyward, type KeyStore } from "keyward";
import { type PgClient, postgresStore } from "keyward/postgres";
import { makeRecord } from "keyward/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dropTable, hasServer, newPool, noteSkip, uniqueTable } from "../../support/postgres.js";

const roles = { viewer: ["jobs:read"] };

/** The same behaviours, against PGlite and (when DATABASE_URL is set) a real server. */
function concurrencySuite(name: string, open: () => Promise<{ client: PgClient; table: string; close: () => Promise<void> }>) {
  describe(name, () => {
    let client: PgClient;
    let table: string;
    let close: () => Promise<void>;
    let store: KeyStore;
    beforeAll(async () => {
      ({ client, table, close } = await open());
      const s = postgresStore({ client, table });
      await s.migrate();
      store = s;
    });
    afterAll(async () => {
      await close();
    });

    it.each([{ cache: true }, { cache: false }])(
      "1,000 verifications racing a revoke: none is ok after revoke() resolved (cache: $cache)",
      async ({ cache }) => {
        const kw = createKeyward({ store, prefix: "cho", roles, ...(cache ? { cache: { ttl: 30_000, max: 1000 } } : {}) });
        const { key, apiKey } = await kw.create({ owner: "org_race", label: "race", role: "viewer" });
        expect((await kw.verify(key)).ok).toBe(true);
        const order: string[] = []; // resolution order: "ok", "refused", "revoke"
        const pending: Promise<unknown>[] = [];
        let revoke: Promise<unknown> | null = null;
        // a steady stream (25 per millisecond tick) so verifications straddle the revoke
        for (let i = 0; i < 1000; i++) {
          if (i === 200) revoke = kw.revoke(apiKey.id).then(() => order.push("revoke"));
          pending.push(kw.verify(key).then((r) => order.push(r.ok ? "ok" : "refused")));
          if (i % 25 === 24) await new Promise((resolve) => setTimeout(resolve, 1));
        }
        await Promise.all([revoke, ...pending]);
        const at = order.indexOf("revoke");
        const okAfter = order.slice(at + 1).filter((o) => o === "ok").length;
        const okBefore = order.slice(0, at).filter((o) => o === "ok").length;
        console.log(
          `[keyward/postgres] ${name} race (cache ${cache}): ${okBefore} ok and ${at - okBefore} refused before revoke() resolved, ${okAfter} ok and ${order.length - at - 1 - okAfter} refused after`,
        );
        expect(at).toBeGreaterThanOrEqual(0);
        expect(okAfter).toBe(0);
        const after = await Promise.all(Array.from({ length: 50 }, () => kw.verify(key)));
        expect(after.every((r) => !r.ok && r.error.code === "revoked")).toBe(true);
        await kw.close();
      },
      60_000,
    );

    it("keeps all of 100 concurrent creates for one owner", async () => {
      const kw = createKeyward({ store, prefix: "cho", roles });
      const owner = `org_many_${Math.random().toString(36).slice(2)}`;
      const issued = await Promise.all(
        Array.from({ length: 100 }, (_, i) => kw.create({ owner, label: `key ${i}`, role: "viewer" })),
      );
      const listed: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<typeof kw.list>> = await kw.list(owner, { limit: 30, cursor });
        listed.push(...page.data.map((k) => k.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(listed.sort()).toEqual(issued.map((k) => k.apiKey.id).sort());
      const verified = await Promise.all(issued.map((k) => kw.verify(k.key)));
      expect(verified.every((r) => r.ok)).toBe(true);
      await kw.close();
    });

    it("never moves last-used backwards under concurrent verifies on two instances, and close() flushes", async () => {
      let ta = 1_800_000_000_000;
      let tb = 1_800_000_000_000;
      const lastUsed = { window: 0, flushDelay: 2 };
      const a = createKeyward({ store, prefix: "cho", roles, lastUsed, now: () => ta });
      const b = createKeyward({ store, prefix: "cho", roles, lastUsed, now: () => tb });
      const { key, apiKey } = await a.create({ owner: "org_lu", label: "last used", role: "viewer" });
      const seen: number[] = [];
      let polling = true;
      const poller = (async () => {
        while (polling) {
          const at = (await store.get(apiKey.id))?.lastUsedAt;
          if (at != null) seen.push(at);
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      })();
      for (let round = 0; round < 40; round++) {
        const batch: Promise<unknown>[] = [];
        for (let i = 0; i < 10; i++) {
          ta += 1 + ((round * 7 + i * 13) % 17);
          tb += 1 + ((round * 11 + i * 5) % 23);
          batch.push(a.verify(key), b.verify(key));
        }
        await Promise.all(batch);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      await Promise.all([a.close(), b.close()]);
      polling = false;
      await poller;
      const final = (await store.get(apiKey.id))?.lastUsedAt;
      expect(final).toBe(Math.max(ta, tb));
      expect(seen.length).toBeGreaterThan(0);
      for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1] as number);
    });

    it("a revoke on another instance is not undone by a pending last-used write flushed by close()", async () => {
      const a = createKeyward({ store, prefix: "cho", roles, lastUsed: { window: 0, flushDelay: 60_000 } });
      const b = createKeyward({ store, prefix: "cho", roles });
      const { key, apiKey } = await a.create({ owner: "org_lu2", label: "pending", role: "viewer" });
      expect((await a.verify(key)).ok).toBe(true); // a last-used write is now pending on A
      const revoked = await b.revoke(apiKey.id);
      await a.close(); // flushes the pending write
      await b.close();
      const record = await store.get(apiKey.id);
      expect(record?.revokedAt).toBe(Date.parse(revoked.revokedAt as string));
      expect(record?.lastUsedAt).toBeNull();
    });

    it("a transition that loses a race reports the state that won", async () => {
      for (let round = 0; round < 25; round++) {
        const r = makeRecord();
        await store.insert(r);
        const [disabled, revoked, again] = await Promise.all([
          store.transition(r.id, "disable", 1_700_000_000_001),
          store.transition(r.id, "revoke", 1_700_000_000_002),
          store.transition(r.id, "revoke", 1_700_000_000_003),
        ]);
        // each answer shows its own change or the one that beat it, never the state before both
        expect(disabled?.disabledAt !== null || disabled?.revokedAt !== null).toBe(true);
        expect(revoked?.revokedAt).not.toBeNull();
        expect(again?.revokedAt).not.toBeNull();
        expect((await store.get(r.id))?.revokedAt).toBe(revoked?.revokedAt);
      }
    });

    it("touch batches from several instances at once neither deadlock nor fail", async () => {
      const records = Array.from({ length: 30 }, () => makeRecord());
      for (const r of records) await store.insert(r);
      const batches = Array.from({ length: 12 }, (_, b) => {
        const order = b % 2 === 0 ? records : [...records].reverse();
        return order.map((r, i) => ({ id: r.id, at: 1_700_000_000_000 + b * 100 + i }));
      });
      await Promise.all(batches.map((uses) => store.touch(uses)));
      for (const [i, r] of records.entries()) {
        const expected = Math.max(...batches.map((uses) => (uses.find((u) => u.id === r.id) as { at: number }).at));
        expect((await store.get(r.id))?.lastUsedAt, `record ${i}`).toBe(expected);
      }
    });

    it("a rotation racing a revoke leaves either a linked pair or a revoked key without successor", async () => {
      const kw = createKeyward({ store, prefix: "cho", roles });
      for (let round = 0; round < 10; round++) {
        const { apiKey } = await kw.create({ owner: "org_rot", label: "rot", role: "viewer" });
        const [rotated] = await Promise.allSettled([kw.rotate(apiKey.id), kw.revoke(apiKey.id)]);
        const old = await store.get(apiKey.id);
        expect(old?.revokedAt).not.toBeNull();
        if (rotated.status === "fulfilled") {
          expect(old?.rotatedTo).toBe(rotated.value.apiKey.id);
          expect((await store.get(rotated.value.apiKey.id))?.rotatedFrom).toBe(apiKey.id);
        } else expect(old?.rotatedTo).toBeNull();
      }
      await kw.close();
    });

    it("an uncached verification is one store round trip", async () => {
      let queries = 0;
      const counting: PgClient = { query: (t, v) => (queries++, client.query(t, v)) };
      const kw = createKeyward({
        store: postgresStore({ client: counting, table, listen: false }),
        prefix: "cho",
        roles,
        lastUsed: false,
      });
      const { key } = await kw.create({ owner: "org_rt", label: "rt", role: "viewer" });
      queries = 0;
      expect((await kw.verify(key)).ok).toBe(true);
      expect(queries).toBe(1);
      await kw.close();
    });
  });
}

concurrencySuite("PGlite", async () => {
  const db = new PGlite();
  return { client: db, table: "keyward_keys", close: () => db.close() };
});

describe.skipIf(!hasServer)("PostgreSQL (DATABASE_URL)", () => {
  concurrencySuite("PostgreSQL", async () => {
    const pool = newPool(20);
    const table = uniqueTable("conc");
    return {
      client: pool,
      table,
      close: async () => {
        await dropTable(pool, table);
        await pool.end();
      },
    };
  });
});
noteSkip("the concurrency tests against a real PostgreSQL");
