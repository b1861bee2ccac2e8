/**
 * SECURITY 23 on every store: a revoke is final — enable, disable, update
 * (label or scopes) and rotate of a revoked key fail with 409 and change
 * nothing — and its hash is never reused: the revoked record keeps holding
 * it, a new record carrying it is refused, and the key stays refused.
 */
import { ConflictError, createKeyward, type Keyward } from "keyward";
import { makeRecord } from "keyward/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OpenedStore, STORE_KINDS } from "../support/store-matrix.js";

const roles = { viewer: ["jobs:read"], writer: ["jobs:read", "jobs:write"] };

for (const kind of STORE_KINDS) {
  describe.skipIf(!kind.available)(`a revoked key stays revoked and keeps its hash to itself: ${kind.name}`, () => {
    let opened: OpenedStore;
    let kw: Keyward;
    beforeAll(async () => {
      opened = await kind.open("final");
      kw = createKeyward({ store: opened.store, prefix: "kw", roles, mutableScopes: true, lastUsed: false });
    });
    afterAll(async () => {
      await kw.close();
      await opened.close();
    });

    it("enable, disable, update and rotate of a revoked key fail with 409 and leave the record as it was", async () => {
      const { key, apiKey } = await kw.create({ owner: "org_final", label: "final", role: "viewer" });
      const revoked = await kw.revoke(apiKey.id);
      const before = await opened.store.get(apiKey.id);
      expect(before?.revokedAt).not.toBeNull();
      for (const [name, attempt] of [
        ["enable", () => kw.enable(apiKey.id)],
        ["disable", () => kw.disable(apiKey.id)],
        ["update label", () => kw.update(apiKey.id, { label: "back to life" })],
        ["update scopes", () => kw.update(apiKey.id, { role: "writer" })],
        ["rotate", () => kw.rotate(apiKey.id, { gracePeriod: 60_000 })],
      ] as const) {
        const error = await attempt().then(
          () => null,
          (e: unknown) => e,
        );
        expect(error, name).toBeInstanceOf(ConflictError);
        expect((error as ConflictError).status).toBe(409);
      }
      expect(await opened.store.get(apiKey.id)).toEqual(before);
      expect(await kw.revoke(apiKey.id)).toEqual(revoked); // idempotent: the first revokedAt stays
      expect(await kw.verify(key)).toMatchObject({ ok: false, error: { code: "revoked", status: 401 } });
      expect((await kw.list("org_final", { status: "active" })).data.map((k) => k.id)).not.toContain(apiKey.id);
    });

    it("the revoked record keeps its hash: a new record carrying it is refused and the key stays refused", async () => {
      const { key, apiKey } = await kw.create({ owner: "org_final", label: "hash holder", role: "viewer" });
      await kw.revoke(apiKey.id);
      const revoked = await opened.store.get(apiKey.id);
      const hash = revoked?.hash as string;
      expect(await opened.store.findByHash(hash)).toEqual(revoked);

      // a fresh, active record under the same hash: what "reusing" the hash would mean
      const impostor = makeRecord({ owner: "org_final", hash, label: "impostor" });
      await expect(Promise.resolve().then(() => opened.store.insert(impostor))).rejects.toBeTruthy();
      expect(await opened.store.findByHash(hash)).toEqual(revoked);
      expect(await opened.store.get(impostor.id)).toBeNull();
      expect(await kw.verify(key)).toMatchObject({ ok: false, error: { code: "revoked" } });
    });

    it("a rotation never hands the old hash on: the replacement gets a new key and a new hash", async () => {
      const { key, apiKey } = await kw.create({ owner: "org_final", label: "rotated", role: "viewer" });
      const old = await opened.store.get(apiKey.id);
      const next = await kw.rotate(apiKey.id);
      const replacement = await opened.store.get(next.apiKey.id);
      expect(next.key).not.toBe(key);
      expect(replacement?.hash).not.toBe(old?.hash);
      await kw.revoke(next.apiKey.id);
      expect(await kw.verify(next.key)).toMatchObject({ ok: false, error: { code: "revoked" } });
      expect(await kw.verify(key)).toMatchObject({ ok: false, error: { code: "expired" } });
    });
  });
}
