import type { KeyRecord, KeyStatus } from "keyward";
import { makeRecord, uniq } from "./fixtures.js";
import type { ConformanceOptions } from "./types.js";

/** Ordering, keyset pagination, owner isolation and status filters. */
export function listSuite({ describe, it, expect, store }: ConformanceOptions): void {
  describe("list", () => {
    it("lists one owner's records newest first, ties broken by id descending", async () => {
      const s = await store();
      const owner = uniq("owner");
      const records = [3, 1, 2, 2, 5].map((t) => makeRecord({ owner, createdAt: 1_700_000_000_000 + t }));
      for (const r of records) await s.insert(r);
      await s.insert(makeRecord({ createdAt: 1_800_000_000_000 })); // another owner
      const listed = await s.list({ owner, limit: 10, after: null, now: Date.now() });
      const expected = [...records].sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
      expect(listed.map((r) => r.id)).toEqual(expected.map((r) => r.id));
    });

    it("pages with limit and after without gaps or repeats", async () => {
      const s = await store();
      const owner = uniq("owner");
      const records = Array.from({ length: 23 }, (_, i) => makeRecord({ owner, createdAt: 1_700_000_000_000 + (i % 5) }));
      for (const r of records) await s.insert(r);
      const seen: string[] = [];
      let after: { createdAt: number; id: string } | null = null;
      for (let page = 0; page < 10; page++) {
        const rows: KeyRecord[] = await s.list({ owner, limit: 4, after, now: Date.now() });
        expect(rows.length).toBeLessThanOrEqual(4);
        seen.push(...rows.map((r) => r.id));
        const last = rows[rows.length - 1];
        if (rows.length < 4 || !last) break;
        after = { createdAt: last.createdAt, id: last.id };
      }
      expect(seen.length).toBe(23);
      expect(new Set(seen).size).toBe(23);
    });

    it("returns an empty list for an owner with no keys", async () => {
      const s = await store();
      expect(await s.list({ owner: uniq("nobody"), limit: 10, after: null, now: Date.now() })).toEqual([]);
    });

    it("filters by status at the given time", async () => {
      const s = await store();
      const owner = uniq("owner");
      const now = 1_750_000_000_000;
      const active = makeRecord({ owner, expiresAt: now + 1 });
      const expired = makeRecord({ owner, expiresAt: now });
      const disabled = makeRecord({ owner, disabledAt: now - 5 });
      const revoked = makeRecord({ owner, disabledAt: now - 5, revokedAt: now - 1 });
      for (const r of [active, expired, disabled, revoked]) await s.insert(r);
      const ids = async (status: KeyStatus) => (await s.list({ owner, limit: 10, after: null, status, now })).map((r) => r.id);
      expect(await ids("active")).toEqual([active.id]);
      expect(await ids("expired")).toEqual([expired.id]);
      expect(await ids("disabled")).toEqual([disabled.id]);
      expect(await ids("revoked")).toEqual([revoked.id]);
    });
  });
}
