/**
 * SECURITY 36: the objects a route handler receives after `apiKeyAuth` —
 * `req.apiKey` and `req.principal` (Express), `c.get("apiKey")` and
 * `c.get("principal")` (Hono), `ctx.state.apiKey` and `ctx.state.principal`
 * (Koa) — hold no raw key and no hash. The objects themselves are inspected
 * in the handler (not their JSON, which would hide non-enumerable, symbol or
 * `toJSON`-masked properties), and keyward must add nothing else to the
 * request that the handler could read.
 */
import http from "node:http";
import { inspect } from "node:util";
import { serve } from "@hono/node-server";
import express from "express";
import Fastify from "fastify";
import { Hono } from "hono";
import type { ApiKey } from "keyward";
import * as ex from "keyward/express";
import * as fa from "keyward/fastify";
import * as fe from "keyward/fetch";
import * as ho from "keyward/hono";
import * as ko from "keyward/koa";
import Koa from "koa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADAPTERS, type AdapterName, type Running, serveFastify, serveFetch } from "../support/apps.js";
import { createWorld, listen, PREFIX, request, type World } from "../support/http.js";

/** The documented fields of ApiKey (src/types.ts), and nothing else. */
const API_KEY_FIELDS = [
  "id",
  "owner",
  "label",
  "keyPrefix",
  "last4",
  "scopes",
  "role",
  "status",
  "active",
  "createdBy",
  "createdAt",
  "expiresAt",
  "disabledAt",
  "revokedAt",
  "lastUsedAt",
  "rotatedFrom",
  "rotatedTo",
  "metadata",
  // SPEC §8: usage controls, null when the key has none
  "ratelimit",
  "credits",
  "remaining",
  "allowedIps",
].sort();

/** What a handler saw: the key and principal objects, and the names keyward's middleware added to the request (or context) state. */
interface Seen {
  apiKey: unknown;
  principal: unknown;
  added: string[];
}

/** One app per adapter: `/open` (no auth) and `/v1/jobs`, `/x/jobs` (apiKeyAuth), each recording what its handler got. */
async function startRecording(adapter: AdapterName, world: World, seen: Seen[]): Promise<Running> {
  const kw = world.kw;
  if (adapter === "express") {
    const app = express();
    let baseline: string[] = [];
    app.get("/open", (req, res) => {
      baseline = Reflect.ownKeys(req).map(String);
      res.json({ ok: true });
    });
    const record: express.RequestHandler = (req, res) => {
      seen.push({
        apiKey: req.apiKey,
        principal: req.principal,
        added: Reflect.ownKeys(req)
          .map(String)
          .filter((k) => !baseline.includes(k)),
      });
      res.json({ ok: true });
    };
    app.get("/v1/jobs", ex.apiKeyAuth(kw), ex.requireScopes("jobs:read"), record);
    app.get("/x/jobs", ex.apiKeyAuth(kw, { header: "x-api-key" }), record);
    return listen(http.createServer(app));
  }
  if (adapter === "koa") {
    const app = new Koa();
    const auth = ko.apiKeyAuth(kw);
    const authHeader = ko.apiKeyAuth(kw, { header: "x-api-key" });
    const guard = ko.requireScopes("jobs:read");
    app.use(async (ctx, next) => {
      if (ctx.path === "/open") {
        ctx.body = { ok: true };
        return;
      }
      const before = Reflect.ownKeys(ctx.state).map(String);
      const run = ctx.path === "/x/jobs" ? authHeader : auth;
      await run(ctx, () =>
        guard(ctx, async () => {
          seen.push({
            apiKey: ctx.state.apiKey,
            principal: ctx.state.principal,
            added: Reflect.ownKeys(ctx.state)
              .map(String)
              .filter((k) => !before.includes(k)),
          });
          ctx.body = { ok: true };
        }),
      );
      await next();
    });
    return listen(http.createServer(app.callback()));
  }
  if (adapter === "fastify") {
    const app = Fastify();
    let baseline: string[] = [];
    app.get("/open", async (req) => {
      baseline = Reflect.ownKeys(req).map(String);
      return { ok: true };
    });
    const record = async (req: import("fastify").FastifyRequest) => {
      seen.push({
        apiKey: req.apiKey,
        principal: req.principal,
        added: Reflect.ownKeys(req)
          .map(String)
          .filter((k) => !baseline.includes(k)),
      });
      return { ok: true };
    };
    app.get("/v1/jobs", { preHandler: [fa.apiKeyAuth(kw), fa.requireScopes("jobs:read")] }, record);
    app.get("/x/jobs", { preHandler: fa.apiKeyAuth(kw, { header: "x-api-key" }) }, record);
    return serveFastify(app);
  }
  if (adapter === "fetch") {
    const auth = fe.apiKeyAuth(kw);
    const authHeader = fe.apiKeyAuth(kw, { header: "x-api-key" });
    const guard = fe.requireScopes("jobs:read");
    return serveFetch(async (request, server) => {
      const path = new URL(request.url).pathname;
      if (path === "/open") return Response.json({ ok: true });
      const result = await (path === "/x/jobs" ? authHeader : auth)(request, server);
      if (!result.ok) return result.response;
      const denied = guard(result, request);
      if (denied) return denied;
      // what the handler can read is the result object: everything in it but `ok` is keyward's
      seen.push({ apiKey: result.apiKey, principal: result.principal, added: Object.keys(result).filter((k) => k !== "ok") });
      return Response.json({ ok: true });
    });
  }
  const app = new Hono();
  const record = (c: import("hono").Context) => {
    seen.push({ apiKey: c.get("apiKey"), principal: c.get("principal"), added: Object.keys(c.var) });
    return c.json({ ok: true });
  };
  app.get("/open", (c) => c.json({ ok: true, vars: Object.keys(c.var) }));
  app.get("/v1/jobs", ho.apiKeyAuth(kw), ho.requireScopes("jobs:read"), record);
  app.get("/x/jobs", ho.apiKeyAuth(kw, { header: "x-api-key" }), record);
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => {
      const s = server as http.Server;
      resolve({
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            s.closeAllConnections();
            s.close(() => done());
          }),
      });
    });
  });
}

/** Every string reachable from `value` — property names (symbols and non-enumerable ones included) and values — with its path. */
function strings(value: unknown, path = "apiKey", seen = new Set<object>()): [string, string][] {
  if (typeof value === "string") return [[path, value]];
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return [];
  if (seen.has(value)) return [];
  seen.add(value);
  const out: [string, string][] = [];
  for (const name of Reflect.ownKeys(value)) {
    const label = typeof name === "symbol" ? `[${String(name.description)}]` : name;
    out.push([`${path} (name)`, label]);
    const descriptor = Object.getOwnPropertyDescriptor(value, name) as PropertyDescriptor;
    const inner = "value" in descriptor ? descriptor.value : descriptor.get?.call(value);
    out.push(...strings(inner, `${path}.${label}`, seen));
  }
  return out;
}

/** The secret-derived strings of one key: the raw key, its 48-character secret and every 16-character window of it, the stored hash and its digest. */
function secretsOf(rawKey: string, storedHash: string): string[] {
  const secret = rawKey.slice(PREFIX.length + 1, -6);
  const digest = storedHash.slice(3);
  const windows = (s: string) => Array.from({ length: s.length - 15 }, (_, i) => s.slice(i, i + 16));
  return [rawKey, secret, storedHash, digest, ...windows(secret), ...windows(digest)];
}

for (const pepper of [undefined, "handler-view-pepper"]) {
  describe(`what route handlers receive (${pepper ? "v2 hash, with a pepper" : "v1 hash, no pepper"})`, () => {
    let world: World;
    beforeAll(async () => {
      world = await createWorld(pepper ? { pepper } : {});
      expect(world.keys.storedHash.startsWith(pepper ? "v2:" : "v1:")).toBe(true);
    });
    afterAll(async () => {
      await world.kw.close();
    });

    describe.each(ADAPTERS)("%s", (adapter: AdapterName) => {
      const seen: Seen[] = [];
      let server: Running;
      beforeAll(async () => {
        server = await startRecording(adapter, world, seen);
        expect((await request(server.port, { path: "/open" })).status).toBe(200);
      });
      afterAll(async () => {
        await server.close();
      });

      it.each([
        ["Authorization: Bearer", "/v1/jobs", "Authorization", "Bearer "],
        ["X-API-Key", "/x/jobs", "X-API-Key", ""],
      ])(
        "via %s: the key object holds the public fields only, and no key, secret or hash anywhere in it",
        async (_n, path, header, scheme) => {
          seen.length = 0;
          const res = await request(server.port, { path, headers: [[header, `${scheme}${world.keys.valid}`]] });
          expect(res.status).toBe(200);
          expect(seen).toHaveLength(1);
          const { apiKey, principal, added } = seen[0] as Seen;

          // keyward put exactly two things where the handler can read them: the key object and the principal
          // (keyward/fetch hands the handler a result that also repeats the principal's scopes, and the
          // response headers to copy: none here, the key has no rate limit)
          expect([...added].sort()).toEqual(
            adapter === "fetch" ? ["apiKey", "headers", "principal", "scopes"] : ["apiKey", "principal"],
          );
          expect(apiKey).toBeTypeOf("object");
          expect(Object.getPrototypeOf(apiKey)).toBe(Object.prototype);
          expect(
            Reflect.ownKeys(apiKey as object)
              .map(String)
              .sort(),
          ).toEqual(API_KEY_FIELDS);
          expect(apiKey).toMatchObject({
            id: world.records.valid?.id,
            owner: "org_a",
            keyPrefix: world.records.valid?.keyPrefix,
          });
          expect(typeof (apiKey as { toJSON?: unknown }).toJSON).toBe("undefined");

          // the principal: the same key object and its effective scopes (the viewer role's), nothing else of its own
          expect(
            Reflect.ownKeys(principal as object)
              .map(String)
              .sort(),
          ).toEqual(["apiKey", "scopes"]);
          expect((principal as { apiKey: unknown }).apiKey).toBe(apiKey);
          expect((principal as { scopes: unknown }).scopes).toEqual(["jobs:read"]);

          const secrets = secretsOf(world.keys.valid, world.keys.storedHash);
          for (const [name, value] of [
            ["apiKey", apiKey],
            ["principal", principal],
          ] as const) {
            const found = strings(value, name).filter(([, s]) => secrets.some((secret) => s.includes(secret)));
            expect(found.map(([where]) => where)).toEqual([]);
            const shown = inspect(value, { showHidden: true, depth: null, getters: true });
            expect(
              secrets.filter((s) => shown.includes(s)),
              name,
            ).toHaveLength(0);
          }
          for (const name of ["hash", "key", "rawKey", "secret", "token"])
            expect(Object.hasOwn(apiKey as object, name)).toBe(false);
        },
      );

      it("the check itself finds a secret when one is there", () => {
        const planted = { ...(seen[0]?.apiKey as ApiKey), metadata: { note: `x${world.keys.storedHash.slice(3, 30)}` } };
        const secrets = secretsOf(world.keys.valid, world.keys.storedHash);
        expect(strings(planted).some(([, s]) => secrets.some((secret) => s.includes(secret)))).toBe(true);
        const hidden = Object.defineProperty({}, Symbol("k"), { value: world.keys.valid, enumerable: false });
        expect(strings(hidden).some(([, s]) => s === world.keys.valid)).toBe(true);
      });
    });
  });
}
