/**
 * A request target in absolute form (`GET http://host/a/b?x=1 HTTP/1.1`,
 * RFC 9112 §3.2.2), which Node accepts and passes through in `req.url`: the
 * error body's `path` is still the path alone, on every adapter, from
 * apiKeyAuth, requireScopes and the management API.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADAPTERS, type AdapterName, type Running, start } from "../support/apps.js";
import { createWorld, request, type World } from "../support/http.js";

describe.each(ADAPTERS)("absolute-form request targets over %s", (adapter: AdapterName) => {
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

  const absolute = (path: string) => `http://api.example.com:${server.port}${path}`;

  it("apiKeyAuth: a 401 names the path without scheme, host or query", async () => {
    const res = await request(server.port, { path: absolute("/v1/jobs?api_key=x&page=2") });
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ status: 401, path: "/v1/jobs" });
  });

  it("requireScopes: a 403 names the path alone", async () => {
    const res = await request(server.port, {
      method: "POST",
      path: absolute("/v1/jobs?x=1"),
      headers: [["authorization", `Bearer ${world.keys.valid}`]],
    });
    expect(res.status).toBe(403);
    expect(res.json).toMatchObject({ status: 403, path: "/v1/jobs" });
  });

  it("the management API: 404, 415 and 422 name the path alone, and routing still works", async () => {
    const admin: [string, string][] = [["x-test-user", "admin"]];
    const missing = await request(server.port, { path: absolute("/settings/api-keys/no-such-key?x=1"), headers: admin });
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ path: "/settings/api-keys/no-such-key" });

    const form = await request(server.port, {
      method: "POST",
      path: absolute("/settings/api-keys"),
      headers: [...admin, ["content-type", "application/x-www-form-urlencoded"]],
      body: "label=x",
    });
    expect(form.status).toBe(415);
    expect(form.json).toMatchObject({ path: "/settings/api-keys" });

    const invalid = await request(server.port, {
      method: "POST",
      path: absolute("/settings/api-keys?debug=1"),
      headers: [...admin, ["content-type", "application/json"]],
      body: JSON.stringify({ label: " " }),
    });
    expect(invalid.status).toBe(422);
    expect(invalid.json).toMatchObject({ path: "/settings/api-keys", details: [{ field: "label" }] });

    const listed = await request(server.port, { path: absolute("/settings/api-keys?limit=1"), headers: admin });
    expect(listed.status).toBe(200);
    expect((listed.json as { data: unknown[] }).data).toHaveLength(1);
  });
});
