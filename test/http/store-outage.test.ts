/**
 * SECURITY 31 over HTTP: while the store throws or never answers, every
 * well-formed key — valid, revoked or unknown — gets 503 with `Retry-After`,
 * never 200 and never 401 (the store is down, the key is not known to be
 * bad); a store that never answers still yields an answer (the store
 * deadline bounds it; the request would otherwise hang). Once the store is
 * back, the same server answers 200 and 401 again by itself.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADAPTERS, type AdapterName, type Running, start } from "../support/apps.js";
import { createWorld, type Keys, request, type StoreMode, type World } from "../support/http.js";

const WELL_FORMED = ["valid", "revoked", "disabled", "unknown"] as const satisfies readonly (keyof Keys)[];

let world: World;
beforeAll(async () => {
  // last-used tracking off: a touch caught by the "hang" mode never settles (it has no deadline) and would hold close()
  world = await createWorld({ storeTimeout: 50, lastUsed: false });
});
afterAll(async () => {
  await world.kw.close();
});

describe.each(ADAPTERS)("a store outage over %s", (adapter: AdapterName) => {
  let server: Running;
  beforeAll(async () => {
    server = await start(adapter, { kw: world.kw });
  });
  afterAll(async () => {
    world.store.mode = "ok";
    await server.close();
  });

  const use = (key: keyof Keys, path = "/v1/jobs") =>
    request(server.port, { path, headers: [["Authorization", `Bearer ${world.keys[key]}`]] });

  it.each<StoreMode>(["throw", "hang"])(
    "store %s: 503 with Retry-After for every well-formed key, then recovery",
    async (mode) => {
      world.reset();
      world.store.mode = mode;
      for (const key of WELL_FORMED) {
        for (const path of ["/v1/jobs", "/x/jobs", "/integrations/api-keys"]) {
          const res = await use(key, path);
          expect(res.status, `${key} on ${path}`).toBe(503);
          expect(res.headers["retry-after"]).toBe("5");
          expect(res.headers["www-authenticate"]).toBeUndefined();
          expect(res.json).toMatchObject({ status: 503, error: "SERVICE_UNAVAILABLE" });
        }
      }
      // a malformed key needs no store: still its own 401
      expect((await use("badChecksum")).status).toBe(401);

      world.store.mode = "ok";
      expect((await use("valid")).status).toBe(200);
      expect((await use("revoked")).status).toBe(401);
      expect((await use("unknown")).status).toBe(401);
      expect((await use("admin", "/integrations/api-keys")).status).toBe(200);
    },
  );
});
