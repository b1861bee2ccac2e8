/**
 * Usage controls through the management API (SPEC §8), on every adapter:
 * the fields on create, get, list and PATCH; a bad allowlist entry is a 422
 * with details; an admin may narrow a key's controls but not widen them
 * (403), and never grants credits.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADAPTERS, type AdapterName, documentedResponses, type Running, start } from "../support/apps.js";
import { createWorld, type Exchange, request, type World } from "../support/http.js";

const BASE = "/settings/api-keys";
const documented = documentedResponses();

describe.each(ADAPTERS)("usage controls in the management API over %s", (adapter: AdapterName) => {
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

  const call = (method: string, path: string, body?: unknown): Promise<Exchange> =>
    request(
      server.port,
      {
        method,
        path,
        headers: [
          ["x-test-user", "admin"],
          ["content-type", "application/json"],
        ],
        ...(body !== undefined && { body: JSON.stringify(body) }),
      },
      documented,
    );

  it("creates a key with a rate limit and an allowlist, and shows them on get and list", async () => {
    const created = await call("POST", BASE, {
      label: "office sync",
      ratelimit: { limit: 100, window: 60_000 },
      allowedIps: ["203.0.113.0/24", "2001:DB8::/32"],
    });
    expect(created.status).toBe(201);
    const key = created.json as { id: string };
    expect(created.json).toMatchObject({
      ratelimit: { limit: 100, window: 60_000 },
      allowedIps: ["203.0.113.0/24", "2001:db8::/32"],
      credits: null,
      remaining: null,
    });
    expect((await call("GET", `${BASE}/${key.id}`)).json).toMatchObject({ allowedIps: ["203.0.113.0/24", "2001:db8::/32"] });
    const listed = (await call("GET", BASE)).json as { data: { id: string; ratelimit: unknown }[] };
    expect(listed.data.find((k) => k.id === key.id)?.ratelimit).toEqual({ limit: 100, window: 60_000 });
  });

  it("answers 422 with details for every bad entry, creating nothing", async () => {
    const before = (await world.kw.list("org_a", { limit: 100 })).data.length;
    const res = await call("POST", BASE, {
      label: "bad",
      allowedIps: ["10.0.0.0/8", "10.0.0.0/33", "::ffff:1.2.3"],
      ratelimit: { limit: 0, window: 1_000 },
    });
    expect(res.status).toBe(422);
    const fields = (res.json as { details: { field: string }[] }).details.map((d) => d.field);
    expect(fields).toEqual(["ratelimit", "allowedIps[1]", "allowedIps[2]"]);
    expect((await world.kw.list("org_a", { limit: 100 })).data.length).toBe(before);
  });

  it("lets an admin narrow a key (lower limit, smaller range, fewer credits) but not widen it (403)", async () => {
    const { apiKey } = await world.kw.create({
      owner: "org_a",
      label: "metered",
      ratelimit: { limit: 100, window: 60_000 },
      credits: { remaining: 1_000 },
      allowedIps: ["10.0.0.0/8"],
    });
    const path = `${BASE}/${apiKey.id}`;
    const narrowed = await call("PATCH", path, {
      ratelimit: { limit: 10, window: 60_000 },
      allowedIps: ["10.1.0.0/16"],
      credits: { remaining: 500 },
    });
    expect(narrowed.status).toBe(200);
    expect(narrowed.json).toMatchObject({ ratelimit: { limit: 10 }, allowedIps: ["10.1.0.0/16"], remaining: 500 });
    for (const widening of [
      { ratelimit: { limit: 11, window: 60_000 } },
      { ratelimit: null },
      { allowedIps: ["10.0.0.0/8"] },
      { allowedIps: null },
      { credits: { remaining: 501 } },
      { credits: null },
    ]) {
      const res = await call("PATCH", path, widening);
      expect(res.status, JSON.stringify(widening)).toBe(403);
      expect(res.json).toMatchObject({ error: "FORBIDDEN" });
    }
    expect(await world.kw.get(apiKey.id)).toMatchObject({
      ratelimit: { limit: 10 },
      allowedIps: ["10.1.0.0/16"],
      remaining: 500,
    });
  });

  it("never lets an admin create a key with credits to spend", async () => {
    const res = await call("POST", BASE, { label: "free money", credits: { remaining: 1_000_000 } });
    expect(res.status).toBe(403);
  });
});
