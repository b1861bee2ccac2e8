/**
 * Management rules that live once, in the core, for server code and the
 * management API alike: the longest rotation grace period
 * (`createKeyward({ maxGracePeriod })`, default 30 days), the roles the
 * management API lists (`listRoles`, behind the management permission), and
 * `keyActor`, which reads headers only through the context it is given.
 */
import { ConfigError, createKeyward, ForbiddenError, keyActor, StoreUnavailableError, ValidationError } from "keyward";
import { memoryStore } from "keyward/memory";
import { describe, expect, it } from "vitest";

const DAY = 86_400_000;
const ROLES = { owner: ["*"], admin: ["jobs:*", "api_keys:manage"], viewer: ["jobs:read"] };

describe("maxGracePeriod", () => {
  it("defaults to 30 days: rotate accepts 30 days, refuses a millisecond more with a 422 on gracePeriod", async () => {
    const kw = createKeyward({ store: memoryStore(), prefix: "cho" });
    const a = await kw.create({ owner: "o", label: "a" });
    const b = await kw.create({ owner: "o", label: "b" });
    const refused = await kw.rotate(a.apiKey.id, { gracePeriod: 30 * DAY + 1 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as ValidationError).status).toBe(422);
    expect((refused as ValidationError).details).toEqual([
      { field: "gracePeriod", message: `must be a number of ms from 0 to ${30 * DAY}` },
    ]);
    expect((await kw.get(a.apiKey.id))?.rotatedTo).toBeNull(); // nothing happened
    expect((await kw.rotate(b.apiKey.id, { gracePeriod: 30 * DAY })).apiKey.rotatedFrom).toBe(b.apiKey.id);
  });

  it("is configurable, and binds server code (no actor) as well as actors", async () => {
    const kw = createKeyward({ store: memoryStore(), prefix: "cho", roles: ROLES, maxGracePeriod: 3_600_000 });
    const actor = { id: "u", owner: "o", role: "admin" };
    const { apiKey } = await kw.create({ owner: "o", label: "a" });
    await expect(kw.rotate(apiKey.id, { gracePeriod: 3_600_001 })).rejects.toBeInstanceOf(ValidationError);
    await expect(kw.rotate(apiKey.id, { gracePeriod: 3_600_001, actor })).rejects.toBeInstanceOf(ValidationError);
    await expect(kw.rotate(apiKey.id, { gracePeriod: "60000" as unknown as number })).rejects.toBeInstanceOf(ValidationError);
    expect((await kw.rotate(apiKey.id, { gracePeriod: 3_600_000, actor })).apiKey.rotatedFrom).toBe(apiKey.id);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY, "1000", 3651 * DAY])("%s is a ConfigError at creation", (value) => {
    expect(() => createKeyward({ store: memoryStore(), maxGracePeriod: value as number })).toThrow(ConfigError);
  });
});

describe("listRoles: the roles the management API lists", () => {
  const kw = createKeyward({ store: memoryStore(), prefix: "cho", roles: ROLES });

  it("with an actor allowed to manage keys: the roles it may grant (the ceiling), like grantableRoles", () => {
    const admin = { id: "u1", owner: "o", role: "admin" };
    expect(kw.listRoles({ actor: admin })).toEqual(["admin", "viewer"]);
    expect(kw.listRoles({ actor: admin })).toEqual(kw.grantableRoles(admin));
    expect(kw.listRoles({ actor: { id: "u0", owner: "o", role: "owner" } })).toEqual(["owner", "admin", "viewer"]);
  });

  it("with an actor lacking the management permission: ForbiddenError (403), while grantableRoles keeps answering", () => {
    const viewer = { id: "u2", owner: "o", role: "viewer" };
    expect(() => kw.listRoles({ actor: viewer })).toThrow(ForbiddenError);
    expect(kw.grantableRoles(viewer)).toEqual(["viewer"]);
  });

  it("without an actor (trusted server code): every role", () => {
    expect(kw.listRoles()).toEqual(["owner", "admin", "viewer"]);
  });
});

describe("keyActor reads headers only through the context", () => {
  it("resolves the key's actor from context.header, never from the request object", async () => {
    const kw = createKeyward({ store: memoryStore(), prefix: "cho", roles: ROLES });
    const { key, apiKey } = await kw.create({ owner: "org_1", label: "integration", role: "admin" });
    const resolve = keyActor(kw, { header: "X-API-Key" });
    const native = { rawHeaders: ["Authorization", "Bearer nothing-to-see"], headers: { authorization: "nope" } };
    expect(await resolve(native, { header: (name) => (name === "authorization" ? [`Bearer ${key}`] : []) })).toEqual({
      id: apiKey.id,
      owner: "org_1",
      scopes: ["jobs:*", "api_keys:manage"],
    });
    expect(await resolve(native, { header: (name) => (name === "x-api-key" ? [key] : []) })).toMatchObject({ id: apiKey.id });
    expect(await resolve(native, { header: () => [] })).toBeNull();
    expect(await resolve(native, { header: () => [`Bearer ${key}`] })).toBeNull(); // Bearer and X-API-Key at once: refused
  });

  it("called without the context: a TypeError that says to pass it on", async () => {
    const kw = createKeyward({ store: memoryStore(), prefix: "cho" });
    const resolve = keyActor(kw) as (request: unknown, context?: unknown) => Promise<unknown>;
    for (const context of [undefined, {}, { header: "authorization" }]) {
      const error = await resolve({ rawHeaders: ["Authorization", "Bearer x"] }, context).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TypeError);
      expect((error as TypeError).message).toMatch(/\(req, context\) => resolve\(req, context\)/);
    }
  });

  it("a store outage: StoreUnavailableError (503), whatever the header said", async () => {
    const kw = createKeyward({
      store: { ...memoryStore(), findByHash: () => Promise.reject(new Error("down")) },
      prefix: "cho",
    });
    const { key } = await createKeyward({ store: memoryStore(), prefix: "cho" }).create({ owner: "o", label: "k" });
    await expect(keyActor(kw)({}, { header: () => [`Bearer ${key}`] })).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});
