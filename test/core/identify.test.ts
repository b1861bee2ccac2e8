/**
 * `keyward.identify(key)`: the record of a raw key whatever its status, found
 * with verify's checks in verify's order, without authenticating anything.
 */
import { createHasher, createKeyward, ForbiddenError, type KeyStore, type KeywardEvent, StoreUnavailableError } from "keyward";
import { memoryStore } from "keyward/memory";
import { describe, expect, it } from "vitest";
import { actor, countingStore, flipChar, manualClock, setup } from "../support/core.js";

/** A store that records the hashes it is asked for. */
function recording(inner: KeyStore): KeyStore & { lookups: string[] } {
  const lookups: string[] = [];
  return Object.assign(Object.create(inner) as KeyStore, {
    lookups,
    findByHash(hash: string) {
      lookups.push(hash);
      return inner.findByHash(hash);
    },
  });
}

describe("keyward.identify", () => {
  it("finds the record of an active, disabled, revoked or expired key, with its status", async () => {
    const clock = manualClock();
    const { kw } = setup({ now: clock.now });
    const make = (expiresAt?: number) =>
      kw.create({ owner: "org_1", label: "k", scopes: ["jobs:read"], ...(expiresAt && { expiresAt }) });
    const active = await make();
    const disabled = await make();
    const revoked = await make();
    const expired = await make(clock.now() + 1_000);
    await kw.disable(disabled.apiKey.id);
    await kw.revoke(revoked.apiKey.id);
    clock.advance(1_000);
    for (const [issued, status] of [
      [active, "active"],
      [disabled, "disabled"],
      [revoked, "revoked"],
      [expired, "expired"],
    ] as const) {
      const found = await kw.identify(issued.key);
      expect(found).toMatchObject({ id: issued.apiKey.id, status });
      expect(JSON.stringify(found)).not.toContain(issued.key);
      expect(found).not.toHaveProperty("hash");
    }
  });

  it("answers null with no store call for anything that is not a well-formed key of this prefix", async () => {
    const store = countingStore();
    const { kw } = setup({ store });
    const { key } = await kw.create({ owner: "org_1", label: "k" });
    const { key: otherPrefix } = await createKeyward({ store: memoryStore(), prefix: "cho" }).create({ owner: "o", label: "l" });
    store.reset();
    for (const bad of [
      "",
      "kw_",
      key.slice(0, -1),
      `${key}x`,
      flipChar(key, 10),
      otherPrefix,
      "x".repeat(10_000),
      " ".repeat(60),
    ]) {
      expect(await kw.identify(bad)).toBeNull();
    }
    for (const notString of [undefined, null, 42, {}, [key]])
      expect(await kw.identify(notString as unknown as string)).toBeNull();
    expect(store.total()).toBe(0);
  });

  it("tries the current pepper, then older ones, then none: the same lookups in the same order as verify", async () => {
    const inner = memoryStore();
    const older = await createKeyward({ store: inner, pepper: "old" }).create({ owner: "o", label: "older pepper" });
    const none = await createKeyward({ store: inner }).create({ owner: "o", label: "no pepper" });
    const unknown = await createKeyward({ store: memoryStore() }).create({ owner: "o", label: "elsewhere" });
    const store = recording(inner);
    const kw = createKeyward({ store, pepper: ["new", "old"], lastUsed: false });
    const hashes = (key: string) => [createHasher("new").hash(key), createHasher("old").hash(key), createHasher().hash(key)];

    for (const [issued, expected] of [
      [older, hashes(older.key).slice(0, 2)],
      [none, hashes(none.key)],
      [unknown, hashes(unknown.key)],
    ] as const) {
      store.lookups.length = 0;
      const found = await kw.identify(issued.key);
      expect(found?.id ?? null).toBe(issued === unknown ? null : issued.apiKey.id);
      expect(store.lookups).toEqual(expected);
      store.lookups.length = 0;
      await kw.verify(issued.key);
      expect(store.lookups).toEqual(expected);
    }
  });

  it("reads the store, not the verification cache: a change made elsewhere is seen at once", async () => {
    const store = memoryStore();
    const kw = createKeyward({ store, cache: { ttl: 60_000 }, lastUsed: false });
    const { key, apiKey } = await kw.create({ owner: "o", label: "l" });
    expect((await kw.verify(key)).ok).toBe(true); // now cached
    await store.transition(apiKey.id, "disable", Date.now()); // behind keyward's back
    expect(await kw.identify(key)).toMatchObject({ status: "disabled" });
  });

  it("records no use and emits no event", async () => {
    const events: KeywardEvent[] = [];
    const store = memoryStore();
    const kw = createKeyward({ store, onEvent: (e) => events.push(e), lastUsed: { flushDelay: 0 } });
    const { key, apiKey } = await kw.create({ owner: "o", label: "l" });
    const control = await kw.create({ owner: "o", label: "verified" });
    events.length = 0;
    await kw.identify(key);
    expect((await kw.verify(control.key)).ok).toBe(true);
    await kw.close(); // flushes last-used writes
    expect(events).toEqual([]);
    expect((await kw.get(apiKey.id))?.lastUsedAt).toBeNull();
    expect((await kw.get(control.apiKey.id))?.lastUsedAt).not.toBeNull(); // a verification is recorded
  });

  it("with an actor: tenancy applies (another owner's key is null) and the management permission is required", async () => {
    const { kw } = setup();
    const mine = await kw.create({ owner: "org_1", label: "mine" });
    const theirs = await kw.create({ owner: "org_2", label: "theirs" });
    expect(await kw.identify(mine.key, { actor: actor() })).toMatchObject({ id: mine.apiKey.id });
    expect(await kw.identify(theirs.key, { actor: actor() })).toBeNull();
    await expect(kw.identify(mine.key, { actor: actor({ role: "viewer" }) })).rejects.toBeInstanceOf(ForbiddenError);
  });

  it("fails closed: a store that throws, or answers with a damaged record or one under another hash, is StoreUnavailableError", async () => {
    const inner = memoryStore();
    const { key } = await createKeyward({ store: inner }).create({ owner: "o", label: "l" });
    const throwing = Object.assign(Object.create(inner) as KeyStore, {
      findByHash: () => Promise.reject(new Error("connection refused")),
    });
    await expect(createKeyward({ store: throwing }).identify(key)).rejects.toBeInstanceOf(StoreUnavailableError);
    const damaged = Object.assign(Object.create(inner) as KeyStore, {
      findByHash: (hash: string) => ({ ...(inner.findByHash(hash) as object), scopes: "jobs:*" }),
    });
    await expect(createKeyward({ store: damaged }).identify(key)).rejects.toBeInstanceOf(StoreUnavailableError);
    const otherHash = Object.assign(Object.create(inner) as KeyStore, {
      findByHash: (hash: string) => ({ ...(inner.findByHash(hash) as object), hash: `${hash}x` }),
    });
    await expect(createKeyward({ store: otherHash }).identify(key)).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});
