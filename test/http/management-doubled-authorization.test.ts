/**
 * SECURITY 9 on the management routes: when the actor resolver gives no
 * actor, a doubled `Authorization` is a 400 `invalid_request` on Hono as on
 * Express and Koa — over Node (raw headers, two values) and on a Fetch
 * runtime (one comma-joined value) — also when the joined value is longer
 * than any key could be (the token cap), which used to read as one
 * oversized token and answer 401.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADAPTERS, type AdapterName, honoApp, type Running, start } from "../support/apps.js";
import { createWorld, request, type World } from "../support/http.js";

const INVALID_REQUEST = 'Bearer realm="api", error="invalid_request"';
/** `/settings/api-keys` resolves its actor from a session header (absent here); `/integrations/api-keys` is keyActor. */
const ROUTES = ["/settings/api-keys", "/integrations/api-keys"];

let world: World;
beforeAll(async () => {
  world = await createWorld();
});
afterAll(async () => {
  await world.kw.close();
});

/** Pairs of Authorization values; the last ones join to more than the 256-character token cap. */
function doubles(): [string, [string, string]][] {
  const long = "A".repeat(200);
  return [
    ["two keys", [`Bearer ${world.keys.admin}`, `Bearer ${world.keys.valid}`]],
    ["a key twice", [`Bearer ${world.keys.admin}`, `Bearer ${world.keys.admin}`]],
    ["a key, then a long token (joined beyond the cap)", [`Bearer ${world.keys.admin}`, `Bearer ${long}`]],
    ["two long tokens (joined beyond the cap)", [`Bearer ${long}`, `Bearer ${long}B`]],
    ["Basic, then a long Bearer token", ["Basic dXNlcjpwYXNz", `Bearer ${long}`]],
  ];
}

describe.each(ADAPTERS)("doubled Authorization on the management routes over %s (Node)", (adapter: AdapterName) => {
  let server: Running;
  beforeAll(async () => {
    server = await start(adapter, { kw: world.kw });
  });
  afterAll(() => server.close());

  it("is a 400 invalid_request on every route, with nothing looked up", async () => {
    for (const route of ROUTES) {
      for (const [name, [first, second]] of doubles()) {
        world.reset();
        const res = await request(server.port, {
          path: route,
          headers: [
            ["authorization", first],
            ["authorization", second],
          ],
        });
        expect(res.status, `${route}: ${name}`).toBe(400);
        expect(res.headers["www-authenticate"]).toBe(INVALID_REQUEST);
        expect(res.json).toMatchObject({ status: 400, error: "BAD_REQUEST", path: route });
        expect(world.store.lookups, `${route}: ${name}`).toBe(0);
      }
    }
  });
});

describe("doubled Authorization on the management routes on a Fetch runtime (Hono app.request)", () => {
  it("is a 400 invalid_request on every route, with nothing looked up", async () => {
    const app = honoApp({ kw: world.kw });
    for (const route of ROUTES) {
      for (const [name, [first, second]] of doubles()) {
        const headers = new Headers();
        headers.append("authorization", first);
        headers.append("authorization", second);
        world.reset();
        const res = await app.request(route, { headers });
        expect(res.status, `${route}: ${name}`).toBe(400);
        expect(res.headers.get("www-authenticate")).toBe(INVALID_REQUEST);
        expect(world.store.lookups, `${route}: ${name}`).toBe(0);
      }
    }
  });

  it("a single oversized token is still a 401 invalid_token (it is one credential, just not a key)", async () => {
    const app = honoApp({ kw: world.kw });
    for (const route of ROUTES) {
      const res = await app.request(route, { headers: { authorization: `Bearer ${"A".repeat(400)}` } });
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe('Bearer realm="api", error="invalid_token"');
    }
  });
});
