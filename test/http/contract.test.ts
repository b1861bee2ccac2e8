/**
 * Runs the contract table against Express, Hono, Koa, Fastify and
 * keyward/fetch over real HTTP on 127.0.0.1 and checks that every adapter
 * answers identically.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADAPTERS, type AdapterName, documentedResponses, type Running, start } from "../support/apps.js";
import { createWorld, type Exchange, type Keys, request, type World } from "../support/http.js";
import { CONTRACT, type ContractCase } from "./contract-cases.js";

const EIGHT_KIB = "A".repeat(8192);
/** Every answer must be one the OpenAPI document declares (keyward/openapi). */
const documented = documentedResponses();

/** Status, the headers the contract is about, and the body minus its timestamp. */
interface Observed {
  status: number;
  headers: Record<string, string | null>;
  body: unknown;
}

function fill(template: string, keys: Keys): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => (name === "8k" ? EIGHT_KIB : keys[name as keyof Keys]));
}

/** The secrets a request carried (header values after the scheme), to look for in its answer. */
function presented(c: ContractCase, keys: Keys): string[] {
  const values = c.headers.map(([, v]) => fill(v, keys).replace(/^\S+\s+/, ""));
  if (c.path?.includes("{")) values.push(...Object.values(keys));
  return values.filter((v) => v.length >= 8);
}

function observe(res: Exchange): Observed {
  const pick = (name: string) => {
    const v = res.headers[name];
    return v === undefined ? null : String(v);
  };
  const body = res.json as Record<string, unknown> | undefined;
  const { timestamp: _t, ...rest } = body ?? {};
  return {
    status: res.status,
    headers: {
      "content-type": res.status < 300 ? "(the app's)" : pick("content-type"),
      "www-authenticate": pick("www-authenticate"),
      "retry-after": pick("retry-after"),
      "cache-control": pick("cache-control"),
      "ratelimit-policy": pick("ratelimit-policy"),
    },
    body: { ...rest, apiKey: rest.apiKey ? "(checked above)" : undefined },
  };
}

let world: World;
const servers = new Map<AdapterName, Running>();
const results = new Map<string, Map<AdapterName, Observed>>();

beforeAll(async () => {
  world = await createWorld();
  for (const name of ADAPTERS) servers.set(name, await start(name, { kw: world.kw }));
});

afterAll(async () => {
  for (const s of servers.values()) await s.close();
  await world.kw.close();
});

describe.each(ADAPTERS)("HTTP contract over %s", (adapter) => {
  it.each(CONTRACT.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const { port } = servers.get(adapter) as Running;
    const path = fill(c.path ?? "/v1/jobs", world.keys);
    world.reset();
    if (c.store) world.store.mode = c.store;
    const res = await request(
      port,
      { method: c.method ?? "GET", path, headers: c.headers.map(([n, v]) => [n, fill(v, world.keys)] as const) },
      documented,
    );
    const lookups = world.store.lookups;
    const hashes = world.hashes();
    world.reset();

    expect(res.status).toBe(c.expect.status);
    // every answer of the adapters is JSON (a 2xx comes from the app's own handler)
    if (c.expect.error !== undefined) expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(res.headers["www-authenticate"] ?? null).toBe(c.expect.wwwAuthenticate);
    if (c.expect.retryAfter !== undefined) expect(res.headers["retry-after"]).toBe(c.expect.retryAfter);
    else expect(res.headers["retry-after"]).toBeUndefined();
    if (c.expect.lookups !== undefined) expect(lookups).toBe(c.expect.lookups);
    if (c.expect.hashes !== undefined) expect(hashes).toBe(c.expect.hashes);
    expect(res.headers["ratelimit-policy"] ?? null).toBe(c.expect.rateLimitPolicy ?? null);
    if (c.expect.rateLimit !== undefined) expect(res.headers.ratelimit).toMatch(c.expect.rateLimit);
    else expect(res.headers.ratelimit).toBeUndefined();

    const body = res.json as Record<string, unknown>;
    if (c.expect.error === undefined) {
      // 36: what the route handler was given holds no raw key and no hash
      expect(body).toMatchObject({ ok: true, apiKey: { id: body.keyId, owner: "org_a" } });
      expect(body.apiKey).not.toHaveProperty("hash");
      expect(body.apiKey).not.toHaveProperty("key");
      expect(body.apiKey).not.toHaveProperty("rawKey");
      expect(res.text.includes(world.keys.storedHash.replace(/^v\d+:/, ""))).toBe(false);
    } else {
      expect(Object.keys(body).sort()).toEqual(["error", "message", "path", "status", "timestamp"]);
      expect(body).toMatchObject({ status: c.expect.status, error: c.expect.error, path: path.split("?")[0] });
      expect(new Date(body.timestamp as string).toISOString()).toBe(body.timestamp);
      if (c.expect.status === 401) expect(body.message).toBe("Invalid or missing API key");
    }
    // 34/35: no answer echoes what was presented
    const raw = res.text + JSON.stringify(res.headers);
    for (const secret of presented(c, world.keys)) expect(raw.includes(secret)).toBe(false);

    const byAdapter = results.get(c.name) ?? new Map<AdapterName, Observed>();
    byAdapter.set(adapter, observe(res));
    results.set(c.name, byAdapter);
  });
});

describe("every adapter agrees", () => {
  it.each(CONTRACT.map((c) => [c.name, c] as const))("%s", (name, c) => {
    const byAdapter = results.get(name);
    expect(byAdapter?.size).toBe(ADAPTERS.length);
    const [first, ...others] = ADAPTERS.map((a) => byAdapter?.get(a));
    for (const other of others) expect(other).toEqual(first);
    if (c.sameAs) {
      const reference = results.get(c.sameAs)?.get("express");
      expect(reference).toBeDefined();
      expect(first).toEqual(reference);
    }
  });
});
