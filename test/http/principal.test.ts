/**
 * The request principal `apiKeyAuth` stores beside the key — `req.principal`
 * (Express), `c.get("principal")` (Hono), `ctx.state.principal` (Koa):
 * handlers see the key's effective scopes (its own ∪ its role's) there, and
 * `requireScopes` decides on it alone. Only the authenticator makes one: a
 * handler that copies or replaces `apiKey`, or forges or copies a principal,
 * gets a 401 from `requireScopes`, never a pass.
 */
import http from "node:http";
import { serve } from "@hono/node-server";
import express from "express";
import Fastify from "fastify";
import { Hono } from "hono";
import type { ApiKey, Keyward } from "keyward";
import { createKeyward } from "keyward";
import * as ex from "keyward/express";
import * as fa from "keyward/fastify";
import * as fe from "keyward/fetch";
import * as ho from "keyward/hono";
import type { Principal } from "keyward/http";
import * as ko from "keyward/koa";
import { memoryStore } from "keyward/memory";
import Koa from "koa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADAPTERS, type AdapterName, type Running, serveFastify, serveFetch } from "../support/apps.js";
import { listen, request } from "../support/http.js";

const ROLES = { viewer: ["jobs:read"], owner: ["*"] };

/** What the request state holds after tampering: how a handler between `apiKeyAuth` and `requireScopes` changed it. */
type State = { apiKey?: ApiKey | undefined; principal?: Principal | undefined };
type Tamper = (state: State, other: ApiKey) => void;

const TAMPERS: Record<string, Tamper> = {
  // a copy of the key, even one that claims every scope
  "copied apiKey": (s) => {
    s.apiKey = { ...(s.apiKey as ApiKey) };
  },
  "copied apiKey claiming *": (s) => {
    s.apiKey = { ...(s.apiKey as ApiKey), scopes: ["*"] };
  },
  "another key in apiKey": (s, other) => {
    s.apiKey = other;
  },
  "a principal-shaped object": (s) => {
    s.principal = { apiKey: s.apiKey as ApiKey, scopes: Object.freeze(["*"]), has: () => true };
  },
  "a spread copy of the principal": (s) => {
    s.principal = { ...(s.principal as Principal) } as Principal;
  },
  "a copy with the principal's prototype": (s) => {
    const p = s.principal as Principal;
    s.principal = Object.create(Object.getPrototypeOf(p), Object.getOwnPropertyDescriptors(p)) as Principal;
  },
  "no principal": (s) => {
    s.principal = undefined;
  },
};

/** `/me` shows the principal; `/read` and `/write` are behind requireScopes; `/t/<n>/read` runs the n-th tamper first. */
function build(adapter: AdapterName, kw: Keyward, other: ApiKey): Promise<Running> {
  const show = (apiKey: ApiKey | undefined, p: Principal | undefined) => ({
    own: apiKey?.scopes,
    scopes: p?.scopes,
    sameKey: p?.apiKey === apiKey,
    frozen: Object.isFrozen(p) && Object.isFrozen(p?.scopes),
    has: {
      read: p?.has("jobs:read"),
      readAndReports: p?.has("jobs:read", "reports:read"),
      write: p?.has("jobs:write"),
      jobsWildcard: p?.has("jobs:*"),
      nothing: p?.has(),
      malformed: p?.has("__proto__", " jobs:read"),
    },
  });
  const names = Object.keys(TAMPERS);
  if (adapter === "express") {
    const app = express();
    app.get("/me", ex.apiKeyAuth(kw), (req, res) => {
      res.json(show(req.apiKey, req.principal));
    });
    app.get("/read", ex.apiKeyAuth(kw), ex.requireScopes("jobs:read"), (_req, res) => res.json({ ok: true }));
    app.get("/write", ex.apiKeyAuth(kw), ex.requireScopes("jobs:write"), (_req, res) => res.json({ ok: true }));
    for (const name of names) {
      const tamper: express.RequestHandler = (req, _res, next) => {
        (TAMPERS[name] as Tamper)(req, other);
        next();
      };
      app.get(`/t/${names.indexOf(name)}/read`, ex.apiKeyAuth(kw), tamper, ex.requireScopes("jobs:read"), (_q, r) =>
        r.json({ ok: true }),
      );
    }
    return listen(http.createServer(app));
  }
  if (adapter === "koa") {
    const app = new Koa();
    const auth = ko.apiKeyAuth(kw);
    const read = ko.requireScopes("jobs:read");
    const write = ko.requireScopes("jobs:write");
    app.use(async (ctx) => {
      const path = ctx.path;
      const ok = async () => {
        ctx.body = { ok: true };
      };
      if (path === "/me") {
        await auth(ctx, async () => {
          ctx.body = show(ctx.state.apiKey, ctx.state.principal);
        });
      } else if (path === "/read") await auth(ctx, () => read(ctx, ok));
      else if (path === "/write") await auth(ctx, () => write(ctx, ok));
      else {
        const name = names[Number(/^\/t\/(\d+)\/read$/.exec(path)?.[1])] ?? "";
        await auth(ctx, async () => {
          (TAMPERS[name] as Tamper)(ctx.state, other);
          await read(ctx, ok);
        });
      }
    });
    return listen(http.createServer(app.callback()));
  }
  if (adapter === "fastify") {
    const app = Fastify();
    const auth = fa.apiKeyAuth(kw);
    app.get("/me", { preHandler: auth }, async (req) => show(req.apiKey, req.principal));
    app.get("/read", { preHandler: [auth, fa.requireScopes("jobs:read")] }, async () => ({ ok: true }));
    app.get("/write", { preHandler: [auth, fa.requireScopes("jobs:write")] }, async () => ({ ok: true }));
    for (const name of names) {
      const tamper = async (req: import("fastify").FastifyRequest) => {
        (TAMPERS[name] as Tamper)(req, other);
      };
      app.get(`/t/${names.indexOf(name)}/read`, { preHandler: [auth, tamper, fa.requireScopes("jobs:read")] }, async () => ({
        ok: true,
      }));
    }
    return serveFastify(app);
  }
  if (adapter === "fetch") {
    const auth = fe.apiKeyAuth(kw);
    const read = fe.requireScopes("jobs:read");
    const write = fe.requireScopes("jobs:write");
    return serveFetch(async (request, server) => {
      const path = new URL(request.url).pathname;
      const result = await auth(request, server);
      if (!result.ok) return result.response;
      if (path === "/me") return Response.json(show(result.apiKey, result.principal));
      if (path === "/read" || path === "/write")
        return (path === "/read" ? read : write)(result, request) ?? Response.json({ ok: true });
      const name = names[Number(/^\/t\/(\d+)\/read$/.exec(path)?.[1])] ?? "";
      const state: State = { apiKey: result.apiKey, principal: result.principal };
      (TAMPERS[name] as Tamper)(state, other);
      const tampered = { ...result, apiKey: state.apiKey as ApiKey, principal: state.principal as Principal };
      return read(tampered, request) ?? Response.json({ ok: true });
    });
  }
  const app = new Hono();
  app.get("/me", ho.apiKeyAuth(kw), (c) => c.json(show(c.get("apiKey"), c.get("principal"))));
  app.get("/read", ho.apiKeyAuth(kw), ho.requireScopes("jobs:read"), (c) => c.json({ ok: true }));
  app.get("/write", ho.apiKeyAuth(kw), ho.requireScopes("jobs:write"), (c) => c.json({ ok: true }));
  for (const name of names) {
    app.get(
      `/t/${names.indexOf(name)}/read`,
      ho.apiKeyAuth(kw),
      async (c, next) => {
        const state: State = { apiKey: c.get("apiKey"), principal: c.get("principal") };
        (TAMPERS[name] as Tamper)(state, other);
        c.set("apiKey", state.apiKey as ApiKey);
        c.set("principal", state.principal as Principal);
        await next();
      },
      ho.requireScopes("jobs:read"),
      (c) => c.json({ ok: true }),
    );
  }
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

let kw: Keyward;
let key: string;
let other: ApiKey;
beforeAll(async () => {
  kw = createKeyward({ store: memoryStore(), prefix: "cho", roles: ROLES });
  key = (await kw.create({ owner: "org_a", label: "viewer with reports", role: "viewer", scopes: ["reports:read"] })).key;
  other = (await kw.create({ owner: "org_b", label: "another tenant's owner key", role: "owner" })).apiKey;
});
afterAll(() => kw.close());

describe.each(ADAPTERS)("the request principal on %s", (adapter: AdapterName) => {
  let server: Running;
  const get = (path: string) => request(server.port, { path, headers: [["authorization", `Bearer ${key}`]] });
  beforeAll(async () => {
    server = await build(adapter, kw, other);
  });
  afterAll(() => server.close());

  it("holds the key's effective scopes — its own and its role's — while apiKey.scopes holds its own only", async () => {
    const res = await get("/me");
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      own: ["reports:read"],
      scopes: ["reports:read", "jobs:read"],
      sameKey: true,
      frozen: true,
      has: { read: true, readAndReports: true, write: false, jobsWildcard: false, nothing: true, malformed: false },
    });
  });

  it("is what requireScopes decides on: a role scope passes, a scope the key lacks is a 403", async () => {
    expect((await get("/read")).status).toBe(200);
    const denied = await get("/write");
    expect(denied.status).toBe(403);
    expect(denied.headers["www-authenticate"]).toBe('Bearer realm="api", error="insufficient_scope", scope="jobs:write"');
  });

  it.each(Object.keys(TAMPERS))("%s between apiKeyAuth and requireScopes: 401, never a pass", async (name) => {
    const res = await get(`/t/${Object.keys(TAMPERS).indexOf(name)}/read`);
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toBe('Bearer realm="api"');
    expect(res.json).toMatchObject({ status: 401, error: "UNAUTHORIZED", message: "Invalid or missing API key" });
  });
});

describe("making a principal", () => {
  it("is the authenticator's alone: its constructor refuses any caller", async () => {
    const app = new Hono();
    let seen: Principal | undefined;
    app.get("/", ho.apiKeyAuth(kw), (c) => {
      seen = c.get("principal");
      return c.json({ ok: true });
    });
    expect((await app.request("/", { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
    const Made = (seen as object).constructor as new (...args: unknown[]) => unknown;
    expect(() => new Made(Symbol("keyward.principal"), other, ["*"], { realm: "api", retryAfterSeconds: 5 })).toThrow(TypeError);
    expect(() => {
      (seen as { scopes: unknown }).scopes = ["*"];
    }).toThrow(TypeError); // frozen
  });
});
