/**
 * SECURITY 8: a key sent in the query string is never read and never logged.
 * A valid key goes in `?api_key=` / `?access_token=` / `?key=` on the
 * protected routes and on both management mounts, in every adapter; the
 * request must be treated as carrying no credential (401 without `error=`, no
 * hashing, no lookup, `verify` never handed the key) and the key must appear
 * in no event, no console line and no part of the answer.
 */
import type { KeywardEvent } from "keyward";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, type MockInstance, vi } from "vitest";
import { ADAPTERS, type AdapterName, type Running, start } from "../support/apps.js";
import { secretOf } from "../support/core.js";
import { createWorld, PREFIX, request, type World } from "../support/http.js";

const CONSOLE = ["log", "info", "warn", "error", "debug", "trace"] as const;

let world: World;
const events: KeywardEvent[] = [];
const logged: string[] = [];
let consoleSpies: MockInstance[] = [];
let verifySpy: MockInstance;

beforeAll(async () => {
  world = await createWorld({ onEvent: (e) => void events.push(structuredClone(e)) });
  verifySpy = vi.spyOn(world.kw, "verify");
});

afterAll(async () => {
  verifySpy.mockRestore();
  await world.kw.close();
});

beforeEach(() => {
  events.length = 0;
  logged.length = 0;
  verifySpy.mockClear();
  world.reset();
  consoleSpies = CONSOLE.map((m) =>
    vi.spyOn(console, m).mockImplementation((...args: unknown[]) => void logged.push(args.map((a) => String(a)).join(" "))),
  );
});

afterEach(() => {
  for (const s of consoleSpies) s.mockRestore();
});

/** Where the key could show up: every 16-character window of its secret, and the key itself. */
function traces(text: string, key: string): string[] {
  const found: string[] = [];
  if (text.includes(key)) found.push("raw key");
  const secret = secretOf(key, PREFIX);
  for (let i = 0; i + 16 <= secret.length; i++) if (text.includes(secret.slice(i, i + 16))) found.push(`secret window ${i}`);
  return found;
}

/** Every argument `verify` received, as text. */
const verifyArgs = () => JSON.stringify(verifySpy.mock.calls);

describe.each(ADAPTERS)("a key in the query string, over %s", (adapter: AdapterName) => {
  let server: Running;
  beforeAll(async () => {
    server = await start(adapter, { kw: world.kw });
  });
  afterAll(async () => {
    await server.close();
  });

  it.each(["api_key", "access_token", "key", "apiKey"])(
    "?%s=<valid key> on a protected route: 401 without error=, nothing hashed or looked up, the key nowhere",
    async (param) => {
      const key = world.keys.valid;
      const path = `/v1/jobs?${param}=${encodeURIComponent(key)}`;
      const res = await request(server.port, { path });
      const lookups = world.store.lookups;
      const hashes = world.hashes();

      expect(res.status).toBe(401);
      expect(res.headers["www-authenticate"]).toBe('Bearer realm="api"');
      expect(res.json).toMatchObject({ status: 401, error: "UNAUTHORIZED", path: "/v1/jobs" });
      expect(lookups).toBe(0);
      expect(hashes).toBe(0);
      // the middleware asked keyward about "no credential", never about the key
      expect(verifySpy.mock.calls.map(([presented]) => presented)).toEqual([undefined]);
      expect(events.map((e) => [e.type, e.reason, e.keyId])).toEqual([["key.verification_failed", "missing", null]]);

      const everywhere = {
        answer: res.text + JSON.stringify(res.headers),
        events: JSON.stringify(events),
        console: logged.join("\n"),
        verify: verifyArgs(),
      };
      for (const [where, text] of Object.entries(everywhere)) expect(traces(text, key), where).toEqual([]);
    },
  );

  it("the query key does not count even next to a valid Authorization header (no doubled credential, no override)", async () => {
    const res = await request(server.port, {
      path: `/v1/jobs?api_key=${world.keys.admin}`,
      headers: [["Authorization", `Bearer ${world.keys.valid}`]],
    });
    expect(res.status).toBe(200);
    // the header's key was used, not the query's admin key
    expect((res.json as { keyId: string }).keyId).toBe(world.records.valid?.id);
    expect(JSON.stringify(verifySpy.mock.calls)).not.toContain(world.keys.admin);
    expect(traces(res.text + JSON.stringify(events) + logged.join("\n"), world.keys.admin)).toEqual([]);
  });

  it("keyActor on the management routes ignores ?api_key= (401, no lookup), and the key is nowhere", async () => {
    const key = world.keys.admin; // holds api_keys:manage: it would be accepted from a header
    const res = await request(server.port, { path: `/integrations/api-keys?api_key=${key}` });
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toBe('Bearer realm="api"');
    expect(world.store.lookups).toBe(0);
    expect(world.hashes()).toBe(0);
    expect(verifyArgs()).not.toContain(key);
    for (const text of [res.text + JSON.stringify(res.headers), JSON.stringify(events), logged.join("\n")]) {
      expect(traces(text, key)).toEqual([]);
    }
  });

  it("a session-authenticated list with ?api_key= answers the list and never reads or echoes the key", async () => {
    const key = world.keys.valid;
    const res = await request(server.port, {
      path: `/settings/api-keys?limit=2&api_key=${key}`,
      headers: [["x-test-user", "admin"]],
    });
    expect(res.status).toBe(200);
    expect(world.store.lookups).toBe(0);
    expect(world.hashes()).toBe(0);
    expect(verifySpy).not.toHaveBeenCalled();
    expect(traces(res.text + JSON.stringify(res.headers) + JSON.stringify(events) + logged.join("\n"), key)).toEqual([]);
  });

  it("the check itself finds the key when it is there", () => {
    expect(traces(`x=${world.keys.valid}`, world.keys.valid)).not.toEqual([]);
    expect(traces(secretOf(world.keys.valid, PREFIX).slice(5, 21), world.keys.valid)).not.toEqual([]);
  });
});
