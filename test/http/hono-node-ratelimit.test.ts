/**
 * Hono on Node (`@hono/node-server`): a rate-limited key's `RateLimit-Policy`
 * and `RateLimit` fields reach the client exactly once, whatever kind of
 * response the handler returns, and a key without a rate limit gets none.
 */
import http from "node:http";
import { Hono } from "hono";
import { createKeyward } from "keyward";
import { apiKeyAuth } from "keyward/hono";
import { memoryStore } from "keyward/memory";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Running, serveFetch } from "../support/apps.js";

const kw = createKeyward({ store: memoryStore(), prefix: "cho", lastUsed: false });
let server: Running;
let limited: string;
let plain: string;

beforeAll(async () => {
  limited = (await kw.create({ owner: "org_1", label: "limited", ratelimit: { limit: 50, window: 60_000 } })).key;
  plain = (await kw.create({ owner: "org_1", label: "plain" })).key;
  const app = new Hono();
  app.use("*", apiKeyAuth(kw));
  app.get("/json", (c) => {
    c.header("x-app", "kept");
    return c.json({ ok: true });
  });
  app.get("/redirect", () => Response.redirect("https://example.com/next", 302));
  app.get("/stream", () => {
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("part one, "));
        setTimeout(() => {
          controller.enqueue(new TextEncoder().encode("part two"));
          controller.close();
        }, 5);
      },
    });
    return new Response(body, { headers: { "content-type": "text/plain" } });
  });
  app.get("/fails", () => {
    throw new Error("handler failed");
  });
  server = await serveFetch(app.fetch);
});

afterAll(() => server.close());

/** Status, body and raw header lines (name lowercased) of a GET. */
function get(path: string, key: string): Promise<{ status: number; body: string; lines: [string, string][] }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: "127.0.0.1", port: server.port, path, headers: { authorization: `Bearer ${key}` } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => {
        const lines: [string, string][] = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) {
          lines.push([(res.rawHeaders[i] as string).toLowerCase(), res.rawHeaders[i + 1] as string]);
        }
        resolve({ status: res.statusCode ?? 0, body, lines });
      });
    });
    req.on("error", reject);
  });
}

const valuesOf = (lines: [string, string][], name: string) => lines.filter(([n]) => n === name).map(([, v]) => v);

describe("Hono on @hono/node-server: RateLimit fields of a limited key", () => {
  it.each(["/json", "/redirect", "/stream", "/fails"])("%s carries each field exactly once", async (path) => {
    const res = await get(path, limited);
    expect(valuesOf(res.lines, "ratelimit-policy")).toEqual(['"default";q=50;w=60']);
    expect(valuesOf(res.lines, "ratelimit")).toHaveLength(1);
    expect(valuesOf(res.lines, "ratelimit")[0]).toMatch(/^"default";r=\d+;t=\d+$/);
  });

  it("keeps what the handler answered", async () => {
    const json = await get("/json", limited);
    expect(json.status).toBe(200);
    expect(JSON.parse(json.body)).toEqual({ ok: true });
    expect(valuesOf(json.lines, "x-app")).toEqual(["kept"]);
    expect(valuesOf(json.lines, "content-type")[0]).toMatch(/application\/json/);
    const away = await get("/redirect", limited);
    expect(away.status).toBe(302);
    expect(valuesOf(away.lines, "location")).toEqual(["https://example.com/next"]);
    const stream = await get("/stream", limited);
    expect(stream.body).toBe("part one, part two");
    expect((await get("/fails", limited)).status).toBe(500);
  });

  it("counts down the remaining requests, one per request", async () => {
    const remaining = async () =>
      Number(/r=(\d+)/.exec(valuesOf((await get("/json", limited)).lines, "ratelimit")[0] ?? "")?.[1]);
    const first = await remaining();
    expect(first).toBeGreaterThan(0);
    expect(await remaining()).toBe(first - 1);
  });

  it("sends no RateLimit fields for a key without a rate limit", async () => {
    const res = await get("/json", plain);
    expect(res.status).toBe(200);
    expect(valuesOf(res.lines, "ratelimit-policy")).toEqual([]);
    expect(valuesOf(res.lines, "ratelimit")).toEqual([]);
  });
});
