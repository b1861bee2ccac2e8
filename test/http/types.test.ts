/**
 * Type tests (checked by `tsc --noEmit`; the runtime part only builds the
 * apps): what each adapter puts on the request is typed.
 */
import express from "express";
import Fastify from "fastify";
import { Hono } from "hono";
import type { ActorContext, ApiKey } from "keyward";
import { createKeyward, keyActor } from "keyward";
import * as ex from "keyward/express";
import * as fa from "keyward/fastify";
import * as fe from "keyward/fetch";
import * as ho from "keyward/hono";
import type { Principal } from "keyward/http";
import * as ko from "keyward/koa";
import { memoryStore } from "keyward/memory";
import Koa from "koa";
import { describe, expectTypeOf, it } from "vitest";

const keyward = createKeyward({ store: memoryStore(), prefix: "cho" });

describe("types", () => {
  it("Express: req.apiKey is ApiKey | undefined", () => {
    const app = express();
    app.get("/", ex.apiKeyAuth(keyward), ex.requireScopes("jobs:read"), (req, res) => {
      expectTypeOf(req.apiKey).toEqualTypeOf<ApiKey | undefined>();
      res.json({ id: req.apiKey?.id });
    });
    expectTypeOf(ex.apiKeyRoutes(keyward, { actor: keyActor(keyward) })).toEqualTypeOf<express.Router>();
    app.use("/keys", ex.apiKeyRoutes(keyward, { actor: (req) => (req.get("x-user") ? { id: "u", owner: "o" } : null) }));
    // type errors only: never called
    expectTypeOf(() => {
      // @ts-expect-error actor is required
      ex.apiKeyRoutes(keyward, {});
      // @ts-expect-error scopes are strings
      ex.requireScopes(1);
    }).toBeFunction();
  });

  it("Hono: c.get('apiKey') is ApiKey, with or without KeywardVariables", () => {
    const app = new Hono();
    app.get("/", ho.apiKeyAuth(keyward), ho.requireScopes("jobs:read"), (c) => {
      expectTypeOf(c.get("apiKey")).toEqualTypeOf<ApiKey>();
      return c.json({ id: c.get("apiKey").id });
    });
    const typed = new Hono<{ Variables: ho.KeywardVariables }>();
    typed.use("/v1/*", ho.apiKeyAuth(keyward, { header: "x-api-key" }));
    typed.get("/v1/jobs", (c) => {
      expectTypeOf(c.var.apiKey).toEqualTypeOf<ApiKey>();
      return c.text(c.var.apiKey.owner);
    });
    const withBindings = new Hono<{ Bindings: { DB: string } }>();
    withBindings.use("*", ho.apiKeyAuth(keyward));
    app.route("/settings/api-keys", ho.apiKeyRoutes(keyward, { actor: keyActor(keyward) }));
    app.route("/other", ho.apiKeyRoutes(keyward, { actor: (c) => (c.req.header("x-user") ? { id: "u", owner: "o" } : null) }));
    expectTypeOf(ho.apiKeyRoutes(keyward, { actor: () => null })).toEqualTypeOf<Hono>();
  });

  it("Koa: ctx.state.apiKey is ApiKey | undefined", () => {
    const app = new Koa();
    app.use(ko.apiKeyAuth(keyward));
    app.use(ko.requireScopes("jobs:read"));
    app.use((ctx) => {
      expectTypeOf(ctx.state.apiKey).toEqualTypeOf<ApiKey | undefined>();
      ctx.body = { id: ctx.state.apiKey?.id };
    });
    const typed = new Koa<ko.KeywardState>();
    typed.use(ko.apiKeyAuth(keyward));
    typed.use((ctx) => {
      expectTypeOf(ctx.state.apiKey).toEqualTypeOf<ApiKey | undefined>();
    });
    app.use(ko.apiKeyRoutes(keyward, { actor: keyActor(keyward), prefix: "/settings/api-keys" }));
    app.use(ko.apiKeyRoutes(keyward, { actor: (ctx) => (ctx.get("x-user") ? { id: "u", owner: "o" } : null) }));
    expectTypeOf(() => {
      // @ts-expect-error prefix is a string
      ko.apiKeyRoutes(keyward, { actor: () => null, prefix: 1 });
    }).toBeFunction();
  });

  it("Fastify: request.apiKey and request.principal are typed; apiKeyRoutes is a plugin for register", async () => {
    const app = Fastify();
    app.get("/", { preHandler: [fa.apiKeyAuth(keyward), fa.requireScopes("jobs:read")] }, async (request) => {
      expectTypeOf(request.apiKey).toEqualTypeOf<ApiKey | undefined>();
      expectTypeOf(request.principal).toEqualTypeOf<Principal | undefined>();
      return { id: request.apiKey?.id };
    });
    app.addHook("onRequest", fa.apiKeyAuth(keyward, { header: "x-api-key" }));
    await app.register(fa.apiKeyRoutes(keyward, { actor: keyActor(keyward) }), { prefix: "/settings/api-keys" });
    await app.register(
      fa.apiKeyRoutes(keyward, { actor: (request) => (request.headers["x-user"] ? { id: "u", owner: "o" } : null) }),
      {
        prefix: "/other",
      },
    );
    await app.close();
    expectTypeOf(() => {
      // @ts-expect-error actor is required
      fa.apiKeyRoutes(keyward, {});
    }).toBeFunction();
  });

  it("Fetch: the result narrows on ok; apiKeyRoutes is a Request → Response handler", async () => {
    const authenticate = fe.apiKeyAuth(keyward);
    const auth = await authenticate(new Request("http://localhost/"));
    if (auth.ok) {
      expectTypeOf(auth.apiKey).toEqualTypeOf<ApiKey>();
      expectTypeOf(auth.principal).toEqualTypeOf<Principal>();
    } else {
      expectTypeOf(auth.response).toEqualTypeOf<Response>();
    }
    expectTypeOf(fe.requireScopes("jobs:read")(auth, new Request("http://localhost/"))).toEqualTypeOf<Response | null>();
    const handler = fe.apiKeyRoutes(keyward, {
      actor: (request) => (request.headers.get("x-user") ? { id: "u", owner: "o" } : null),
    });
    expectTypeOf(handler).parameter(0).toEqualTypeOf<Request>();
    expectTypeOf(handler).returns.toEqualTypeOf<Promise<Response>>();
  });

  it("the principal is typed beside the key on every adapter", () => {
    express().get("/", ex.apiKeyAuth(keyward), (req, res) => {
      expectTypeOf(req.principal).toEqualTypeOf<Principal | undefined>();
      expectTypeOf(req.principal?.has("jobs:read")).toEqualTypeOf<boolean | undefined>();
      res.json({ scopes: req.principal?.scopes });
    });
    new Hono().get("/", ho.apiKeyAuth(keyward), (c) => {
      expectTypeOf(c.get("principal")).toEqualTypeOf<Principal>();
      expectTypeOf(c.var.principal.scopes).toEqualTypeOf<readonly string[]>();
      return c.json({ scopes: c.var.principal.scopes });
    });
    new Koa<ko.KeywardState>().use((ctx) => {
      expectTypeOf(ctx.state.principal).toEqualTypeOf<Principal | undefined>();
    });
  });

  it("actor resolvers receive the header reader; header: true still compiles (deprecated)", () => {
    ex.apiKeyRoutes(keyward, {
      actor: (req, context) => {
        expectTypeOf(context).toEqualTypeOf<ActorContext>();
        expectTypeOf(context.header("authorization")).toEqualTypeOf<readonly string[]>();
        return keyActor(keyward)(req, context);
      },
    });
    ex.apiKeyAuth(keyward, { header: true });
    ho.apiKeyAuth(keyward, { header: "x-api-key", retryAfterSeconds: 10 });
    expectTypeOf(() => {
      // @ts-expect-error keyActor's resolver needs the context
      keyActor(keyward)({});
    }).toBeFunction();
  });
});
