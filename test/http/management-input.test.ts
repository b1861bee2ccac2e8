/**
 * Input the management API refuses at the door with 422 `details`, on every
 * adapter, leaving the owner's keys listable and usable: metadata nested
 * deeper than 8 levels (SECURITY 41), labels with control, bidirectional or
 * zero-width characters, expiry dates that do not exist.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADAPTERS, type AdapterName, type Running, start } from "../support/apps.js";
import { createWorld, type Exchange, request, type World } from "../support/http.js";

const BASE = "/settings/api-keys";

describe.each(ADAPTERS)("management input limits over %s", (adapter: AdapterName) => {
  let world: World;
  let server: Running;
  beforeAll(async () => {
    world = await createWorld();
    server = await start(adapter, { kw: world.kw });
  });
  afterAll(async () => {
    await server.close();
    await world.kw.close();
  });

  const call = (method: string, path: string, body: unknown): Promise<Exchange> =>
    request(server.port, {
      method,
      path,
      headers: [
        ["x-test-user", "admin"],
        ["content-type", "application/json"],
      ],
      body: JSON.stringify(body),
    });

  const expect422 = (res: Exchange, field: string, message: RegExp) => {
    expect(res.status).toBe(422);
    expect(res.json).toMatchObject({
      status: 422,
      error: "VALIDATION_ERROR",
      details: [{ field, message: expect.stringMatching(message) }],
    });
  };

  it("refuses a 2,000-deep array in metadata on create and update; listing and the key keep working", async () => {
    let deep: unknown = 1;
    for (let i = 0; i < 2_000; i++) deep = [deep];
    const body = JSON.stringify({ label: "deep", metadata: { a: deep } });
    expect(body.length).toBeLessThan(16 * 1024);
    expect422(await call("POST", BASE, { label: "deep", metadata: { a: deep } }), "metadata", /nested more than 8 levels/);
    const before = (await world.kw.list("org_a", { limit: 100 })).data.length;

    const created = await call("POST", BASE, { label: "plain", metadata: { team: "ops" } });
    expect(created.status).toBe(201);
    const { id, rawKey } = created.json as { id: string; rawKey: string };
    expect422(await call("PATCH", `${BASE}/${id}`, { metadata: { a: deep } }), "metadata", /nested more than 8 levels/);

    const listed = await request(server.port, { path: BASE, headers: [["x-test-user", "admin"]] });
    expect(listed.status).toBe(200);
    expect((await world.kw.list("org_a", { limit: 100 })).data.length).toBe(before + 1);
    expect(await world.kw.get(id)).toMatchObject({ metadata: { team: "ops" } });
    expect((await world.kw.verify(rawKey)).ok).toBe(true);
  });

  it("refuses labels with control, bidirectional or zero-width characters", async () => {
    expect422(await call("POST", BASE, { label: "invoice\u202Egpj.exe" }), "label", /bidirectional/);
    expect422(await call("POST", BASE, { label: "Prod\u200Bkey" }), "label", /zero-width/);
    expect422(await call("POST", BASE, { label: "a\u0085b" }), "label", /control characters/);
  });

  it("refuses expiry dates that do not exist or depend on the server's time zone", async () => {
    for (const expiresAt of ["2099-02-31", "2099-13-01", "2099-01-01T10:00:00", "Thu, 01 Jan 2099 00:00:00 GMT"]) {
      expect422(await call("POST", BASE, { label: "x", expiresAt }), "expiresAt", /date/);
    }
    const ok = await call("POST", BASE, { label: "dated", expiresAt: "2099-06-30T12:00:00+02:00" });
    expect(ok.json).toMatchObject({ expiresAt: "2099-06-30T10:00:00.000Z" });
  });
});
