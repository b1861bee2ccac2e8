import { failureOf, makeRecord } from "./fixtures.js";
import type { ConformanceOptions } from "./types.js";

/** How long a feed may take to call `onReset()` after `watch`: generous, for a database across a network. */
const FEED_LIVE_WITHIN_MS = 10_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Transitions, rotation, last-used writes and the change feed. */
export function lifecycleSuite({ describe, it, expect, store }: ConformanceOptions): void {
  describe("transitions", () => {
    it("disables, enables and revokes", async () => {
      const s = await store();
      const r = makeRecord();
      await s.insert(r);
      expect((await s.transition(r.id, "disable", 1_700_000_001_000))?.disabledAt).toBe(1_700_000_001_000);
      expect((await s.transition(r.id, "disable", 1_700_000_002_000))?.disabledAt).toBe(1_700_000_001_000);
      expect((await s.transition(r.id, "enable", 1_700_000_003_000))?.disabledAt).toBeNull();
      const revoked = await s.transition(r.id, "revoke", 1_700_000_004_000);
      expect(revoked?.revokedAt).toBe(1_700_000_004_000);
      expect(await s.get(r.id)).toEqual(revoked);
      expect(await s.transition(crypto.randomUUID(), "revoke", 1)).toBeNull();
    });

    it("keeps a revoke final: enable, disable and a second revoke change nothing", async () => {
      const s = await store();
      const r = makeRecord({ disabledAt: 1_700_000_000_100 });
      await s.insert(r);
      const revoked = await s.transition(r.id, "revoke", 1_700_000_000_200);
      expect(await s.transition(r.id, "enable", 1_700_000_000_300)).toEqual(revoked);
      expect(await s.transition(r.id, "disable", 1_700_000_000_400)).toEqual(revoked);
      expect(await s.transition(r.id, "revoke", 1_700_000_000_500)).toEqual(revoked);
      expect(await s.get(r.id)).toEqual(revoked);
    });

    it("never lets an enable racing a revoke resurrect the key", async () => {
      const s = await store();
      for (let round = 0; round < 20; round++) {
        const r = makeRecord({ disabledAt: 1_700_000_000_000 });
        await s.insert(r);
        await Promise.all([
          s.transition(r.id, "enable", 1_700_000_000_001),
          s.transition(r.id, "revoke", 1_700_000_000_002),
          s.transition(r.id, "enable", 1_700_000_000_003),
          s.transition(r.id, "disable", 1_700_000_000_004),
        ]);
        expect((await s.get(r.id))?.revokedAt).toBe(1_700_000_000_002);
      }
    });
  });

  describe("rotate", () => {
    it("inserts the replacement and links and shortens the old record atomically", async () => {
      const s = await store();
      const old = makeRecord({ expiresAt: 1_900_000_000_000 });
      await s.insert(old);
      const next = makeRecord({ owner: old.owner, rotatedFrom: old.id });
      const after = await s.rotate(old.id, next, 1_800_000_000_000);
      expect(after).toEqual({ ...old, rotatedTo: next.id, expiresAt: 1_800_000_000_000 });
      expect(await s.get(next.id)).toEqual(next);
      expect(await s.findByHash(next.hash)).toEqual(next);
    });

    it("keeps an earlier expiry than the grace period's end", async () => {
      const s = await store();
      const old = makeRecord({ expiresAt: 1_750_000_000_000 });
      await s.insert(old);
      const after = await s.rotate(old.id, makeRecord({ owner: old.owner }), 1_800_000_000_000);
      expect(after?.expiresAt).toBe(1_750_000_000_000);
    });

    it("refuses a replacement whose hash is taken with duplicate_record, leaving both records as they were", async () => {
      const s = await store();
      const old = makeRecord({ expiresAt: 1_900_000_000_000 });
      const taken = makeRecord();
      await s.insert(old);
      await s.insert(taken);
      const clash = makeRecord({ owner: old.owner, hash: taken.hash, rotatedFrom: old.id });
      expect((await failureOf(() => s.rotate(old.id, clash, 1_800_000_000_000))).code).toBe("duplicate_record");
      expect(await s.get(old.id)).toEqual(old);
      expect(await s.get(clash.id)).toBeNull();
      expect(await s.findByHash(taken.hash)).toEqual(taken);
    });

    it("refuses to rotate a revoked or already rotated record, inserting nothing", async () => {
      const s = await store();
      const revoked = makeRecord({ revokedAt: 1_700_000_000_100 });
      await s.insert(revoked);
      const a = makeRecord({ owner: revoked.owner });
      expect(await s.rotate(revoked.id, a, 1_800_000_000_000)).toEqual(revoked);
      expect(await s.get(a.id)).toBeNull();

      const old = makeRecord();
      await s.insert(old);
      const first = makeRecord({ owner: old.owner });
      const second = makeRecord({ owner: old.owner });
      const results = await Promise.all([
        s.rotate(old.id, first, 1_800_000_000_000),
        s.rotate(old.id, second, 1_800_000_000_000),
      ]);
      const winners = [first, second].filter((r) => results.some((x) => x?.rotatedTo === r.id));
      expect(winners).toHaveLength(1);
      const loser = winners[0] === first ? second : first;
      expect(await s.get(loser.id)).toBeNull();
      expect(await s.rotate(crypto.randomUUID(), makeRecord(), 1)).toBeNull();
    });
  });

  describe("touch (last used)", () => {
    it("moves lastUsedAt forward only", async () => {
      const s = await store();
      const r = makeRecord();
      await s.insert(r);
      await s.touch([{ id: r.id, at: 1_700_000_010_000 }]);
      await s.touch([{ id: r.id, at: 1_700_000_005_000 }]);
      const after = await s.get(r.id);
      expect(after).toEqual({ ...r, lastUsedAt: 1_700_000_010_000 });
    });

    it("never goes backwards under concurrent writes", async () => {
      const s = await store();
      const r = makeRecord();
      await s.insert(r);
      const times = Array.from({ length: 50 }, (_, i) => 1_700_000_000_000 + ((i * 37) % 50) * 1000);
      await Promise.all(times.map((at) => s.touch([{ id: r.id, at }])));
      expect((await s.get(r.id))?.lastUsedAt).toBe(Math.max(...times));
    });

    it("never writes to a disabled or revoked record, nor revives one", async () => {
      const s = await store();
      const disabled = makeRecord({ disabledAt: 1_700_000_000_100 });
      const revoked = makeRecord({ revokedAt: 1_700_000_000_100 });
      await s.insert(disabled);
      await s.insert(revoked);
      await s.touch([
        { id: disabled.id, at: 1_700_000_009_000 },
        { id: revoked.id, at: 1_700_000_009_000 },
        { id: crypto.randomUUID(), at: 1_700_000_009_000 },
      ]);
      expect(await s.get(disabled.id)).toEqual(disabled);
      expect(await s.get(revoked.id)).toEqual(revoked);
    });

    it("writes a batch of several keys", async () => {
      const s = await store();
      const a = makeRecord();
      const b = makeRecord();
      await s.insert(a);
      await s.insert(b);
      await s.touch([
        { id: a.id, at: 1_700_000_001_000 },
        { id: b.id, at: 1_700_000_002_000 },
      ]);
      expect((await s.get(a.id))?.lastUsedAt).toBe(1_700_000_001_000);
      expect((await s.get(b.id))?.lastUsedAt).toBe(1_700_000_002_000);
    });
  });

  describe("change feed", () => {
    it(
      "calls onReset() once its feed is live, when the store has a feed (keyward caches nothing before)",
      async () => {
        const s = await store();
        if (!s.watch) return; // optional capability
        let resets = 0;
        const unwatch = await s.watch({ onChange: () => {}, onReset: () => resets++, onDown: () => {} });
        try {
          const deadline = Date.now() + FEED_LIVE_WITHIN_MS;
          while (resets === 0 && Date.now() < deadline) await sleep(10);
          expect(resets).toBeGreaterThan(0);
        } finally {
          await unwatch();
        }
      },
      FEED_LIVE_WITHIN_MS + 5_000,
    );

    it("reports update, transition and rotation by id when the store has a feed", async () => {
      const s = await store();
      if (!s.watch) return; // optional capability
      const seen: string[] = [];
      const r = makeRecord();
      await s.insert(r);
      const unwatch = await s.watch({ onChange: (id) => seen.push(id), onReset: () => {}, onDown: () => {} });
      try {
        await s.update(r.id, { label: "changed" });
        await s.transition(r.id, "disable", 1_700_000_000_001);
        await s.transition(r.id, "revoke", 1_700_000_000_002);
        const deadline = Date.now() + 3000;
        while (seen.filter((id) => id === r.id).length < 3 && Date.now() < deadline) await sleep(10);
        expect(seen.filter((id) => id === r.id).length).toBeGreaterThanOrEqual(3);
      } finally {
        await unwatch();
      }
    });
  });
}
