/**
 * SECURITY 13: a wrong key and a revoked key get the same answer — status,
 * every header (in order; only `Date` is masked) and the body byte for byte
 * once its timestamp is masked — so a caller cannot tell a key that once
 * existed from one that never did. Disabled and expired keys are held to the
 * same rule. Checked on the protected routes and on the management API
 * behind `keyActor`, in every adapter.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADAPTERS, type AdapterName, type Running, start } from "../support/apps.js";
import { createWorld, type Exchange, type Keys, request, type World } from "../support/http.js";

/** Keys a caller might guess or mistype: none of them ever existed. */
const WRONG = ["unknown", "badChecksum", "otherPrefix"] as const satisfies readonly (keyof Keys)[];
/** Keys that did exist and no longer work. */
const DEAD = ["revoked", "disabled", "expired"] as const satisfies readonly (keyof Keys)[];

/** The whole answer, with only what must vary between two requests masked: the Date header and the body's timestamp. */
function fingerprint(res: Exchange): { status: number; headers: [string, string][]; body: string } {
  const headers = Object.entries(res.headers).map(([name, value]): [string, string] => [
    name,
    name === "date" ? "<date>" : String(value),
  ]);
  return {
    status: res.status,
    headers,
    body: res.text.replace(/"timestamp":"[^"]*"/, '"timestamp":"<timestamp>"'),
  };
}

let world: World;
beforeAll(async () => {
  world = await createWorld();
});
afterAll(async () => {
  await world.kw.close();
});

describe.each(ADAPTERS)("dead keys read exactly like wrong ones, over %s", (adapter: AdapterName) => {
  let server: Running;
  beforeAll(async () => {
    server = await start(adapter, { kw: world.kw });
  });
  afterAll(async () => {
    await server.close();
  });

  const bearer = (path: string, key: keyof Keys, header = "Authorization") =>
    request(server.port, {
      path,
      headers: [[header, header === "Authorization" ? `Bearer ${world.keys[key]}` : world.keys[key]]],
    });

  it.each(DEAD)("a %s key on a protected route: same status, headers and body as every wrong key", async (dead) => {
    const reference = fingerprint(await bearer("/v1/jobs", "unknown"));
    expect(reference.status).toBe(401);
    expect(reference.headers).toContainEqual(["www-authenticate", 'Bearer realm="api", error="invalid_token"']);
    for (const wrong of WRONG) expect(fingerprint(await bearer("/v1/jobs", wrong)), wrong).toEqual(reference);
    expect(fingerprint(await bearer("/v1/jobs", dead))).toEqual(reference);
  });

  it.each(DEAD)("a %s key in X-API-Key: the same answer as a wrong key there", async (dead) => {
    const reference = fingerprint(await bearer("/x/jobs", "unknown", "X-API-Key"));
    expect(reference.status).toBe(401);
    expect(fingerprint(await bearer("/x/jobs", dead, "X-API-Key"))).toEqual(reference);
  });

  it.each(DEAD)("a %s key on a route whose middleware requires a scope: still the wrong-key answer, not a 403", async (dead) => {
    const reference = fingerprint(await bearer("/scoped/jobs", "unknown"));
    expect(reference.status).toBe(401);
    expect(fingerprint(await bearer("/scoped/jobs", dead))).toEqual(reference);
  });

  it.each(DEAD)("a %s key presented to keyActor on the management API: the same 401 as a wrong key", async (dead) => {
    const reference = fingerprint(await bearer("/integrations/api-keys", "unknown"));
    expect(reference.status).toBe(401);
    for (const wrong of WRONG) expect(fingerprint(await bearer("/integrations/api-keys", wrong)), wrong).toEqual(reference);
    expect(fingerprint(await bearer("/integrations/api-keys", dead))).toEqual(reference);
  });

  it("the comparison does see a difference when there is one (a valid key, a missing credential)", async () => {
    const reference = fingerprint(await bearer("/v1/jobs", "unknown"));
    expect(fingerprint(await bearer("/v1/jobs", "valid"))).not.toEqual(reference);
    expect(fingerprint(await request(server.port, { path: "/v1/jobs" }))).not.toEqual(reference);
  });
});
