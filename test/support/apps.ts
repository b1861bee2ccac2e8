/**
 * The same application built with each adapter: protected routes and the
 * management API, so one contract runs against all three over real HTTP.
 *
 * - GET  /v1/jobs        apiKeyAuth + requireScopes("jobs:read")
 * - POST /v1/jobs        apiKeyAuth + requireScopes("jobs:write")
 * - GET  /x/jobs         apiKeyAuth({ header: "x-api-key" }) + requireScopes("jobs:read")
 * - GET  /realm/jobs     apiKeyAuth({ realm: "partners" }) + requireScopes("jobs:write")
 * - GET  /scoped/jobs    apiKeyAuth({ scopes: ["jobs:write"] })
 * - GET  /proxied/jobs   apiKeyAuth({ trustProxy: 1 }) + requireScopes("jobs:read")
 * - /settings/api-keys   apiKeyRoutes, actor from the test session header; serves its OpenAPI document
 * - /integrations/api-keys  apiKeyRoutes, actor = keyActor(keyward)
 * - /mutable/api-keys    apiKeyRoutes on a second keyward with mutableScopes (when given)
 */
import http from "node:http";
import { serve } from "@hono/node-server";
import express from "express";
import Fastify, { type FastifyInstance } from "fastify";
import { Hono } from "hono";
import type { ApiKey, Keyward } from "keyward";
import { keyActor } from "keyward";
import * as ex from "keyward/express";
import * as fa from "keyward/fastify";
import * as fe from "keyward/fetch";
import * as ho from "keyward/hono";
import * as ko from "keyward/koa";
import { type OpenApiObject, openApiDocument, type ProtectedRoute } from "keyward/openapi";
import Koa, { type Middleware } from "koa";
import { listen, PREFIX, type ResponseCheck, testActor } from "./http.js";
import { OpenApiChecker } from "./openapi-check.js";

export type AdapterName = "express" | "hono" | "koa" | "fastify" | "fetch";
export const ADAPTERS: readonly AdapterName[] = ["express", "hono", "koa", "fastify", "fetch"];

export interface AppOptions {
  kw: Keyward;
  /** A second instance with `mutableScopes: true`, mounted at /mutable/api-keys. */
  mutable?: Keyward;
  /** Run a body parser before the management routes (it consumes the body). */
  bodyParser?: boolean;
  maxBodyBytes?: number;
}

export interface Running {
  port: number;
  close(): Promise<void>;
}

/** The protected routes answer with what the handler was given, to prove it holds no secret. */
const ok = (apiKey: ApiKey | undefined) => ({ ok: true, keyId: apiKey?.id ?? null, apiKey: apiKey ?? null });

export function expressApp(o: AppOptions): express.Express {
  const { kw } = o;
  const app = express();
  if (o.bodyParser) app.use(express.json());
  app.get("/v1/jobs", ex.apiKeyAuth(kw), ex.requireScopes("jobs:read"), (req, res) => {
    res.json(ok(req.apiKey));
  });
  app.post("/v1/jobs", ex.apiKeyAuth(kw), ex.requireScopes("jobs:write"), (req, res) => {
    res.status(201).json(ok(req.apiKey));
  });
  app.get("/x/jobs", ex.apiKeyAuth(kw, { header: "x-api-key" }), ex.requireScopes("jobs:read"), (req, res) => {
    res.json(ok(req.apiKey));
  });
  app.get("/realm/jobs", ex.apiKeyAuth(kw, { realm: "partners" }), ex.requireScopes("jobs:write"), (req, res) => {
    res.json(ok(req.apiKey));
  });
  app.get("/scoped/jobs", ex.apiKeyAuth(kw, { scopes: ["jobs:write"] }), (req, res) => {
    res.json(ok(req.apiKey));
  });
  app.get("/proxied/jobs", ex.apiKeyAuth(kw, { trustProxy: 1 }), ex.requireScopes("jobs:read"), (req, res) => {
    res.json(ok(req.apiKey));
  });
  const limit = o.maxBodyBytes === undefined ? {} : { maxBodyBytes: o.maxBodyBytes };
  app.use("/settings/api-keys", ex.apiKeyRoutes(kw, { actor: testActor, openApi: settingsDocument(), ...limit }));
  app.use("/integrations/api-keys", ex.apiKeyRoutes(kw, { actor: keyActor(kw) }));
  if (o.mutable) app.use("/mutable/api-keys", ex.apiKeyRoutes(o.mutable, { actor: testActor }));
  return app;
}

export function honoApp(o: AppOptions): Hono {
  const { kw } = o;
  const app = new Hono();
  if (o.bodyParser) {
    app.use("*", async (c, next) => {
      if (c.req.method !== "GET") await c.req.json().catch(() => undefined);
      await next();
    });
  }
  app.get("/v1/jobs", ho.apiKeyAuth(kw), ho.requireScopes("jobs:read"), (c) => c.json(ok(c.get("apiKey"))));
  app.post("/v1/jobs", ho.apiKeyAuth(kw), ho.requireScopes("jobs:write"), (c) => c.json(ok(c.get("apiKey")), 201));
  app.get("/x/jobs", ho.apiKeyAuth(kw, { header: "x-api-key" }), ho.requireScopes("jobs:read"), (c) =>
    c.json(ok(c.get("apiKey"))),
  );
  app.get("/realm/jobs", ho.apiKeyAuth(kw, { realm: "partners" }), ho.requireScopes("jobs:write"), (c) =>
    c.json(ok(c.get("apiKey"))),
  );
  app.get("/scoped/jobs", ho.apiKeyAuth(kw, { scopes: ["jobs:write"] }), (c) => c.json(ok(c.get("apiKey"))));
  app.get("/proxied/jobs", ho.apiKeyAuth(kw, { trustProxy: 1 }), ho.requireScopes("jobs:read"), (c) =>
    c.json(ok(c.get("apiKey"))),
  );
  const limit = o.maxBodyBytes === undefined ? {} : { maxBodyBytes: o.maxBodyBytes };
  app.route("/settings/api-keys", ho.apiKeyRoutes(kw, { actor: testActor, openApi: settingsDocument(), ...limit }));
  app.route("/integrations/api-keys", ho.apiKeyRoutes(kw, { actor: keyActor(kw) }));
  if (o.mutable) app.route("/mutable/api-keys", ho.apiKeyRoutes(o.mutable, { actor: testActor }));
  return app;
}

/** A minimal Koa router: runs `chain` for one method and path, passes everything else on. */
function route(method: string, path: string, ...chain: Middleware[]): Middleware {
  const run = (i: number, ctx: Koa.Context): Promise<unknown> =>
    i < chain.length ? Promise.resolve((chain[i] as Middleware)(ctx as never, () => run(i + 1, ctx))) : Promise.resolve();
  return (ctx, next) => (ctx.method === method && ctx.path === path ? run(0, ctx as Koa.Context) : next());
}

export function koaApp(o: AppOptions): Koa {
  const { kw } = o;
  const app = new Koa();
  if (o.bodyParser) {
    app.use(async (ctx, next) => {
      if (ctx.method !== "GET") {
        const chunks: Buffer[] = [];
        for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
        const text = Buffer.concat(chunks).toString("utf8");
        try {
          (ctx.request as { body?: unknown }).body = text ? JSON.parse(text) : {};
        } catch {
          (ctx.request as { body?: unknown }).body = text;
        }
      }
      await next();
    });
  }
  const send = (status: number) => (ctx: Koa.Context) => {
    ctx.status = status;
    ctx.body = ok(ctx.state.apiKey);
  };
  app.use(route("GET", "/v1/jobs", ko.apiKeyAuth(kw), ko.requireScopes("jobs:read"), send(200)));
  app.use(route("POST", "/v1/jobs", ko.apiKeyAuth(kw), ko.requireScopes("jobs:write"), send(201)));
  app.use(route("GET", "/x/jobs", ko.apiKeyAuth(kw, { header: "x-api-key" }), ko.requireScopes("jobs:read"), send(200)));
  app.use(route("GET", "/realm/jobs", ko.apiKeyAuth(kw, { realm: "partners" }), ko.requireScopes("jobs:write"), send(200)));
  app.use(route("GET", "/scoped/jobs", ko.apiKeyAuth(kw, { scopes: ["jobs:write"] }), send(200)));
  app.use(route("GET", "/proxied/jobs", ko.apiKeyAuth(kw, { trustProxy: 1 }), ko.requireScopes("jobs:read"), send(200)));
  const limit = o.maxBodyBytes === undefined ? {} : { maxBodyBytes: o.maxBodyBytes };
  app.use(ko.apiKeyRoutes(kw, { actor: testActor, prefix: "/settings/api-keys", openApi: settingsDocument(), ...limit }));
  app.use(ko.apiKeyRoutes(kw, { actor: keyActor(kw), prefix: "/integrations/api-keys" }));
  if (o.mutable) app.use(ko.apiKeyRoutes(o.mutable, { actor: testActor, prefix: "/mutable/api-keys" }));
  return app;
}

export async function fastifyApp(o: AppOptions): Promise<FastifyInstance> {
  const { kw } = o;
  const app = Fastify();
  // Fastify parses JSON bodies itself (`bodyParser` changes nothing): the management plugin replaces the parsers inside it.
  // The hooks work as `preHandler` and as `onRequest` (before Fastify reads the body: a bodyless POST sent chunked
  // would otherwise get Fastify's own 415 first).
  // the app takes any body as text on its own routes (a bodyless POST sent chunked has no content type)
  app.addContentTypeParser("*", { parseAs: "string" }, (_req, body, done) => done(null, body));
  app.get("/v1/jobs", { preHandler: [fa.apiKeyAuth(kw), fa.requireScopes("jobs:read")] }, async (req) => ok(req.apiKey));
  app.post("/v1/jobs", { onRequest: [fa.apiKeyAuth(kw), fa.requireScopes("jobs:write")] }, async (req, reply) =>
    reply.code(201).send(ok(req.apiKey)),
  );
  app.get("/x/jobs", { preHandler: [fa.apiKeyAuth(kw, { header: "x-api-key" }), fa.requireScopes("jobs:read")] }, async (req) =>
    ok(req.apiKey),
  );
  app.get(
    "/realm/jobs",
    { preHandler: [fa.apiKeyAuth(kw, { realm: "partners" }), fa.requireScopes("jobs:write")] },
    async (req) => ok(req.apiKey),
  );
  app.get("/scoped/jobs", { preHandler: fa.apiKeyAuth(kw, { scopes: ["jobs:write"] }) }, async (req) => ok(req.apiKey));
  app.get("/proxied/jobs", { preHandler: [fa.apiKeyAuth(kw, { trustProxy: 1 }), fa.requireScopes("jobs:read")] }, async (req) =>
    ok(req.apiKey),
  );
  const limit = o.maxBodyBytes === undefined ? {} : { maxBodyBytes: o.maxBodyBytes };
  await app.register(fa.apiKeyRoutes(kw, { actor: testActor, openApi: settingsDocument(), ...limit }), {
    prefix: "/settings/api-keys",
  });
  await app.register(fa.apiKeyRoutes(kw, { actor: keyActor(kw) }), { prefix: "/integrations/api-keys" });
  if (o.mutable) await app.register(fa.apiKeyRoutes(o.mutable, { actor: testActor }), { prefix: "/mutable/api-keys" });
  return app;
}

/** Serves a Fastify app on 127.0.0.1, port 0. */
export async function serveFastify(app: FastifyInstance): Promise<Running> {
  await app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = app.server.address() as import("node:net").AddressInfo;
  return {
    port,
    close: async () => {
      app.server.closeAllConnections();
      await app.close();
    },
  };
}

type FetchHandler = fe.FetchHandler;

export function fetchApp(o: AppOptions): FetchHandler {
  const { kw } = o;
  const reply = (auth: fe.AuthResult, status = 200) =>
    Response.json(ok(auth.ok ? auth.apiKey : undefined), { status, headers: auth.ok ? auth.headers : {} });
  const guarded =
    (authenticate: fe.Authenticate, check: fe.ScopeCheck | null, status = 200): FetchHandler =>
    async (request, server) => {
      const auth = await authenticate(request, server);
      if (!auth.ok) return auth.response;
      return check?.(auth, request) ?? reply(auth, status);
    };
  const routes: Record<string, FetchHandler> = {
    "GET /v1/jobs": guarded(fe.apiKeyAuth(kw), fe.requireScopes("jobs:read")),
    "POST /v1/jobs": guarded(fe.apiKeyAuth(kw), fe.requireScopes("jobs:write"), 201),
    "GET /x/jobs": guarded(fe.apiKeyAuth(kw, { header: "x-api-key" }), fe.requireScopes("jobs:read")),
    "GET /realm/jobs": guarded(fe.apiKeyAuth(kw, { realm: "partners" }), fe.requireScopes("jobs:write")),
    "GET /scoped/jobs": guarded(fe.apiKeyAuth(kw, { scopes: ["jobs:write"] }), null),
    "GET /proxied/jobs": guarded(fe.apiKeyAuth(kw, { trustProxy: 1 }), fe.requireScopes("jobs:read")),
  };
  const limit = o.maxBodyBytes === undefined ? {} : { maxBodyBytes: o.maxBodyBytes };
  const mounts: [string, FetchHandler][] = [
    [
      "/settings/api-keys",
      fe.apiKeyRoutes(kw, { actor: testActor, prefix: "/settings/api-keys", openApi: settingsDocument(), ...limit }),
    ],
    ["/integrations/api-keys", fe.apiKeyRoutes(kw, { actor: keyActor(kw), prefix: "/integrations/api-keys" })],
  ];
  if (o.mutable)
    mounts.push(["/mutable/api-keys", fe.apiKeyRoutes(o.mutable, { actor: testActor, prefix: "/mutable/api-keys" })]);
  return async (request, server) => {
    // a body read first, through a clone (as a Fetch app reads it and leaves it readable)
    if (o.bodyParser && request.method !== "GET")
      await request
        .clone()
        .json()
        .catch(() => undefined);
    const path = new URL(request.url).pathname;
    const route = routes[`${request.method} ${path}`];
    if (route) return route(request, server);
    const mount = mounts.find(([prefix]) => path === prefix || path.startsWith(`${prefix}/`));
    if (mount) return mount[1](request, server);
    return new Response("Not found", { status: 404 });
  };
}

/** Serves a Fetch handler on 127.0.0.1, port 0, through @hono/node-server. */
export function serveFetch(fetch: (request: Request, server: unknown) => Response | Promise<Response>): Promise<Running> {
  return new Promise((resolve) => {
    const server = serve({ fetch, port: 0, hostname: "127.0.0.1" }, (info) => {
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

/** Starts the app of `adapter` on 127.0.0.1, port 0. */
export async function start(adapter: AdapterName, o: AppOptions): Promise<Running> {
  if (adapter === "express") return listen(http.createServer(expressApp(o)));
  if (adapter === "koa") return listen(http.createServer(koaApp(o).callback()));
  if (adapter === "fastify") return serveFastify(await fastifyApp(o));
  if (adapter === "fetch") return serveFetch(fetchApp(o));
  return serveFetch(honoApp(o).fetch);
}

/** What the protected routes answer: `ok(apiKey)`, the key being an `ApiKey` record. */
const OK_BODY: OpenApiObject = {
  content: {
    "application/json": {
      schema: {
        type: "object",
        required: ["ok", "keyId", "apiKey"],
        properties: { ok: { const: true }, keyId: { type: "string" }, apiKey: { $ref: "#/components/schemas/ApiKey" } },
        additionalProperties: false,
      },
    },
  },
};
const PROTECTED: ProtectedRoute[] = [
  { method: "get", path: "/v1/jobs", scopes: ["jobs:read"], responses: { "200": { description: "Jobs", ...OK_BODY } } },
  { method: "post", path: "/v1/jobs", scopes: ["jobs:write"], responses: { "201": { description: "Created", ...OK_BODY } } },
  {
    method: "get",
    path: "/x/jobs",
    scopes: ["jobs:read"],
    header: true,
    responses: { "200": { description: "Jobs", ...OK_BODY } },
  },
  { method: "get", path: "/realm/jobs", scopes: ["jobs:write"], responses: { "200": { description: "Jobs", ...OK_BODY } } },
  { method: "get", path: "/scoped/jobs", scopes: ["jobs:write"], responses: { "200": { description: "Jobs", ...OK_BODY } } },
  { method: "get", path: "/proxied/jobs", scopes: ["jobs:read"], responses: { "200": { description: "Jobs", ...OK_BODY } } },
];

/** The OpenAPI documents of the apps above (`keyward/openapi`), one per management mount point. */
const SESSION = { type: "apiKey", in: "header", name: "x-test-user", description: "The test session" } as const;

/** The document of the /settings/api-keys mount, which serves it at /settings/api-keys/openapi.json. */
export function settingsDocument() {
  return openApiDocument({
    prefix: "/settings/api-keys",
    keyPrefix: PREFIX,
    managementSecurity: SESSION,
    apiKeyHeader: "x-api-key",
    protectedRoutes: PROTECTED,
    servesDocument: true,
  });
}

export function appDocuments() {
  const session = SESSION;
  return [
    settingsDocument(),
    openApiDocument({ prefix: "/integrations/api-keys", keyPrefix: PREFIX }),
    openApiDocument({ prefix: "/mutable/api-keys", keyPrefix: PREFIX, managementSecurity: session }),
  ];
}

/** Checks every answer of the apps against {@link appDocuments} (pass it to `request`). */
export function documentedResponses(): ResponseCheck {
  const checker = new OpenApiChecker(appDocuments());
  return (req, res) => checker.check(req, res);
}
