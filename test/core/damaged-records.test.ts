/**
 * SECURITY 39: a store answer that is not a well-formed record — wrong
 * types, missing fields, `undefined` for `null`, a string where an array
 * belongs, an object that throws when read — is a broken store: `verify`
 * answers `unavailable` (503), `keyActor` throws StoreUnavailableError, and
 * every management call throws StoreUnavailableError without writing
 * anything based on it. Never ok, never a plain Error (a 500), never a
 * synchronous throw.
 */
import { createKeyward, isKeyRecord, type KeyRecord, keyActor, StoreUnavailableError } from "keyward";
import { memoryStore } from "keyward/memory";
import { makeRecord } from "keyward/testing";
import { describe, expect, it } from "vitest";
import {
  ANSWER_DAMAGES,
  type Behaviour,
  DAMAGES,
  type Damage,
  FAILURES,
  FIELD_DAMAGES,
  faultyStore,
  type ReadMethod,
} from "../http/damaged-answers.js";

const ROLES = { admin: ["jobs:*", "reports:*", "api_keys:manage"], viewer: ["jobs:read"] };
const ADMIN = { id: "u_admin", owner: "org_a", role: "admin" };

async function world() {
  const store = faultyStore(memoryStore());
  const kw = createKeyward({ store, prefix: "kw", roles: ROLES, lastUsed: false, storeTimeout: 30 });
  const viewer = await kw.create({ owner: "org_a", label: "viewer", role: "viewer", scopes: ["reports:read"] });
  const admin = await kw.create({ owner: "org_a", label: "admin", role: "admin" });
  const fault = (behaviour: Behaviour, ...targets: ReadMethod[]) => {
    store.fault = { behaviour, targets: new Set(targets) };
  };
  return { store, kw, viewer, admin, fault };
}

const answer = (damage: Damage, async = false): Behaviour => ({ kind: "answer", damage, async });

/** Calls `fn` and fails the test if it throws synchronously. */
function noSyncThrow<T>(fn: () => T): T {
  let out: T | undefined;
  expect(() => {
    out = fn();
  }).not.toThrow();
  return out as T;
}

describe("the record shape (isKeyRecord)", () => {
  it("accepts records as keyward writes them, with null, set and nested fields", () => {
    expect(isKeyRecord(makeRecord())).toBe(true);
    expect(
      isKeyRecord(
        makeRecord({
          role: "viewer",
          scopes: [],
          createdBy: null,
          expiresAt: 8.64e15,
          disabledAt: 1,
          revokedAt: -1,
          lastUsedAt: 0,
          rotatedFrom: "a",
          rotatedTo: "b",
          label: "",
          metadata: { a: [1, "x", null, true, { b: { c: [] } }], "": 0 },
        }),
      ),
    ).toBe(true);
    expect(isKeyRecord(makeRecord({ metadata: Object.create(null) }))).toBe(true);
    expect(isKeyRecord(Object.freeze({ ...makeRecord(), extra: "ignored" }))).toBe(true);
  });

  it.each(DAMAGES.map((d) => [d.name, d] as const))("refuses %s, without throwing", (_name, damage) => {
    expect(noSyncThrow(() => isKeyRecord(damage.apply(makeRecord())))).toBe(false);
  });

  it("refuses null and undefined", () => {
    expect(isKeyRecord(null)).toBe(false);
    expect(isKeyRecord(undefined)).toBe(false);
  });
});

describe("verify on a damaged store answer", () => {
  it.each(DAMAGES.map((d) => [d.name, d] as const))("%s: unavailable (503), never ok", async (_name, damage) => {
    const { kw, viewer, fault } = await world();
    for (const async of [false, true]) {
      fault(answer(damage, async), "findByHash");
      const result = await noSyncThrow(() => kw.verify(viewer.key, { scopes: ["jobs:read"] }));
      expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: "unavailable", status: 503 }) });
    }
  });

  it.each(FAILURES)("a store call that does %s: unavailable (503), never a synchronous throw", async (kind) => {
    const { kw, viewer, fault } = await world();
    fault({ kind } as Behaviour, "findByHash");
    const result = await noSyncThrow(() => kw.verify(viewer.key));
    expect(result).toMatchObject({ ok: false, error: { code: "unavailable", status: 503 } });
  });

  it("scopes stored as the string jobs:* grant nothing, not even * character by character", async () => {
    const { kw, viewer, fault } = await world();
    const stringScopes = FIELD_DAMAGES.find((d) => d.name.startsWith('scopes: "jobs:*"')) as Damage;
    fault(answer(stringScopes), "findByHash");
    for (const scopes of [["jobs:read"], ["*"], ["billing:delete"], []]) {
      expect(await kw.verify(viewer.key, { scopes })).toMatchObject({ ok: false, error: { code: "unavailable" } });
    }
  });

  it("a store object without findByHash, or whose findByHash getter throws: unavailable", async () => {
    const inner = memoryStore();
    let broken = false;
    const store = new Proxy(inner, {
      get(target, prop, receiver) {
        if (broken && prop === "findByHash") throw new Error("getter throws");
        return Reflect.get(target, prop, receiver);
      },
    });
    const kw = createKeyward({ store, prefix: "kw", lastUsed: false });
    const { key } = await kw.create({ owner: "o", label: "k" });
    broken = true;
    expect(await noSyncThrow(() => kw.verify(key))).toMatchObject({ ok: false, error: { code: "unavailable" } });
  });

  it("reads each field once: a getter that widens scopes on a second read cannot slip it in", async () => {
    const { kw, viewer, fault } = await world();
    let reads = 0;
    const shifty: Damage = {
      name: "scopes that change on every read",
      apply: (r) =>
        Object.defineProperty({ ...r }, "scopes", {
          enumerable: true,
          get: () => (reads++ === 0 ? ["reports:read"] : ["*"]),
        }),
    };
    fault(answer(shifty), "findByHash");
    const result = await kw.verify(viewer.key);
    expect(result.ok && result.scopes).toEqual(["reports:read", "jobs:read"]);
    reads = 0;
    expect(await kw.verify(viewer.key, { scopes: ["billing:delete"] })).toMatchObject({
      ok: false,
      error: { code: "insufficient_scope" },
    });
  });

  it("metadata whose getter throws once the record has been checked, answered at once or later: unavailable (503), never a rejection", async () => {
    const { kw, viewer, fault } = await world();
    let reads = 0;
    const trap: Damage = {
      name: "metadata that throws on its second read",
      apply: (r) => ({
        ...r,
        metadata: Object.defineProperty({}, "plan", {
          enumerable: true,
          get: () => {
            if (reads++ > 0) throw new Error("read twice");
            return "pro";
          },
        }),
      }),
    };
    for (const async of [false, true]) {
      reads = 0;
      fault(answer(trap, async), "findByHash");
      expect(await noSyncThrow(() => kw.verify(viewer.key))).toEqual({
        ok: false,
        error: expect.objectContaining({ code: "unavailable", status: 503 }),
      });
      expect(reads).toBeGreaterThan(1); // the copy read it again, and threw
    }
  });

  it("another key's record for the key's hash (replies out of step): unavailable (503), never ok nor invalid", async () => {
    const inner = memoryStore();
    let swapped = false;
    const kw = createKeyward({ store: inner, prefix: "kw", lastUsed: false });
    const a = await kw.create({ owner: "org_a", label: "a" });
    const b = await kw.create({ owner: "org_b", label: "b" });
    const hashOf = async (id: string) => ((await inner.get(id)) as KeyRecord).hash;
    const [hashA, hashB] = [await hashOf(a.apiKey.id), await hashOf(b.apiKey.id)];
    const read = inner.findByHash.bind(inner);
    const store = Object.assign(Object.create(inner) as typeof inner, {
      findByHash: (hash: string) => read(swapped && hash === hashA ? hashB : swapped && hash === hashB ? hashA : hash),
    });
    const events: unknown[] = [];
    const kwSwapped = createKeyward({
      store,
      prefix: "kw",
      lastUsed: false,
      cache: { ttl: 60_000, max: 10 },
      onEvent: (e) => events.push(e),
    });
    swapped = true;
    for (const key of [a.key, b.key]) {
      const result = await noSyncThrow(() => kwSwapped.verify(key));
      expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: "unavailable", status: 503 }) });
    }
    // reported as the store's failure, attributed to no key (the record answered is not the key's)
    expect(events).toEqual([
      expect.objectContaining({ type: "key.verification_failed", reason: "unavailable", keyId: null, owner: null }),
      expect.objectContaining({ type: "key.verification_failed", reason: "unavailable", keyId: null, owner: null }),
    ]);
    // nothing was cached from the wrong answers: once the store answers right, both keys verify as themselves
    swapped = false;
    const [ra, rb] = [await kwSwapped.verify(a.key), await kwSwapped.verify(b.key)];
    expect(ra.ok && ra.key.id).toBe(a.apiKey.id);
    expect(rb.ok && rb.key.id).toBe(b.apiKey.id);
  });

  it("a damaged answer is never cached: the next good answer verifies", async () => {
    const store = faultyStore(memoryStore());
    const kw = createKeyward({ store, prefix: "kw", lastUsed: false, cache: { ttl: 60_000, max: 10 } });
    const { key } = await kw.create({ owner: "o", label: "k" });
    store.fault = { behaviour: answer(FIELD_DAMAGES[0] as Damage), targets: new Set(["findByHash"]) };
    expect(await kw.verify(key)).toMatchObject({ ok: false, error: { code: "unavailable" } });
    store.fault = null;
    expect((await kw.verify(key)).ok).toBe(true);
  });
});

describe("keyActor on a damaged store answer", () => {
  it.each([...ANSWER_DAMAGES, ...FIELD_DAMAGES.slice(0, 20)].map((d) => [d.name, d] as const))(
    "%s: StoreUnavailableError (503), never an actor",
    async (_name, damage) => {
      const { admin, kw, fault } = await world();
      fault(answer(damage), "findByHash");
      const resolve = keyActor(kw);
      const err = await resolve({}, { header: (name) => (name === "authorization" ? [`Bearer ${admin.key}`] : []) }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(StoreUnavailableError);
      expect((err as StoreUnavailableError).status).toBe(503);
    },
  );
});

type Op = "get" | "list" | "update" | "disable" | "enable" | "revoke" | "rotate";
const OPS: readonly (readonly [Op, ReadMethod])[] = [
  ["get", "get"],
  ["list", "list"],
  ["update", "update"],
  ["disable", "transition"],
  ["enable", "transition"],
  ["revoke", "transition"],
  ["rotate", "rotate"],
];

function run(kw: Awaited<ReturnType<typeof world>>["kw"], op: Op, id: string, withActor: boolean): Promise<unknown> {
  const options = withActor ? { actor: ADMIN } : {};
  switch (op) {
    case "get":
      return kw.get(id, options);
    case "list":
      return kw.list("org_a", options);
    case "update":
      return kw.update(id, { label: "renamed" }, options);
    case "rotate":
      return kw.rotate(id, options);
    default:
      return kw[op](id, options);
  }
}

describe("management calls on a damaged store answer", () => {
  const cases = OPS.flatMap(([op, write]) =>
    [DAMAGES[0], DAMAGES.find((d) => d.name.startsWith('scopes: "jobs:*"')), ...ANSWER_DAMAGES].map(
      (d) => [op, write, (d as Damage).name, d as Damage] as const,
    ),
  );

  it.each(cases)("%s, its read answering %s: StoreUnavailableError, nothing written", async (op, _write, _name, damage) => {
    const { kw, viewer, store, fault } = await world();
    const writes = store.writes;
    fault(answer(damage), op === "list" ? "list" : "get");
    for (const withActor of [true, false]) {
      const err = await noSyncThrow(() => run(kw, op, viewer.apiKey.id, withActor)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreUnavailableError);
    }
    expect(store.writes).toBe(writes);
    store.fault = null;
    expect(await kw.get(viewer.apiKey.id)).toMatchObject({ label: "viewer", status: "active", rotatedTo: null });
  });

  it.each(cases.filter(([op]) => op !== "get" && op !== "list"))(
    "%s, the write (%s) answering %s: StoreUnavailableError, never a 500",
    async (op, write, _name, damage) => {
      const { kw, viewer, fault } = await world();
      fault(answer(damage, true), write);
      const err = await run(kw, op, viewer.apiKey.id, true).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreUnavailableError);
    },
  );

  it.each(OPS.map(([op]) => op))("%s when the store fails in every way: StoreUnavailableError", async (op) => {
    for (const kind of FAILURES) {
      const { kw, viewer, store, fault } = await world();
      fault({ kind } as Behaviour, "get", "list");
      const err = await noSyncThrow(() => run(kw, op, viewer.apiKey.id, true)).catch((e: unknown) => e);
      expect(err, kind).toBeInstanceOf(StoreUnavailableError);
      expect(store.writes).toBe(2); // the two creates
    }
  });

  it("a get answering another record, or a list holding another owner's key: StoreUnavailableError", async () => {
    const { kw, viewer, admin, fault } = await world();
    const other: KeyRecord = makeRecord({ owner: "org_b" });
    fault(answer({ name: "another record", apply: () => other }), "get");
    await expect(kw.get(viewer.apiKey.id, { actor: ADMIN })).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(kw.revoke(admin.apiKey.id)).rejects.toBeInstanceOf(StoreUnavailableError);
    fault(answer({ name: "a page with another owner's key", apply: (r) => ({ ...r, owner: "org_b" }) }), "list");
    await expect(kw.list("org_a", { actor: ADMIN })).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});
