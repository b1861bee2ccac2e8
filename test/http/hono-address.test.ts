/**
 * Hono away from Node (no `c.env.incoming`): the client's address comes from
 * `getAddress`; without one, a key with an IP allowlist is refused (403),
 * never let through.
 */
import { Hono } from "hono";
import { createKeyward } from "keyward";
import { apiKeyAuth } from "keyward/hono";
import { memoryStore } from "keyward/memory";
import { describe, expect, it } from "vitest";

describe("Hono: the client address on a Fetch runtime", () => {
  it("uses getAddress, and refuses an allowlisted key when no address is known", async () => {
    const kw = createKeyward({ store: memoryStore(), prefix: "cho", lastUsed: false });
    const { key } = await kw.create({ owner: "org_1", label: "office", allowedIps: ["192.0.2.0/24"] });
    const plain = await kw.create({ owner: "org_1", label: "anywhere" });
    const app = new Hono();
    app.get("/with", apiKeyAuth(kw, { getAddress: (c) => c.req.header("x-test-peer") }), (c) => c.json({ ok: true }));
    app.get("/without", apiKeyAuth(kw), (c) => c.json({ ok: true }));
    const call = (path: string, bearer: string, peer?: string) =>
      app.request(path, { headers: { authorization: `Bearer ${bearer}`, ...(peer && { "x-test-peer": peer }) } });
    expect((await call("/with", key, "192.0.2.10")).status).toBe(200);
    expect((await call("/with", key, "198.51.100.1")).status).toBe(403);
    const refused = await call("/without", key);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: "FORBIDDEN" });
    expect((await call("/without", plain.key)).status).toBe(200);
    expect(() => apiKeyAuth(kw, { getAddress: "nope" as never })).toThrow(TypeError);
  });

  it("adds the RateLimit fields to the handler's response", async () => {
    const kw = createKeyward({ store: memoryStore(), prefix: "cho", lastUsed: false });
    const { key } = await kw.create({ owner: "org_1", label: "limited", ratelimit: { limit: 2, window: 10_000 } });
    const app = new Hono();
    app.get("/", apiKeyAuth(kw), () => new Response("raw", { status: 200 }));
    const first = await app.request("/", { headers: { authorization: `Bearer ${key}` } });
    expect(first.headers.get("ratelimit-policy")).toBe('"default";q=2;w=10');
    expect(first.headers.get("ratelimit")).toMatch(/^"default";r=1;t=\d+$/);
    await app.request("/", { headers: { authorization: `Bearer ${key}` } });
    const third = await app.request("/", { headers: { authorization: `Bearer ${key}` } });
    expect(third.status).toBe(429);
    expect(third.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(await third.json()).toMatchObject({ status: 429, error: "TOO_MANY_REQUESTS" });
  });

  it("adds them to a response whose headers cannot change too (a redirect), and keeps c.json's own", async () => {
    const kw = createKeyward({ store: memoryStore(), prefix: "cho", lastUsed: false });
    const { key } = await kw.create({ owner: "org_1", label: "limited", ratelimit: { limit: 5, window: 10_000 } });
    const app = new Hono();
    app.get("/away", apiKeyAuth(kw), () => Response.redirect("https://example.com/next", 302));
    app.get("/json", apiKeyAuth(kw), (c) => {
      c.header("x-app", "kept");
      return c.json({ ok: true });
    });
    const away = await app.request("/away", { headers: { authorization: `Bearer ${key}` } });
    expect(away.status).toBe(302);
    expect(away.headers.get("location")).toBe("https://example.com/next");
    expect(away.headers.get("ratelimit-policy")).toBe('"default";q=5;w=10');
    const json = await app.request("/json", { headers: { authorization: `Bearer ${key}` } });
    expect(await json.json()).toEqual({ ok: true });
    expect(json.headers.get("x-app")).toBe("kept");
    expect(json.headers.get("content-type")).toMatch(/application\/json/);
    expect(json.headers.get("ratelimit")).toMatch(/^"default";r=3;t=\d+$/);
  });
});
