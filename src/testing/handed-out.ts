import type { KeyRecord, KeyStore } from "keyward";
import { makeRecord } from "./fixtures.js";
import type { ConformanceOptions } from "./types.js";

/** A record object the store returned, with a deep copy of what it held then. */
interface Held {
  from: string;
  record: KeyRecord;
  copy: KeyRecord;
}

/** Every object the store hands out for `r` right now: by hash, by id, from a list, plus any answers given. */
async function hold(s: KeyStore, r: KeyRecord, answers: Record<string, KeyRecord | null> = {}): Promise<Held[]> {
  const found: Record<string, KeyRecord | null | undefined> = {
    findByHash: await s.findByHash(r.hash),
    get: await s.get(r.id),
    list: (await s.list({ owner: r.owner, limit: 101, after: null, now: Date.now() })).find((x) => x.id === r.id),
    ...answers,
  };
  const held: Held[] = [];
  for (const [from, record] of Object.entries(found)) {
    if (record) held.push({ from, record, copy: structuredClone({ ...record }) });
  }
  return held;
}

/**
 * The rule keyward's verifier relies on: a record object, once returned by
 * the store, is never changed — not its fields, not its `scopes` array, not
 * its `metadata` — by later writes. A store replaces records (or returns
 * fresh copies) instead of editing the objects it handed out.
 */
export function handedOutSuite({ describe, it, expect, store }: ConformanceOptions): void {
  const expectUnchanged = (held: Held[], after: string): void => {
    for (const h of held) expect({ [`${h.from} after ${after}`]: h.record }).toEqual({ [`${h.from} after ${after}`]: h.copy });
  };

  describe("records handed out are never mutated", () => {
    it("an update leaves every record returned before it unchanged (fields, scopes, metadata)", async () => {
      const s = await store();
      const r = makeRecord({ role: "viewer" });
      await s.insert(r);
      const held = await hold(s, r);
      await s.update(r.id, { label: "Renamed", metadata: { v: 2 }, scopes: ["jobs:read"], role: null });
      expectUnchanged(held, "update");
    });

    it("disable, enable and revoke leave every record returned before them unchanged", async () => {
      const s = await store();
      const r = makeRecord();
      await s.insert(r);
      let held = await hold(s, r);
      const disabled = await s.transition(r.id, "disable", 1_700_000_001_000);
      expectUnchanged(held, "disable");
      held = await hold(s, r, { "disable's answer": disabled });
      const enabled = await s.transition(r.id, "enable", 1_700_000_002_000);
      expectUnchanged(held, "enable");
      held = await hold(s, r, { "enable's answer": enabled });
      await s.transition(r.id, "revoke", 1_700_000_003_000);
      expectUnchanged(held, "revoke");
    });

    it("a rotation leaves the records returned before it unchanged", async () => {
      const s = await store();
      const r = makeRecord({ expiresAt: 1_900_000_000_000 });
      await s.insert(r);
      const held = await hold(s, r);
      await s.rotate(r.id, makeRecord({ owner: r.owner, rotatedFrom: r.id }), 1_800_000_000_000);
      expectUnchanged(held, "rotate");
    });

    it("a last-used write leaves the records returned before it unchanged", async () => {
      const s = await store();
      const r = makeRecord();
      await s.insert(r);
      const held = await hold(s, r);
      await s.touch([{ id: r.id, at: 1_700_000_010_000 }]);
      expectUnchanged(held, "touch");
    });

    it("an update's answer is not changed by the writes after it", async () => {
      const s = await store();
      const r = makeRecord();
      await s.insert(r);
      const updated = await s.update(r.id, { label: "Renamed", metadata: { v: 2 } });
      const held = await hold(s, r, { "update's answer": updated });
      await s.update(r.id, { label: "Again", metadata: { v: 3 }, scopes: [] });
      await s.transition(r.id, "disable", 1_700_000_001_000);
      expectUnchanged(held, "update and disable");
    });
  });
}
