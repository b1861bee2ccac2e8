/**
 * A store that edits its records in place, after handing them out, breaks
 * the rule keyward relies on ("records are replaced, never mutated"). The
 * conformance suite must catch it, and even so the verifier must never keep
 * granting what such a store took away.
 */
import type { KeyRecord, KeyStore, ListQuery, RecordPatch, Transition, Use } from "keyward";
import { createKeyward, StoreError, statusOf } from "keyward";
import { memoryStore } from "keyward/memory";
import { storeConformance } from "keyward/testing";
import { describe, expect, it } from "vitest";

type Style = "reassign" | "splice";

/**
 * A plain Map store, correct in every way the conformance suite checked so
 * far, except that every write edits the stored object in place: `reassign`
 * assigns new field values (a new scopes array), `splice` also edits the
 * scopes array and the metadata object themselves.
 */
function inPlaceStore(style: Style): KeyStore {
  const byId = new Map<string, KeyRecord>();
  const byHash = new Map<string, KeyRecord>();
  const edit = (r: KeyRecord, patch: Partial<KeyRecord>): KeyRecord => {
    const { scopes, metadata, ...rest } = patch;
    Object.assign(r, rest);
    if (style === "splice") {
      if (scopes) r.scopes.splice(0, r.scopes.length, ...scopes);
      if (metadata) {
        for (const k of Object.keys(r.metadata)) delete r.metadata[k];
        Object.assign(r.metadata, structuredClone(metadata));
      }
    } else {
      if (scopes) r.scopes = [...scopes];
      if (metadata) r.metadata = structuredClone(metadata);
    }
    return r;
  };
  const insert = (record: KeyRecord): void => {
    if (byId.has(record.id) || byHash.has(record.hash)) {
      throw new StoreError("duplicate_record", "inPlaceStore: a record with this id or hash already exists");
    }
    const r = { ...record, scopes: [...record.scopes], metadata: structuredClone(record.metadata) };
    byId.set(r.id, r);
    byHash.set(r.hash, r);
  };
  return {
    insert,
    findByHash: (hash: string) => byHash.get(hash) ?? null,
    get: (id: string) => byId.get(id) ?? null,
    list(q: ListQuery) {
      const out = [...byId.values()].filter(
        (r) =>
          r.owner === q.owner &&
          (!q.status || statusOf(r, q.now) === q.status) &&
          (!q.after || r.createdAt < q.after.createdAt || (r.createdAt === q.after.createdAt && r.id < q.after.id)),
      );
      out.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
      return out.slice(0, q.limit);
    },
    update(id: string, patch: RecordPatch) {
      const r = byId.get(id);
      if (!r) return null;
      return r.revokedAt === null ? edit(r, patch) : r;
    },
    transition(id: string, action: Transition, at: number) {
      const r = byId.get(id);
      if (!r || r.revokedAt !== null) return r ?? null;
      if (action === "revoke") return edit(r, { revokedAt: at });
      if (action === "disable" && r.disabledAt === null) return edit(r, { disabledAt: at });
      if (action === "enable") return edit(r, { disabledAt: null });
      return r;
    },
    rotate(id: string, replacement: KeyRecord, expiresAt: number) {
      const r = byId.get(id);
      if (!r) return null;
      if (r.revokedAt !== null || r.rotatedTo !== null) return r;
      insert(replacement);
      return edit(r, {
        rotatedTo: replacement.id,
        expiresAt: r.expiresAt === null ? expiresAt : Math.min(r.expiresAt, expiresAt),
      });
    },
    touch(uses: readonly Use[]) {
      for (const { id, at } of uses) {
        const r = byId.get(id);
        if (r && r.revokedAt === null && r.disabledAt === null && (r.lastUsedAt === null || r.lastUsedAt < at)) {
          edit(r, { lastUsedAt: at });
        }
      }
    },
  };
}

/** Runs every test of the conformance suite against `store` and names the ones that fail. */
async function conformanceFailures(store: () => KeyStore): Promise<{ ran: number; failed: string[] }> {
  const tests: { name: string; body: () => Promise<void> | void }[] = [];
  const path: string[] = [];
  storeConformance({
    name: "under test",
    store,
    describe: (name, body) => {
      path.push(name);
      body();
      path.pop();
    },
    it: (name, body) => void tests.push({ name: [...path, name].join(" › "), body }),
    expect,
  });
  const failed: string[] = [];
  for (const t of tests) {
    try {
      await t.body();
    } catch {
      failed.push(t.name);
    }
  }
  return { ran: tests.length, failed };
}

describe("the conformance suite and stores that edit records in place", () => {
  it("the runner used here passes a correct store (the memory store) on every test", async () => {
    const shared = memoryStore();
    const { ran, failed } = await conformanceFailures(() => shared);
    expect(ran).toBeGreaterThan(20);
    expect(failed).toEqual([]);
  });

  it.each<Style>(["reassign", "splice"])(
    "an in-place store (%s) fails exactly the 'never mutated' tests, and passes every other",
    async (style) => {
      const shared = inPlaceStore(style);
      const { ran, failed } = await conformanceFailures(() => shared);
      expect(ran).toBeGreaterThan(20);
      expect(failed.length).toBeGreaterThanOrEqual(4);
      for (const name of failed) expect(name).toMatch(/records handed out are never mutated/);
      expect(failed).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/an update leaves every record/),
          expect.stringMatching(/disable, enable and revoke leave/),
          expect.stringMatching(/a rotation leaves/),
          expect.stringMatching(/a last-used write leaves/),
        ]),
      );
    },
  );
});

describe.each<Style>(["reassign", "splice"])("verify on a store that edits records in place (%s)", (style) => {
  const ROLES = { admin: ["jobs:*"], viewer: ["jobs:read"] };
  const setup = (cache: boolean) =>
    createKeyward({
      store: inPlaceStore(style),
      prefix: "kw",
      roles: ROLES,
      mutableScopes: true,
      lastUsed: false,
      ...(cache && { cache: { ttl: 60_000, max: 100 } }),
    });

  it.each([false, true])("never grants a scope removed by update (cache: %s)", async (cache) => {
    const kw = setup(cache);
    const { key, apiKey } = await kw.create({ owner: "o", label: "k", scopes: ["jobs:read", "jobs:write"] });
    expect((await kw.verify(key, { scopes: ["jobs:write"] })).ok).toBe(true);
    expect((await kw.verify(key, { scopes: ["jobs:write"] })).ok).toBe(true); // served from the memo (and cache)
    await kw.update(apiKey.id, { scopes: ["jobs:read"] });
    expect(await kw.verify(key, { scopes: ["jobs:write"] })).toMatchObject({ ok: false, error: { code: "insufficient_scope" } });
    const after = await kw.verify(key, { scopes: ["jobs:read"] });
    expect(after.ok && after.scopes).toEqual(["jobs:read"]);
    await kw.update(apiKey.id, { scopes: [] });
    expect(await kw.verify(key, { scopes: ["jobs:read"] })).toMatchObject({ ok: false, error: { code: "insufficient_scope" } });
  });

  it.each([false, true])("never grants a role's scopes once the role is taken away (cache: %s)", async (cache) => {
    const kw = setup(cache);
    const { key, apiKey } = await kw.create({ owner: "o", label: "k", role: "admin" });
    expect((await kw.verify(key, { scopes: ["jobs:write"] })).ok).toBe(true);
    await kw.update(apiKey.id, { role: "viewer" });
    expect(await kw.verify(key, { scopes: ["jobs:write"] })).toMatchObject({ ok: false, error: { code: "insufficient_scope" } });
    expect((await kw.verify(key, { scopes: ["jobs:read"] })).ok).toBe(true);
  });

  it.each([false, true])("refuses a key revoked or disabled in place, and shows a new label (cache: %s)", async (cache) => {
    const kw = setup(cache);
    const a = await kw.create({ owner: "o", label: "a" });
    const b = await kw.create({ owner: "o", label: "b" });
    expect((await kw.verify(a.key)).ok).toBe(true);
    expect((await kw.verify(b.key)).ok).toBe(true);
    await kw.update(a.apiKey.id, { label: "renamed" });
    const renamed = await kw.verify(a.key);
    expect(renamed.ok && renamed.key.label).toBe("renamed");
    await kw.revoke(a.apiKey.id);
    await kw.disable(b.apiKey.id);
    expect(await kw.verify(a.key)).toMatchObject({ ok: false, error: { code: "revoked" } });
    expect(await kw.verify(b.key)).toMatchObject({ ok: false, error: { code: "disabled" } });
  });

  it("sees an edit made to the stored object behind keyward's back (no cache)", async () => {
    const store = inPlaceStore(style);
    const kw = createKeyward({ store, prefix: "kw", roles: ROLES, lastUsed: false });
    const { key, apiKey } = await kw.create({ owner: "o", label: "k", scopes: ["jobs:read", "jobs:write"] });
    expect((await kw.verify(key, { scopes: ["jobs:write"] })).ok).toBe(true);
    const stored = (await store.get(apiKey.id)) as KeyRecord;
    stored.scopes.pop(); // the array itself, as a careless store might
    expect(await kw.verify(key, { scopes: ["jobs:write"] })).toMatchObject({ ok: false, error: { code: "insufficient_scope" } });
    stored.scopes.push("*"); // and what is put there is checked, not trusted
    stored.scopes.push(7 as unknown as string);
    expect(await kw.verify(key, { scopes: ["jobs:read"] })).toMatchObject({ ok: false, error: { code: "unavailable" } });
  });
});
