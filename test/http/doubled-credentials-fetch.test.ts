/**
 * SECURITY 9 where headers arrive as a Fetch `Headers` object — Hono on Bun,
 * Deno, Workers, or `app.request()` — rather than Node's raw header list: a
 * doubled header then reaches keyward as one comma-joined value, and the
 * answer must still be the 400 `invalid_request` every Node adapter gives
 * (test/http/contract-cases.ts), with nothing looked up.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchApp, honoApp } from "../support/apps.js";
import { createWorld, type World } from "../support/http.js";

let world: World;
beforeAll(async () => {
  world = await createWorld();
});
afterAll(async () => {
  await world.kw.close();
});

const INVALID_REQUEST = 'Bearer realm="api", error="invalid_request"';

describe("doubled credentials through a Fetch Request (Hono and keyward/fetch off Node)", () => {
  const cases: [string, string, (keys: World["keys"]) => [string, string][]][] = [
    [
      "two Bearer headers",
      "/v1/jobs",
      (k) => [
        ["authorization", `Bearer ${k.valid}`],
        ["authorization", `Bearer ${k.admin}`],
      ],
    ],
    [
      "the same key twice",
      "/v1/jobs",
      (k) => [
        ["authorization", `Bearer ${k.valid}`],
        ["authorization", `Bearer ${k.valid}`],
      ],
    ],
    [
      "Basic then Bearer",
      "/v1/jobs",
      (k) => [
        ["authorization", "Basic dXNlcjpwYXNz"],
        ["authorization", `Bearer ${k.valid}`],
      ],
    ],
    [
      "Bearer then Basic",
      "/v1/jobs",
      (k) => [
        ["authorization", `Bearer ${k.valid}`],
        ["authorization", "Basic dXNlcjpwYXNz"],
      ],
    ],
    [
      "two Basic headers",
      "/v1/jobs",
      () => [
        ["authorization", "Basic dXNlcjpwYXNz"],
        ["authorization", "Basic b3RoZXI6cGFzcw=="],
      ],
    ],
    [
      "a key and a long token, joined beyond the token cap",
      "/v1/jobs",
      (k) => [
        ["authorization", `Bearer ${k.valid}`],
        ["authorization", `Bearer ${"A".repeat(250)}`],
      ],
    ],
    [
      "an empty Authorization next to a Bearer one",
      "/v1/jobs",
      (k) => [
        ["authorization", ""],
        ["authorization", `Bearer ${k.valid}`],
      ],
    ],
    [
      "two empty Authorization headers",
      "/v1/jobs",
      () => [
        ["authorization", ""],
        ["authorization", ""],
      ],
    ],
    [
      "a Basic Authorization next to an empty one",
      "/v1/jobs",
      () => [
        ["authorization", "Basic dXNlcjpwYXNz"],
        ["authorization", ""],
      ],
    ],
    [
      "Authorization and X-API-Key",
      "/x/jobs",
      (k) => [
        ["authorization", `Bearer ${k.valid}`],
        ["x-api-key", k.valid],
      ],
    ],
    [
      "two X-API-Key headers",
      "/x/jobs",
      (k) => [
        ["x-api-key", k.valid],
        ["x-api-key", k.admin],
      ],
    ],
  ];

  it.each(cases)("%s: 400 invalid_request, nothing looked up", async (_name, path, headersOf) => {
    const app = honoApp({ kw: world.kw });
    const headers = new Headers();
    for (const [name, value] of headersOf(world.keys)) headers.append(name, value);
    world.reset();
    const res = await app.request(path, { headers });
    await expectRefused(res);
  });

  it.each(cases)("keyward/fetch, no server argument: %s is 400 too", async (_name, path, headersOf) => {
    const handle = fetchApp({ kw: world.kw });
    const headers = new Headers();
    for (const [name, value] of headersOf(world.keys)) headers.append(name, value);
    world.reset();
    await expectRefused(await handle(new Request(`http://localhost${path}`, { headers })));
  });

  async function expectRefused(res: Response): Promise<void> {
    expect(res.status).toBe(400);
    expect(res.headers.get("www-authenticate")).toBe(INVALID_REQUEST);
    expect(await res.json()).toMatchObject({ status: 400, error: "BAD_REQUEST", message: "Malformed credentials" });
    expect(world.store.lookups).toBe(0);
    expect(world.hashes()).toBe(0);
  }

  it("a single credential still works there (the doubling, not the transport, is refused)", async () => {
    const app = honoApp({ kw: world.kw });
    const res = await app.request("/v1/jobs", { headers: { authorization: `Bearer ${world.keys.valid}` } });
    expect(res.status).toBe(200);
  });
});
