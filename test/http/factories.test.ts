/**
 * The adapter factories: options validated once, caller options never
 * mutated, named middleware, mounting under other paths, and the Hono
 * adapter free of Node-only imports (edge runtimes).
 */
import { readFileSync } from "node:fs";
import http from "node:http";
import { dirname, join, resolve } from "node:path";
import express from "express";
import Fastify from "fastify";
import { Hono } from "hono";
import type { Actor } from "keyward";
import * as ex from "keyward/express";
import * as fa from "keyward/fastify";
import * as fe from "keyward/fetch";
import * as ho from "keyward/hono";
import type { AuthOptions } from "keyward/http";
import * as ko from "keyward/koa";
import Koa from "koa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorld, listen, request, type World } from "../support/http.js";

let world: World;
beforeAll(async () => {
  world = await createWorld();
});
afterAll(async () => {
  await world.kw.close();
});

/** What every adapter exports, typed loosely enough to call each one the same way. */
interface Factories {
  apiKeyAuth(keyward: unknown, options?: AuthOptions): { readonly name: string };
  requireScopes(...scopes: string[]): { readonly name: string };
  // biome-ignore lint/suspicious/noExplicitAny: each adapter's routes options differ only in its own extras
  apiKeyRoutes(keyward: unknown, options: any): unknown;
}
const ADAPTERS: Record<string, Factories> = { express: ex, hono: ho, koa: ko, fastify: fa, fetch: fe };

describe.each(Object.entries(ADAPTERS))("%s factories", (name, adapter) => {
  it("validate their options once, at creation", () => {
    expect(() => adapter.requireScopes("not a scope")).toThrow();
    expect(() => adapter.requireScopes("jobs:read", "jobs: read")).toThrow();
    expect(() => adapter.apiKeyAuth(world.kw, { realm: 'a"b' })).toThrow();
    expect(() => adapter.apiKeyAuth(world.kw, { scopes: ["BAD SCOPE"] })).toThrow();
    expect(() => adapter.apiKeyAuth({} as never)).toThrow(TypeError);
    expect(() => adapter.apiKeyRoutes(world.kw, {} as never)).toThrow(TypeError);
    expect(() => adapter.apiKeyRoutes(null as never, { actor: () => null })).toThrow(TypeError);
    expect(() => adapter.apiKeyRoutes(world.kw, { actor: () => null, realm: "bad\nrealm" })).toThrow();
    expect(() => adapter.apiKeyRoutes(world.kw, { actor: () => null, openApi: { swagger: "2.0" } })).toThrow(
      /OpenAPI 3 document/,
    );
  });

  it("never mutate the caller's options (frozen options work) and return named functions", () => {
    const auth = Object.freeze({ realm: "jobs", header: "X-API-Key", scopes: Object.freeze(["jobs:read"]) });
    const routes = Object.freeze({
      actor: () => null,
      maxBodyBytes: 1024,
      ...((name === "koa" || name === "fetch") && { prefix: "/keys/" }),
    });
    const before = JSON.stringify([auth, routes]);
    const mw = adapter.apiKeyAuth(world.kw, auth);
    const guard = adapter.requireScopes("jobs:read");
    adapter.apiKeyRoutes(world.kw, routes);
    expect(JSON.stringify([auth, routes])).toBe(before);
    expect(mw.name).toBe("keywardApiKeyAuth");
    expect(guard.name).toBe("keywardRequireScopes");
  });
});

describe("mounting", () => {
  const orgActor = (org: string | undefined): Actor | null => (org ? { id: `u_${org}`, owner: org, role: "admin" } : null);

  it("Express: under a parameterised path, the actor sees req.params", async () => {
    const app = express();
    app.use(
      "/orgs/:org/keys",
      ex.apiKeyRoutes(world.kw, { actor: (req) => orgActor((req.params as Record<string, string>).org) }),
    );
    const server = await listen(http.createServer(app));
    try {
      const created = await request(server.port, {
        method: "POST",
        path: "/orgs/org_x/keys",
        headers: [["content-type", "application/json"]],
        body: JSON.stringify({ label: "Mounted", role: "viewer" }),
      });
      expect(created.status).toBe(201);
      const { id, owner } = created.json as { id: string; owner: string };
      expect(owner).toBe("org_x");
      const disabled = await request(server.port, {
        method: "POST",
        path: `/orgs/org_x/keys/${id}/disable`,
        headers: [["content-type", "application/json"]],
      });
      expect(disabled.json).toMatchObject({ id, status: "disabled" });
      const foreign = await request(server.port, { path: `/orgs/org_y/keys/${id}` });
      expect(foreign.status).toBe(404);
      expect(foreign.json).toMatchObject({ path: `/orgs/org_y/keys/${id}` });
    } finally {
      await server.close();
    }
  });

  it("Hono: under a parameterised path and a basePath, routes resolve below the mount point", async () => {
    const app = new Hono().basePath("/api");
    app.route("/orgs/:org/keys", ho.apiKeyRoutes(world.kw, { actor: (c) => orgActor(c.req.param("org")) }));
    const created = await app.request("/api/orgs/org_x/keys", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ label: "Mounted", role: "viewer" }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const { id } = (await created.json()) as { id: string };
    const got = await app.request(`/api/orgs/org_x/keys/${id}`);
    expect(got.status).toBe(200);
    const roles = await app.request("/api/orgs/org_x/keys/roles");
    expect(await roles.json()).toEqual(["admin", "viewer"]);
    const root = await app.request("/api/orgs/org_x/keys/");
    expect(((await root.json()) as { data: unknown[] }).data.length).toBeGreaterThan(0);
    const missing = await app.request(`/api/orgs/org_x/keys/${id}/explode`, {
      method: "POST",
      headers: { "content-type": "application/json" },
    });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ path: `/api/orgs/org_x/keys/${id}/explode` });
  });

  it("Koa: answers under prefix only and passes every other path on", async () => {
    const app = new Koa();
    app.use(ko.apiKeyRoutes(world.kw, { actor: () => orgActor("org_k"), prefix: "/settings/api-keys/" }));
    app.use((ctx) => {
      ctx.body = `next: ${ctx.path}`;
    });
    const server = await listen(http.createServer(app.callback()));
    try {
      const mine = await request(server.port, { path: "/settings/api-keys" });
      expect(mine.status).toBe(200);
      expect(mine.json).toMatchObject({ data: [] });
      for (const path of ["/settings/api-keysx", "/settings", "/v1/jobs", "/Settings/api-keys"]) {
        const other = await request(server.port, { path });
        expect(other.text).toBe(`next: ${path}`);
      }
      expect(() => ko.apiKeyRoutes(world.kw, { actor: () => null, prefix: "settings" })).toThrow();
    } finally {
      await server.close();
    }
  });

  it("Fastify: under a parameterised prefix, the actor sees request.params; the app's parsers stay its own", async () => {
    const app = Fastify({ bodyLimit: 32 });
    app.post("/echo", async (req) => ({ body: req.body }));
    await app.register(fa.apiKeyRoutes(world.kw, { actor: (req) => orgActor((req.params as Record<string, string>).org) }), {
      prefix: "/orgs/:org/keys",
    });
    try {
      const json = { "content-type": "application/json" };
      const label = "A label longer than the app's 32-byte body limit";
      const created = await app.inject({
        method: "POST",
        url: "/orgs/org_z/keys",
        headers: json,
        payload: { label, role: "viewer" },
      });
      expect(created.statusCode).toBe(201);
      expect(created.headers["content-type"]).toBe("application/json; charset=utf-8");
      const { id, owner } = created.json() as { id: string; owner: string };
      expect(owner).toBe("org_z");
      expect((await app.inject({ url: `/orgs/org_z/keys/${id}` })).json()).toMatchObject({ id, label });
      expect((await app.inject({ url: "/orgs/org_z/keys/roles" })).json()).toEqual(["admin", "viewer"]);
      expect((await app.inject({ url: "/orgs/org_z/keys/" })).json()).toMatchObject({ data: [{ id }] });
      const foreign = await app.inject({ url: `/orgs/org_y/keys/${id}` });
      expect(foreign.statusCode).toBe(404);
      expect(foreign.json()).toMatchObject({ error: "NOT_FOUND", path: `/orgs/org_y/keys/${id}` });
      const malformed = await app.inject({ method: "POST", url: "/orgs/org_z/keys", headers: json, payload: "{nope" });
      expect(malformed.statusCode).toBe(400);
      expect(malformed.json()).toMatchObject({ error: "BAD_REQUEST", message: "Malformed JSON body" });
      // outside the plugin, Fastify's own JSON parser and body limit still apply
      expect((await app.inject({ method: "POST", url: "/echo", headers: json, payload: { a: 1 } })).json()).toEqual({
        body: { a: 1 },
      });
      expect((await app.inject({ method: "POST", url: "/echo", headers: json, payload: { label } })).statusCode).toBe(413);
    } finally {
      await app.close();
    }
  });

  it("Fetch: answers under prefix only (a JSON 404 elsewhere), called with a Request and nothing else", async () => {
    const handle = fe.apiKeyRoutes(world.kw, { actor: () => orgActor("org_f"), prefix: "/settings/api-keys/" });
    const created = await handle(
      new Request("http://localhost/settings/api-keys", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ label: "Fetched", role: "viewer" }),
      }),
    );
    expect(created.status).toBe(201);
    expect(created.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const { id, owner } = (await created.json()) as { id: string; owner: string };
    expect(owner).toBe("org_f");
    const got = await handle(new Request(`http://localhost/settings/api-keys/${id}?x=1`));
    expect(await got.json()).toMatchObject({ id, label: "Fetched" });
    for (const path of ["/settings/api-keysx", "/settings", "/v1/jobs", "/Settings/api-keys"]) {
      const other = await handle(new Request(`http://localhost${path}`));
      expect(other.status).toBe(404);
      expect(other.headers.get("cache-control")).toBe("no-store");
      expect(await other.json()).toMatchObject({ status: 404, error: "NOT_FOUND", path });
    }
    const everywhere = fe.apiKeyRoutes(world.kw, { actor: () => orgActor("org_f") });
    expect(((await (await everywhere(new Request("http://localhost/"))).json()) as { data: unknown[] }).data).toHaveLength(1);
    expect(() => fe.apiKeyRoutes(world.kw, { actor: () => null, prefix: "settings" })).toThrow();
  });

  it("Fetch: requireScopes passes a failed result's own response on, and refuses anything not from apiKeyAuth", async () => {
    const authenticate = fe.apiKeyAuth(world.kw);
    const canRead = fe.requireScopes("jobs:read");
    const anonymous = new Request("http://localhost/v1/jobs");
    const failed = await authenticate(anonymous);
    expect(failed.ok).toBe(false);
    expect(canRead(failed, anonymous)).toBe(failed.ok ? null : failed.response);
    const forged = { ok: true, apiKey: world.records.valid, principal: { scopes: ["*"], has: () => true } } as never;
    const refused = canRead(forged, anonymous);
    expect(refused?.status).toBe(401);
    expect(refused?.headers.get("www-authenticate")).toBe('Bearer realm="api"');
    const signed = new Request("http://localhost/v1/jobs", { headers: { authorization: `Bearer ${world.keys.valid}` } });
    const auth = await authenticate(signed);
    expect(auth.ok).toBe(true);
    expect(canRead(auth, signed)).toBeNull();
    expect((fe.requireScopes("jobs:write")(auth, signed) as Response).status).toBe(403);
  });

  it("requireScopes without apiKeyAuth answers 401, never lets the request through", async () => {
    const app = new Hono();
    app.get("/open", ho.requireScopes("jobs:read"), (c) => c.text("reached"));
    const res = await app.request("/open", { headers: { authorization: `Bearer ${world.keys.valid}` } });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe('Bearer realm="api"');
  });
});

describe("the Hono and Fetch adapters run on edge runtimes", () => {
  it.each(["hono", "fetch"])("%s imports no node: module, directly or through its relative imports", (adapter) => {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, "utf8");
      for (const [, spec] of text.matchAll(/from\s+"([^"]+)"/g)) {
        expect(spec?.startsWith("node:") || spec === "fs" || spec === "http" || spec === "buffer").toBe(false);
        if (spec?.startsWith(".")) visit(join(dirname(file), (spec as string).replace(/\.js$/, ".ts")));
      }
      expect(text).not.toMatch(/\bBuffer\b|\bprocess\./);
    };
    visit(resolve(`adapters/${adapter}/index.ts`));
    expect(seen.size).toBeGreaterThan(3);
  });
});
