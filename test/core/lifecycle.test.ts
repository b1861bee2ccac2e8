import { ConflictError, ValidationError } from "keyward";
import { describe, expect, it } from "vitest";
import { manualClock, setup } from "../support/core.js";

const OWNER = "org_1";

describe("revoke", () => {
  it("refuses the key as soon as revoke() resolves, with code revoked (401)", async () => {
    const { kw } = setup();
    const { key, apiKey } = await kw.create({ owner: OWNER, label: "k" });
    expect((await kw.verify(key)).ok).toBe(true);
    const revoked = await kw.revoke(apiKey.id);
    expect(revoked).toMatchObject({ status: "revoked", active: false });
    expect(revoked.revokedAt).not.toBeNull();
    expect(await kw.verify(key)).toEqual({ ok: false, error: expect.objectContaining({ code: "revoked", status: 401 }) });
  });

  it("is final: enable, update and rotate fail with ConflictError (409) and the key stays revoked", async () => {
    const { kw } = setup();
    const { key, apiKey } = await kw.create({ owner: OWNER, label: "k" });
    await kw.revoke(apiKey.id);
    for (const attempt of [
      () => kw.enable(apiKey.id),
      () => kw.update(apiKey.id, { label: "again" }),
      () => kw.rotate(apiKey.id),
    ]) {
      const err = await attempt().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConflictError);
      expect((err as ConflictError).status).toBe(409);
    }
    expect(await kw.get(apiKey.id)).toMatchObject({ status: "revoked", label: "k", rotatedTo: null });
    expect((await kw.verify(key)).ok).toBe(false);
  });

  it("is idempotent and keeps the first revokedAt", async () => {
    const clock = manualClock();
    const { kw } = setup({ now: clock.now });
    const { apiKey } = await kw.create({ owner: OWNER, label: "k" });
    const first = await kw.revoke(apiKey.id);
    clock.advance(5_000);
    const second = await kw.revoke(apiKey.id);
    expect(second.revokedAt).toBe(first.revokedAt);
  });

  it("a disable after a revoke does not resurrect the key", async () => {
    const { kw } = setup();
    const { key, apiKey } = await kw.create({ owner: OWNER, label: "k" });
    await kw.revoke(apiKey.id);
    await expect(kw.disable(apiKey.id)).rejects.toBeInstanceOf(ConflictError);
    await expect(kw.enable(apiKey.id)).rejects.toBeInstanceOf(ConflictError);
    expect(await kw.get(apiKey.id)).toMatchObject({ status: "revoked" });
    expect(await kw.verify(key)).toMatchObject({ ok: false, error: { code: "revoked" } });
  });

  it("a revoke after a disable reads as revoked", async () => {
    const { kw } = setup();
    const { key, apiKey } = await kw.create({ owner: OWNER, label: "k" });
    await kw.disable(apiKey.id);
    await kw.revoke(apiKey.id);
    expect(await kw.verify(key)).toMatchObject({ ok: false, error: { code: "revoked" } });
    await expect(kw.enable(apiKey.id)).rejects.toBeInstanceOf(ConflictError);
  });
});

describe("disable and enable", () => {
  it("disable refuses the key with code disabled (401); enable makes it valid again", async () => {
    const { kw } = setup();
    const { key, apiKey } = await kw.create({ owner: OWNER, label: "k" });
    expect(await kw.disable(apiKey.id)).toMatchObject({ status: "disabled", active: false });
    expect(await kw.verify(key)).toEqual({ ok: false, error: expect.objectContaining({ code: "disabled", status: 401 }) });
    expect(await kw.enable(apiKey.id)).toMatchObject({ status: "active", active: true, disabledAt: null });
    expect((await kw.verify(key)).ok).toBe(true);
  });

  it("disable is idempotent and enable of an active key is a no-op", async () => {
    const { kw } = setup();
    const { key, apiKey } = await kw.create({ owner: OWNER, label: "k" });
    expect(await kw.enable(apiKey.id)).toMatchObject({ status: "active" });
    const once = await kw.disable(apiKey.id);
    expect(await kw.disable(apiKey.id)).toMatchObject({ status: "disabled", disabledAt: once.disabledAt });
    expect((await kw.verify(key)).ok).toBe(false);
  });
});

describe("expiry", () => {
  it("is valid 1 ms before expiresAt, expired at and after it", async () => {
    const clock = manualClock();
    const { kw } = setup({ now: clock.now });
    const expiresAt = clock.now() + 60_000;
    const { key, apiKey } = await kw.create({ owner: OWNER, label: "k", expiresAt });
    expect(apiKey.expiresAt).toBe(new Date(expiresAt).toISOString());
    clock.set(expiresAt - 1);
    expect((await kw.verify(key)).ok).toBe(true);
    clock.set(expiresAt);
    expect(await kw.verify(key)).toEqual({ ok: false, error: expect.objectContaining({ code: "expired", status: 401 }) });
    clock.set(expiresAt + 1);
    expect(await kw.verify(key)).toMatchObject({ ok: false, error: { code: "expired" } });
    expect(await kw.get(apiKey.id)).toMatchObject({ status: "expired", active: false });
  });

  it("accepts a Date, an ISO string or epoch ms; null or absent never expires", async () => {
    const clock = manualClock();
    const { kw } = setup({ now: clock.now });
    const at = clock.now() + 1_000;
    for (const expiresAt of [new Date(at), new Date(at).toISOString(), at]) {
      expect((await kw.create({ owner: OWNER, label: "k", expiresAt })).apiKey.expiresAt).toBe(new Date(at).toISOString());
    }
    const forever = await kw.create({ owner: OWNER, label: "k", expiresAt: null });
    const implicit = await kw.create({ owner: OWNER, label: "k" });
    clock.advance(100 * 365 * 86_400_000);
    expect((await kw.verify(forever.key)).ok).toBe(true);
    expect((await kw.verify(implicit.key)).ok).toBe(true);
    expect(forever.apiKey.expiresAt).toBeNull();
  });

  it.each([
    ["an unparsable string", "next tuesday"],
    ["an empty string", ""],
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["an invalid Date", new Date("nope")],
    ["a boolean", true],
    ["an object", {}],
    ["the past", Date.UTC(2000, 0, 1)],
  ])("rejects %s as expiresAt with ValidationError (422) and details", async (_name, expiresAt) => {
    const { kw, store } = setup();
    const err = await kw.create({ owner: OWNER, label: "k", expiresAt: expiresAt as never }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).status).toBe(422);
    expect((err as ValidationError).details).toEqual([{ field: "expiresAt", message: expect.any(String) }]);
    expect(store.size).toBe(0);
  });

  it("a stored non-finite expiresAt fails closed", async () => {
    const { kw, store } = setup();
    const { key, apiKey } = await kw.create({ owner: OWNER, label: "k" });
    const record = await store.get(apiKey.id);
    for (const expiresAt of [Number.NaN, Number.POSITIVE_INFINITY, 1e300]) {
      store.clear();
      await store.insert({ ...record!, expiresAt });
      // not a date at all: the record is damaged, so the store counts as unavailable (503), never valid
      expect(await kw.verify(key)).toMatchObject({ ok: false, error: { code: "unavailable", status: 503 } });
    }
  });
});

describe("rotation", () => {
  it("issues a new key that works at once; with no grace the old one is expired immediately", async () => {
    const { kw } = setup();
    const { key: oldKey, apiKey } = await kw.create({ owner: OWNER, label: "k" });
    const { key: newKey, apiKey: next } = await kw.rotate(apiKey.id);
    expect(newKey).not.toBe(oldKey);
    expect((await kw.verify(newKey)).ok).toBe(true);
    expect(await kw.verify(oldKey)).toMatchObject({ ok: false, error: { code: "expired", status: 401 } });
    expect(next.status).toBe("active");
  });

  it("keeps the old key working until the grace period ends, then reads it as expired", async () => {
    const clock = manualClock();
    const { kw } = setup({ now: clock.now });
    const { key: oldKey, apiKey } = await kw.create({ owner: OWNER, label: "k" });
    const rotatedAt = clock.now();
    const { key: newKey } = await kw.rotate(apiKey.id, { gracePeriod: 60_000 });
    expect((await kw.verify(newKey)).ok).toBe(true);
    clock.set(rotatedAt + 59_999);
    expect((await kw.verify(oldKey)).ok).toBe(true);
    clock.set(rotatedAt + 60_000);
    expect(await kw.verify(oldKey)).toMatchObject({ ok: false, error: { code: "expired" } });
    expect((await kw.verify(newKey)).ok).toBe(true);
  });

  it("after the grace period the old key never works again: not later, not after enable, disable/enable or an update", async () => {
    const clock = manualClock();
    const { kw } = setup({ now: clock.now });
    const { key: oldKey, apiKey } = await kw.create({ owner: OWNER, label: "k" });
    const rotatedAt = clock.now();
    const { key: newKey, apiKey: next } = await kw.rotate(apiKey.id, { gracePeriod: 1_000 });
    clock.set(rotatedAt + 1_000);
    expect(await kw.verify(oldKey)).toMatchObject({ ok: false, error: { code: "expired" } });
    await kw.enable(apiKey.id);
    await kw.disable(apiKey.id);
    await kw.enable(apiKey.id);
    await kw.update(apiKey.id, { label: "renamed" });
    await expect(kw.rotate(apiKey.id)).rejects.toBeInstanceOf(ConflictError);
    await kw.revoke(next.id); // even retiring its successor brings nothing back
    for (const later of [1, 86_400_000, 10 * 365 * 86_400_000]) {
      clock.set(rotatedAt + 1_000 + later);
      expect(await kw.verify(oldKey)).toMatchObject({ ok: false, error: { code: "expired" } });
      expect(await kw.verify(newKey)).toMatchObject({ ok: false, error: { code: "revoked" } });
    }
    expect(await kw.get(apiKey.id)).toMatchObject({ status: "expired", rotatedTo: next.id });
  });

  it("does not extend an earlier expiry with the grace period", async () => {
    const clock = manualClock();
    const { kw } = setup({ now: clock.now });
    const expiresAt = clock.now() + 1_000;
    const { key: oldKey, apiKey } = await kw.create({ owner: OWNER, label: "k", expiresAt });
    await kw.rotate(apiKey.id, { gracePeriod: 60_000 });
    clock.set(expiresAt);
    expect((await kw.verify(oldKey)).ok).toBe(false);
  });

  it("links both records and copies owner, label, role, scopes, metadata and expiry", async () => {
    const { kw } = setup();
    const input = {
      owner: OWNER,
      label: "CRM sync",
      role: "viewer",
      scopes: ["reports:read"],
      metadata: { team: "crm", n: [1, 2] },
    };
    const { apiKey: old } = await kw.create(input);
    const { apiKey: next } = await kw.rotate(old.id, { gracePeriod: 1_000 });
    const oldAfter = await kw.get(old.id);
    expect(oldAfter?.rotatedTo).toBe(next.id);
    expect(next.rotatedFrom).toBe(old.id);
    expect((await kw.get(next.id))?.rotatedFrom).toBe(old.id);
    expect(next).toMatchObject({
      owner: OWNER,
      label: "CRM sync",
      role: "viewer",
      scopes: ["reports:read"],
      metadata: input.metadata,
    });
    expect(next.keyPrefix).not.toBe(old.keyPrefix);
    expect(next.id).not.toBe(old.id);
  });

  it("rotating the same key twice fails with ConflictError (409)", async () => {
    const { kw } = setup();
    const { apiKey } = await kw.create({ owner: OWNER, label: "k" });
    await kw.rotate(apiKey.id, { gracePeriod: 10_000 });
    const err = await kw.rotate(apiKey.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as ConflictError).status).toBe(409);
  });

  it("two concurrent rotations of one key: exactly one wins", async () => {
    const { kw } = setup();
    const { apiKey } = await kw.create({ owner: OWNER, label: "k" });
    const results = await Promise.allSettled([kw.rotate(apiKey.id), kw.rotate(apiKey.id), kw.rotate(apiKey.id)]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(ConflictError);
    expect((await kw.list(OWNER)).data).toHaveLength(2);
  });

  it("rejects a negative or non-numeric grace period (422) and an expired key (409)", async () => {
    const clock = manualClock();
    const { kw } = setup({ now: clock.now });
    const { apiKey } = await kw.create({ owner: OWNER, label: "k", expiresAt: clock.now() + 10 });
    await expect(kw.rotate(apiKey.id, { gracePeriod: -1 })).rejects.toBeInstanceOf(ValidationError);
    await expect(kw.rotate(apiKey.id, { gracePeriod: Number.NaN })).rejects.toBeInstanceOf(ValidationError);
    clock.advance(10);
    await expect(kw.rotate(apiKey.id)).rejects.toBeInstanceOf(ConflictError);
  });
});

describe("update", () => {
  it("changes label and metadata, trimming the label", async () => {
    const { kw } = setup();
    const { key, apiKey } = await kw.create({ owner: OWNER, label: "old" });
    const after = await kw.update(apiKey.id, { label: "  new  ", metadata: { a: 1 } });
    expect(after).toMatchObject({ label: "new", metadata: { a: 1 } });
    expect((await kw.verify(key)).ok).toBe(true);
  });

  it("refuses scopes and role by default (422, revoke and create instead)", async () => {
    const { kw } = setup();
    const { apiKey } = await kw.create({ owner: OWNER, label: "k", scopes: ["jobs:read"] });
    const err = await kw.update(apiKey.id, { scopes: ["jobs:read", "jobs:write"], role: "viewer" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).details.map((d) => d.field).sort()).toEqual(["role", "scopes"]);
    expect((await kw.get(apiKey.id))?.scopes).toEqual(["jobs:read"]);
  });

  it("with mutableScopes, a scope change is effective at the next verification", async () => {
    const { kw } = setup({ mutableScopes: true });
    const { key, apiKey } = await kw.create({ owner: OWNER, label: "k", scopes: ["jobs:read", "jobs:write"] });
    await kw.update(apiKey.id, { scopes: ["jobs:read"] });
    expect((await kw.verify(key, { scopes: ["jobs:write"] })).ok).toBe(false);
    expect((await kw.verify(key, { scopes: ["jobs:read"] })).ok).toBe(true);
  });
});

describe("concurrency", () => {
  it("100 concurrent creates for one owner all persist and all verify", async () => {
    const { kw } = setup();
    const issued = await Promise.all(Array.from({ length: 100 }, (_, i) => kw.create({ owner: OWNER, label: `k${i}` })));
    const ids = new Set<string>();
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof kw.list>> = await kw.list(OWNER, { limit: 30, cursor });
      for (const k of page.data) ids.add(k.id);
      cursor = page.nextCursor;
    } while (cursor);
    expect(ids.size).toBe(100);
    for (const { key } of issued) expect((await kw.verify(key)).ok).toBe(true);
  });

  it("a revoke racing an enable never resurrects the key", async () => {
    const { kw } = setup();
    for (let i = 0; i < 20; i++) {
      const { key, apiKey } = await kw.create({ owner: OWNER, label: "k" });
      await kw.disable(apiKey.id);
      await Promise.allSettled([kw.enable(apiKey.id), kw.revoke(apiKey.id), kw.enable(apiKey.id)]);
      expect(await kw.verify(key)).toMatchObject({ ok: false, error: { code: "revoked" } });
    }
  });
});
