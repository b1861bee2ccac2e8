/**
 * SECURITY 10: any Authorization value at all gives an answer (200, 400 or
 * 401), never a 5xx and never an unhandled rejection, in every adapter.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADAPTERS, type AdapterName, honoApp, type Running, start } from "../support/apps.js";
import { createWorld, request, type World } from "../support/http.js";

/** What Node (and the Fetch `Headers`) accept as a header value. */
const SENDABLE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** Any code point folded into one byte, so Unicode input survives the header filter. */
const toLatin1 = (s: string) => Array.from(s, (ch) => String.fromCharCode((ch.codePointAt(0) ?? 0) & 0xff)).join("");

let world: World;

const values = () =>
  fc
    .oneof(
      fc.string(),
      fc.string({ unit: "binary" }).filter((s) => SENDABLE.test(s)),
      fc.string({ unit: "binary" }).map(toLatin1),
      fc
        .tuple(
          fc.constantFrom("Bearer ", "bearer", "BEARER  ", "Basic ", "Bearer\t", "Bearer ,"),
          fc.string({ unit: "binary" }).map(toLatin1),
        )
        .map(([scheme, rest]) => scheme + rest),
      fc.constantFrom("{valid}", "{revoked}", "{unknown}").map((k) => `Bearer ${k}`),
      fc
        .tuple(fc.constantFrom("{valid}", "{unknown}"), fc.nat({ max: 60 }), fc.string({ maxLength: 3 }).map(toLatin1))
        .map(([k, at, junk]) => `Bearer ${k}`.slice(0, 7 + at) + junk),
    )
    .filter((s) => SENDABLE.test(s));

const fill = (v: string) =>
  v.replace(/\{(valid|revoked|unknown)\}/g, (_, name: "valid" | "revoked" | "unknown") => world.keys[name]);

// unhandled rejections fail the test they happen in (test/setup/unhandled-rejections.ts)
beforeAll(async () => {
  world = await createWorld();
});
afterAll(async () => {
  await world.kw.close();
});

describe.each(ADAPTERS)("random Authorization values over HTTP: %s", (adapter: AdapterName) => {
  let server: Running;
  beforeAll(async () => {
    server = await start(adapter, { kw: world.kw });
  });
  afterAll(async () => {
    await server.close();
  });

  it("never answers 5xx, never leaves an unhandled rejection", async () => {
    await fc.assert(
      fc.asyncProperty(values(), fc.boolean(), async (value, twice) => {
        const header: [string, string] = ["Authorization", fill(value)];
        const res = await request(server.port, { path: "/v1/jobs", headers: twice ? [header, header] : [header] });
        expect([200, 400, 401]).toContain(res.status);
        expect(res.headers["content-type"]).toMatch(/^application\/json/);
        if (twice) expect(res.status).toBe(400);
      }),
      { numRuns: 150 },
    );
  });
});

describe("random Authorization values in process: Hono app.request()", () => {
  it("never answers 5xx, never leaves an unhandled rejection", async () => {
    const app = honoApp({ kw: world.kw });
    await fc.assert(
      fc.asyncProperty(values(), async (value) => {
        const res = await app.request("/v1/jobs", { headers: { Authorization: fill(value) } });
        expect([200, 400, 401]).toContain(res.status);
        await res.text();
      }),
      { numRuns: 400 },
    );
  });

  it("the management routes survive random bodies, paths and actors' headers", async () => {
    const app = honoApp({ kw: world.kw });
    const segment = fc.string({ maxLength: 12 }).map((s) => encodeURIComponent(s));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("GET", "POST", "PATCH", "DELETE", "PUT"),
        fc.array(segment, { maxLength: 3 }),
        fc.oneof(fc.string(), fc.json()),
        fc.constantFrom("admin", "viewer", "other", "nobody"),
        async (method, segments, body, user) => {
          const init: RequestInit = { method, headers: { "x-test-user": user, "content-type": "application/json" } };
          if (method !== "GET") init.body = body;
          const res = await app.request(`/settings/api-keys/${segments.join("/")}`, init);
          expect(res.status).toBeLessThan(500);
          await res.text();
        },
      ),
      { numRuns: 300 },
    );
  });
});
