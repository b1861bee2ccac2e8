import { isKeyStatus, KEY_STATUSES, type KeyStatus, statusOf, ValidationError } from "keyward";
import { describe, expect, expectTypeOf, it } from "vitest";
import { manualClock, setup } from "../support/core.js";

describe("key statuses: one list", () => {
  it("KEY_STATUSES holds the four statuses of the contract, frozen", () => {
    expect([...KEY_STATUSES]).toEqual(["active", "disabled", "revoked", "expired"]);
    expect(Object.isFrozen(KEY_STATUSES)).toBe(true);
    expectTypeOf<(typeof KEY_STATUSES)[number]>().toEqualTypeOf<KeyStatus>();
  });

  it("isKeyStatus accepts exactly those strings", () => {
    for (const s of KEY_STATUSES) expect(isKeyStatus(s)).toBe(true);
    for (const s of ["Active", "ACTIVE", " active", "deleted", "", null, undefined, 0, ["active"], "__proto__", "toString"]) {
      expect(isKeyStatus(s)).toBe(false);
    }
  });

  it("every status a record can have is in the list, and list() filters by each of them", async () => {
    const clock = manualClock();
    const { kw } = setup({ now: clock.now });
    const owner = "org_statuses";
    const make = async (label: string) => (await kw.create({ owner, label, scopes: ["jobs:read"] })).apiKey.id;
    const ids: Record<KeyStatus, string> = {
      active: await make("a"),
      disabled: await make("d"),
      revoked: await make("r"),
      expired: (await kw.create({ owner, label: "e", scopes: ["jobs:read"], expiresAt: clock.now() + 1_000 })).apiKey.id,
    };
    await kw.disable(ids.disabled);
    await kw.revoke(ids.revoked);
    clock.advance(1_000);
    for (const status of KEY_STATUSES) {
      const page = await kw.list(owner, { status });
      expect(page.data.map((k) => [k.id, k.status])).toEqual([[ids[status], status]]);
    }
  });

  it("list() refuses any other status, naming the valid ones", async () => {
    const { kw } = setup();
    const error = await kw.list("org_1", { status: "deleted" as KeyStatus }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).details).toEqual([
      { field: "status", message: `must be one of ${KEY_STATUSES.join(", ")}` },
    ]);
  });

  it("statusOf answers one of KEY_STATUSES", () => {
    const base = { revokedAt: null, disabledAt: null, expiresAt: null } as const;
    const record = (over: object) => ({ ...base, ...over }) as Parameters<typeof statusOf>[0];
    for (const r of [record({}), record({ revokedAt: 1 }), record({ disabledAt: 1 }), record({ expiresAt: 0 })]) {
      expect(isKeyStatus(statusOf(r, 1))).toBe(true);
    }
  });
});
