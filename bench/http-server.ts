/**
 * One benchmark server: `tsx bench/http-server.ts <express|hono|koa|fastify> <none|minimal|fields|keyward|limited> <port>`.
 * Prints the bearer key to use on its first stdout line, then "ready". `limited` is
 * `keyward` with a key that has a rate limit (never reached), so every request also
 * counts against it and answers with the RateLimit fields. `fields` is `minimal`
 * sending those two fields too (a fixed policy, a count going down): what the
 * fields alone cost. Port + 1000 answers the process's CPU time so far.
 */

import { hash } from "node:crypto";
import { createServer } from "node:http";
import { serve } from "@hono/node-server";
import express from "express";
import Fastify from "fastify";
import { Hono } from "hono";
import { createKeyward } from "keyward";
import * as ex from "keyward/express";
import * as fa from "keyward/fastify";
import * as ho from "keyward/hono";
import * as ko from "keyward/koa";
import { memoryStore } from "keyward/memory";
import Koa from "koa";

const [framework, mode, portText] = process.argv.slice(2);
const port = Number(portText);
const keyward = createKeyward({ store: memoryStore(), prefix: "cho", roles: { viewer: ["jobs:read"] } });
const keys: string[] = [];
for (let i = 0; i < 1000; i++) keys.push((await keyward.create({ owner: `org-${i}`, label: "bench", role: "viewer" })).key);

// the minimal inline check: parse the header, SHA-256, Map.get, a scope Set
const table = new Map<string, Set<string>>();
for (const k of keys) table.set(hash("sha256", k, "base64url"), new Set(["jobs:read"]));
function minimalCheck(header: string | undefined): boolean {
  if (!header || header.length < 8 || header.slice(0, 7).toLowerCase() !== "bearer ") return false;
  const scopes = table.get(hash("sha256", header.slice(7), "base64url"));
  return scopes?.has("jobs:read") === true;
}
const body = { jobs: [{ id: 1, title: "Staff engineer" }] };
const POLICY = '"default";q=1000000000;w=60';
let left = 1_000_000_000;
/** The two RateLimit fields `fields` sends: set through `set`, the framework's own way. */
function rateLimitFields(set: (name: string, value: string) => unknown): void {
  set("ratelimit-policy", POLICY);
  set("ratelimit", `"default";r=${--left};t=60`);
}
const check = mode === "minimal" || mode === "fields";
const limitedKey = (
  await keyward.create({
    owner: "org-limited",
    label: "bench",
    role: "viewer",
    ratelimit: { limit: 1_000_000_000, window: 60_000 },
  })
).key;
const protect = mode === "keyward" || mode === "limited";

if (framework === "express") {
  const app = express();
  app.disable("x-powered-by");
  if (check) {
    app.use((req, res, next) => {
      if (!minimalCheck(req.headers.authorization)) return res.status(401).json({ error: "UNAUTHORIZED" });
      if (mode === "fields") rateLimitFields((name, value) => res.setHeader(name, value));
      next();
    });
  }
  if (protect) app.get("/v1/jobs", ex.apiKeyAuth(keyward), ex.requireScopes("jobs:read"), (_req, res) => res.json(body));
  else app.get("/v1/jobs", (_req, res) => res.json(body));
  createServer(app).listen(port, "127.0.0.1", ready);
} else if (framework === "hono") {
  const app = new Hono();
  if (check) {
    app.use(async (c, next) => {
      if (!minimalCheck(c.req.header("authorization"))) return c.json({ error: "UNAUTHORIZED" }, 401);
      // on Node's response, as keyward/hono does on @hono/node-server
      const outgoing = (c.env as { outgoing: { setHeader(name: string, value: string): unknown } }).outgoing;
      if (mode === "fields") rateLimitFields((name, value) => outgoing.setHeader(name, value));
      await next();
    });
  }
  if (protect) app.get("/v1/jobs", ho.apiKeyAuth(keyward), ho.requireScopes("jobs:read"), (c) => c.json(body));
  else app.get("/v1/jobs", (c) => c.json(body));
  serve({ fetch: app.fetch, port, hostname: "127.0.0.1" }, ready);
} else if (framework === "fastify") {
  const app = Fastify();
  if (check) {
    app.addHook("onRequest", async (request, reply) => {
      if (!minimalCheck(request.headers.authorization)) return reply.code(401).send({ error: "UNAUTHORIZED" });
      if (mode === "fields") rateLimitFields((name, value) => reply.header(name, value));
    });
  }
  if (protect) {
    app.addHook("onRequest", fa.apiKeyAuth(keyward));
    app.addHook("onRequest", fa.requireScopes("jobs:read"));
  }
  app.get("/v1/jobs", async () => body);
  app.listen({ port, host: "127.0.0.1" }).then(ready);
} else {
  const app = new Koa();
  app.silent = true; // autocannon cutting connections at the end of a run is not an error worth printing
  if (check) {
    app.use(async (ctx, next) => {
      if (minimalCheck(ctx.get("authorization") || undefined)) {
        if (mode === "fields") rateLimitFields((name, value) => ctx.set(name, value));
        return next();
      }
      ctx.status = 401;
      ctx.body = { error: "UNAUTHORIZED" };
    });
  }
  if (protect) {
    app.use(ko.apiKeyAuth(keyward));
    app.use(ko.requireScopes("jobs:read"));
  }
  app.use((ctx) => {
    if (ctx.path === "/v1/jobs") ctx.body = body;
  });
  app.listen(port, "127.0.0.1", ready);
}

// this process's CPU time so far, on port + 1000: the bench divides it by the requests served
createServer((_req, res) => res.end(JSON.stringify(process.cpuUsage()))).listen(port + 1000, "127.0.0.1");

// exit normally on a signal, so `node --cpu-prof` can write its profile
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(0));

function ready(): void {
  console.log(mode === "limited" ? limitedKey : keys[0]);
  console.log("ready");
}
