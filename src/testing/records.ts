import { failureOf, makeRecord } from "./fixtures.js";
import type { ConformanceOptions } from "./types.js";

/** Insert, read back, uniqueness. */
export function recordSuite({ describe, it, expect, store }: ConformanceOptions): void {
  describe("records", () => {
    it("returns an inserted record unchanged by id and by hash", async () => {
      const s = await store();
      const record = makeRecord({ role: "viewer", expiresAt: 1_900_000_000_123, metadata: { a: [1, "x"], b: null } });
      await s.insert(record);
      expect(await s.get(record.id)).toEqual(record);
      expect(await s.findByHash(record.hash)).toEqual(record);
    });

    it("answers null for an unknown id or hash", async () => {
      const s = await store();
      expect(await s.get(crypto.randomUUID())).toBeNull();
      expect(await s.findByHash("v1:unknown-hash-value")).toBeNull();
    });

    it("matches hashes exactly, not by prefix or case", async () => {
      const s = await store();
      const record = makeRecord({ hash: `v1:${crypto.randomUUID()}AbC` });
      await s.insert(record);
      expect(await s.findByHash(record.hash.slice(0, -1))).toBeNull();
      expect(await s.findByHash(record.hash.toUpperCase())).toBeNull();
      expect(await s.findByHash(`${record.hash} `)).toBeNull();
    });

    it("refuses a duplicate id or a duplicate hash with a StoreError of code duplicate_record that names no hash", async () => {
      const s = await store();
      const record = makeRecord();
      await s.insert(record);
      for (const duplicate of [makeRecord({ id: record.id }), makeRecord({ hash: record.hash })]) {
        const { code, message } = await failureOf(() => s.insert(duplicate));
        expect(code).toBe("duplicate_record");
        expect(message).not.toContain(record.hash);
        expect(message).not.toContain(duplicate.hash);
      }
      expect(await s.get(record.id)).toEqual(record);
      expect(await s.findByHash(record.hash)).toEqual(record);
    });

    it("keeps every one of 100 concurrent inserts for one owner", async () => {
      const s = await store();
      const owner = makeRecord().owner;
      const records = Array.from({ length: 100 }, (_, i) => makeRecord({ owner, createdAt: 1_700_000_000_000 + (i % 7) }));
      await Promise.all(records.map((r) => s.insert(r)));
      const listed = await s.list({ owner, limit: 101, after: null, now: Date.now() });
      expect(listed.map((r) => r.id).sort()).toEqual(records.map((r) => r.id).sort());
    });

    it("applies a patch to label, metadata, scopes and role", async () => {
      const s = await store();
      const record = makeRecord();
      await s.insert(record);
      const after = await s.update(record.id, { label: "Renamed", metadata: { v: 2 }, scopes: ["jobs:read"], role: "viewer" });
      expect(after).toEqual({ ...record, label: "Renamed", metadata: { v: 2 }, scopes: ["jobs:read"], role: "viewer" });
      expect(await s.get(record.id)).toEqual(after);
      expect(await s.update(crypto.randomUUID(), { label: "x" })).toBeNull();
    });

    it("never updates a revoked record", async () => {
      const s = await store();
      const record = makeRecord({ revokedAt: 1_700_000_000_500 });
      await s.insert(record);
      expect(await s.update(record.id, { label: "Back to life", scopes: ["*"] })).toEqual(record);
      expect(await s.get(record.id)).toEqual(record);
    });
  });
}
