/**
 * The management API when the caller authenticates with a key (`keyActor`):
 * its 400/401 answers follow the credential actually sent, as `apiKeyAuth`'s
 * do (SECURITY 1, 3, 4, 9).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { honoApp } from "../support/apps.js";
import { createWorld, type World } from "../support/http.js";

let world: World;
beforeAll(async () => {
  world = await createWorld();
});
afterAll(async () => {
  await world.kw.close();
});

const PATH = "/integrations/api-keys";

async function call(headers: [string, string][]) {
  const h = new Headers();
  for (const [name, value] of headers) h.append(name, value);
  return honoApp({ kw: world.kw }).request(PATH, { headers: h });
}

describe("management API credentials (keyActor)", () => {
  it("answers a manager's key with 200", async () => {
    expect((await call([["authorization", `Bearer ${world.keys.admin}`]])).status).toBe(200);
  });

  it("no credential: 401 with a challenge and no error", async () => {
    const res = await call([]);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe('Bearer realm="api"');
  });

  it("another scheme: 401 with a challenge and no error", async () => {
    const res = await call([["authorization", "Basic dXNlcjpwYXNz"]]);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe('Bearer realm="api"');
  });

  it("a revoked or unknown key: 401 invalid_token", async () => {
    for (const key of [world.keys.revoked, world.keys.unknown]) {
      const res = await call([["authorization", `Bearer ${key}`]]);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe('Bearer realm="api", error="invalid_token"');
    }
  });

  it("a doubled or broken credential: 400 invalid_request, and the key is not echoed", async () => {
    for (const headers of [
      [
        ["authorization", `Bearer ${world.keys.admin}`],
        ["authorization", `Bearer ${world.keys.valid}`],
      ],
      [["authorization", "Bearer "]],
      [["authorization", "Bearer héllo"]],
    ] as [string, string][][]) {
      const res = await call(headers);
      expect(res.status).toBe(400);
      expect(res.headers.get("www-authenticate")).toBe('Bearer realm="api", error="invalid_request"');
      expect(await res.text()).not.toContain(world.keys.admin);
    }
  });
});
