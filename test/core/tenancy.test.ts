import { type Actor, ForbiddenError, NotFoundError, ValidationError } from "keyward";
import { describe, expect, it } from "vitest";
import { actor, setup } from "../support/core.js";

const alice = actor({ id: "alice", owner: "org_a", role: "admin" });
const mallory = actor({ id: "mallory", owner: "org_b", role: "owner" });

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e,
  );
}

describe("the owner comes from the actor", () => {
  it("a create with an actor takes the actor's owner and records createdBy", async () => {
    const { kw } = setup();
    const { apiKey } = await kw.create({ label: "k", scopes: ["jobs:read"] }, { actor: alice });
    expect(apiKey).toMatchObject({ owner: "org_a", createdBy: "alice" });
  });

  it("a different owner in the input is a ValidationError (422) naming the owner field", async () => {
    const { kw, store } = setup();
    const err = await rejection(kw.create({ owner: "org_b", label: "k" }, { actor: alice }));
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).details).toEqual([{ field: "owner", message: expect.any(String) }]);
    expect(store.size).toBe(0);
  });

  it("the actor's own owner repeated in the input is accepted", async () => {
    const { kw } = setup();
    expect((await kw.create({ owner: "org_a", label: "k" }, { actor: alice })).apiKey.owner).toBe("org_a");
  });

  it("an owner (or createdBy, or id) smuggled into an update is ignored: the key keeps its owner", async () => {
    const { kw, store } = setup({ mutableScopes: true });
    const { key, apiKey } = await kw.create({ label: "k", scopes: ["jobs:read"] }, { actor: alice });
    const smuggled = { owner: "org_b", createdBy: "mallory", id: "other-id", label: "renamed" } as unknown as { label: string };
    const updated = await kw.update(apiKey.id, smuggled, { actor: alice });
    expect(updated).toMatchObject({ id: apiKey.id, owner: "org_a", createdBy: "alice", label: "renamed" });
    expect(await store.get(apiKey.id)).toMatchObject({ owner: "org_a", createdBy: "alice" });
    expect(await store.get("other-id")).toBeNull();
    // the other tenant still cannot see or touch it
    expect(await kw.get(apiKey.id, { actor: mallory })).toBeNull();
    expect((await kw.list("org_b", { actor: mallory })).data).toEqual([]);
    expect(await kw.verify(key)).toMatchObject({ ok: true, key: { owner: "org_a" } });
  });

  it("without an actor (trusted server code) owner is required", async () => {
    const { kw } = setup();
    const err = await rejection(kw.create({ label: "k" }));
    expect((err as ValidationError).details).toEqual([{ field: "owner", message: expect.any(String) }]);
  });
});

describe("another tenant's key reads as not found, for every operation", () => {
  it("get → null; update, disable, enable, revoke, rotate → NotFoundError (404); the key is untouched", async () => {
    const { kw } = setup();
    const { key, apiKey } = await kw.create({ label: "k", scopes: ["jobs:read"] }, { actor: alice });
    const id = apiKey.id;
    expect(await kw.get(id, { actor: mallory })).toBeNull();
    for (const op of [
      () => kw.update(id, { label: "pwned" }, { actor: mallory }),
      () => kw.disable(id, { actor: mallory }),
      () => kw.enable(id, { actor: mallory }),
      () => kw.revoke(id, { actor: mallory }),
      () => kw.rotate(id, { actor: mallory }),
    ]) {
      const err = await rejection(op());
      expect(err).toBeInstanceOf(NotFoundError);
      expect((err as NotFoundError).status).toBe(404);
    }
    expect(await kw.get(id, { actor: alice })).toMatchObject({ label: "k", status: "active", rotatedTo: null });
    expect((await kw.verify(key)).ok).toBe(true);
  });

  it("an unknown id reads exactly like another tenant's key", async () => {
    const { kw } = setup();
    const { apiKey } = await kw.create({ label: "k" }, { actor: alice });
    const foreign = await rejection(kw.revoke(apiKey.id, { actor: mallory }));
    const unknown = await rejection(kw.revoke("no-such-id", { actor: mallory }));
    expect([(foreign as Error).constructor, (foreign as Error).message]).toEqual([
      (unknown as Error).constructor,
      (unknown as Error).message,
    ]);
  });

  it("list of another owner is refused and never returns its keys", async () => {
    const { kw } = setup();
    await kw.create({ label: "k" }, { actor: alice });
    await expect(kw.list("org_a", { actor: mallory })).rejects.toBeInstanceOf(ForbiddenError);
    expect((await kw.list("org_b", { actor: mallory })).data).toEqual([]);
  });
});

describe("the management permission", () => {
  const noManage = actor({ id: "bob", owner: "org_a", role: "viewer" });

  it("an actor of the same tenant without api_keys:manage gets ForbiddenError (403) on every operation", async () => {
    const { kw } = setup();
    const { apiKey } = await kw.create({ label: "k", scopes: ["jobs:read"] }, { actor: alice });
    const id = apiKey.id;
    for (const op of [
      () => kw.create({ label: "x", scopes: ["jobs:read"] }, { actor: noManage }),
      () => kw.get(id, { actor: noManage }),
      () => kw.list("org_a", { actor: noManage }),
      () => kw.update(id, { label: "x" }, { actor: noManage }),
      () => kw.disable(id, { actor: noManage }),
      () => kw.enable(id, { actor: noManage }),
      () => kw.revoke(id, { actor: noManage }),
      () => kw.rotate(id, { actor: noManage }),
    ]) {
      const err = await rejection(op());
      expect(err).toBeInstanceOf(ForbiddenError);
      expect((err as ForbiddenError).status).toBe(403);
    }
    expect(await kw.get(id)).toMatchObject({ label: "k", status: "active" });
  });

  it('scopes that are not an array (a bare "*" string) grant nothing', async () => {
    const { kw } = setup();
    const sneaky = { id: "s", owner: "org_a", scopes: "*" as unknown as string[] };
    await expect(kw.create({ label: "k" }, { actor: sneaky })).rejects.toBeInstanceOf(ForbiddenError);
    expect(kw.grantableRoles(sneaky)).toEqual([]);
  });

  it("a malformed actor is a TypeError, never a silent pass", async () => {
    const { kw } = setup();
    for (const bad of [{ id: "x" }, { id: 1, owner: "o" }, { id: "x", owner: "" }, "actor"]) {
      await expect(kw.create({ label: "k" }, { actor: bad as unknown as Actor })).rejects.toBeInstanceOf(TypeError);
    }
  });

  it("the permission name is configurable", async () => {
    const { kw } = setup({ managePermission: "keys:admin" });
    await expect(kw.create({ label: "k" }, { actor: alice })).rejects.toBeInstanceOf(ForbiddenError);
    const keyAdmin: Actor = { id: "k", owner: "org_a", scopes: ["keys:admin"] };
    expect((await kw.create({ label: "k" }, { actor: keyAdmin })).apiKey.owner).toBe("org_a");
  });
});

describe("the role ceiling", () => {
  const manager = actor({ id: "mgr", owner: "org_a", role: "manager" }); // jobs:read, jobs:write, api_keys:manage

  it("refuses a key with more scopes than its creator (403) and stores nothing", async () => {
    const { kw, store } = setup();
    for (const input of [
      { scopes: ["jobs:delete"] },
      { role: "admin" },
      { role: "owner" },
      { scopes: ["api_keys:manage", "reports:read"] },
    ]) {
      await expect(kw.create({ label: "k", ...input }, { actor: manager })).rejects.toBeInstanceOf(ForbiddenError);
    }
    expect(store.size).toBe(0);
  });

  it("holding jobs:read and jobs:write does not grant jobs:*", async () => {
    const { kw } = setup();
    await expect(kw.create({ label: "k", scopes: ["jobs:*"] }, { actor: manager })).rejects.toBeInstanceOf(ForbiddenError);
    expect((await kw.create({ label: "k", scopes: ["jobs:read", "jobs:write"] }, { actor: manager })).apiKey.scopes).toEqual([
      "jobs:read",
      "jobs:write",
    ]);
  });

  it("holding keys:* does not grant *", async () => {
    const { kw } = setup();
    const keysAll: Actor = { id: "k", owner: "org_a", scopes: ["keys:*", "api_keys:manage"] };
    await expect(kw.create({ label: "k", scopes: ["*"] }, { actor: keysAll })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(kw.create({ label: "k", role: "owner" }, { actor: keysAll })).rejects.toBeInstanceOf(ForbiddenError);
    expect((await kw.create({ label: "k", scopes: ["keys:read", "keys:*"] }, { actor: keysAll })).apiKey.scopes).toEqual([
      "keys:read",
      "keys:*",
    ]);
  });

  it("rotate by an actor weaker than the key is refused (403) and leaves the key as it was", async () => {
    const { kw } = setup();
    const { key, apiKey } = await kw.create({ label: "k", role: "admin" }, { actor: alice });
    await expect(kw.rotate(apiKey.id, { actor: manager })).rejects.toBeInstanceOf(ForbiddenError);
    expect(await kw.get(apiKey.id)).toMatchObject({ rotatedTo: null, status: "active" });
    expect((await kw.verify(key)).ok).toBe(true);
    expect((await kw.rotate(apiKey.id, { actor: alice })).apiKey.createdBy).toBe("alice");
  });

  it("a mutableScopes update above the ceiling is refused (403); within it, it applies", async () => {
    const { kw } = setup({ mutableScopes: true });
    const { key, apiKey } = await kw.create({ label: "k", scopes: ["jobs:read"] }, { actor: manager });
    for (const patch of [{ scopes: ["jobs:*"] }, { scopes: ["jobs:read", "reports:read"] }, { role: "admin" }]) {
      await expect(kw.update(apiKey.id, patch, { actor: manager })).rejects.toBeInstanceOf(ForbiddenError);
    }
    expect((await kw.verify(key, { scopes: ["jobs:write"] })).ok).toBe(false);
    await kw.update(apiKey.id, { scopes: ["jobs:read", "jobs:write"] }, { actor: manager });
    expect((await kw.verify(key, { scopes: ["jobs:write"] })).ok).toBe(true);
  });

  it("a role losing a scope takes it from its keys at the next verification", async () => {
    const roles: Record<string, readonly string[]> = { reporter: ["reports:read", "reports:export"] };
    const { kw } = setup({ roles });
    const { key } = await kw.create({ owner: "org_a", label: "k", role: "reporter" });
    expect((await kw.verify(key, { scopes: ["reports:export"] })).ok).toBe(true);
    roles.reporter = ["reports:read"];
    expect(await kw.verify(key, { scopes: ["reports:export"] })).toMatchObject({
      ok: false,
      error: { code: "insufficient_scope", status: 403 },
    });
    expect(await kw.verify(key)).toMatchObject({ ok: true, scopes: ["reports:read"] });
  });

  it("grantableRoles returns only the roles the actor covers", () => {
    const { kw } = setup();
    expect(kw.grantableRoles(mallory)).toEqual(["owner", "admin", "manager", "viewer"]);
    expect(kw.grantableRoles(alice)).toEqual(["admin", "manager", "viewer"]);
    expect(kw.grantableRoles(manager)).toEqual(["manager", "viewer"]);
    expect(kw.grantableRoles(actor({ role: "viewer" }))).toEqual(["viewer"]);
    expect(kw.grantableRoles({ id: "x", owner: "o" })).toEqual([]);
  });
});

describe("input validation (422 with details)", () => {
  it("a scope outside the catalog is refused with details naming it", async () => {
    const { kw } = setup({ scopes: ["jobs:read", "jobs:write"] });
    const err = await rejection(kw.create({ owner: "o", label: "k", scopes: ["jobs:read", "jobs:delete", "billing:*"] }));
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).status).toBe(422);
    expect((err as ValidationError).details).toEqual([
      { field: "scopes[1]", message: expect.stringMatching(/catalog/) },
      { field: "scopes[2]", message: expect.stringMatching(/catalog/) },
    ]);
    expect((await kw.create({ owner: "o", label: "k", scopes: ["jobs:*"] })).apiKey.scopes).toEqual(["jobs:*"]);
  });

  it.each([
    ["missing", undefined],
    ["blank", "   "],
    ["empty", ""],
    ["too long", "x".repeat(121)],
    ["not a string", 42],
    ["with a newline", "a\nb"],
  ])("a %s label is refused", async (_name, label) => {
    const { kw } = setup();
    const err = await rejection(kw.create({ owner: "o", label: label as string }));
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).details).toEqual([{ field: "label", message: expect.any(String) }]);
  });

  it("a 120-character label is accepted, and a blank label is refused on update too", async () => {
    const { kw } = setup();
    const { apiKey } = await kw.create({ owner: "o", label: "x".repeat(120) });
    const err = await rejection(kw.update(apiKey.id, { label: " " }));
    expect((err as ValidationError).details).toEqual([{ field: "label", message: expect.any(String) }]);
  });

  it("reports every bad field at once", async () => {
    const { kw } = setup();
    const err = await rejection(kw.create({ owner: "", label: "", scopes: ["bad scope"], role: "ghost", metadata: [] as never }));
    expect((err as ValidationError).details.map((d) => d.field)).toEqual(["owner", "label", "scopes[0]", "role", "metadata"]);
  });

  it("a non-object input is refused", async () => {
    const { kw } = setup();
    await expect(kw.create(null as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(kw.update("id", "label" as never)).rejects.toBeInstanceOf(ValidationError);
  });
});
