/**
 * The management API alone, mounted with the given actors on each adapter
 * and served on 127.0.0.1: for suites that need their own actor (a cookie
 * session, a counting resolver) rather than the shared apps of apps.ts.
 */
import http from "node:http";
import express from "express";
import Fastify, { type FastifyInstance } from "fastify";
import { Hono } from "hono";
import type { Keyward } from "keyward";
import * as ex from "keyward/express";
import * as fa from "keyward/fastify";
import * as fe from "keyward/fetch";
import * as ho from "keyward/hono";
import type { ActorResolver } from "keyward/http";
import * as ko from "keyward/koa";
import Koa from "koa";
import { type AdapterName, type Running, serveFastify, serveFetch } from "../support/apps.js";
import { listen } from "./http.js";

/** Mount path → actor resolver (it receives Express `req`, Hono `c` or Koa `ctx`). */
export type Mounts = Record<string, ActorResolver<unknown>>;

export function mountExpress(kw: Keyward, mounts: Mounts): express.Express {
  const app = express();
  for (const [path, actor] of Object.entries(mounts)) app.use(path, ex.apiKeyRoutes(kw, { actor }));
  return app;
}

export function mountHono(kw: Keyward, mounts: Mounts): Hono {
  const app = new Hono();
  for (const [path, actor] of Object.entries(mounts)) app.route(path, ho.apiKeyRoutes(kw, { actor }));
  return app;
}

export function mountKoa(kw: Keyward, mounts: Mounts): Koa {
  const app = new Koa();
  for (const [prefix, actor] of Object.entries(mounts)) app.use(ko.apiKeyRoutes(kw, { actor, prefix }));
  return app;
}

export async function mountFastify(kw: Keyward, mounts: Mounts): Promise<FastifyInstance> {
  const app = Fastify();
  for (const [prefix, actor] of Object.entries(mounts)) await app.register(fa.apiKeyRoutes(kw, { actor }), { prefix });
  return app;
}

/** One Fetch handler dispatching to an `apiKeyRoutes` per mount path (404 elsewhere). */
export function mountFetch(kw: Keyward, mounts: Mounts): fe.FetchHandler {
  const handlers = Object.entries(mounts).map(([prefix, actor]) => [prefix, fe.apiKeyRoutes(kw, { actor, prefix })] as const);
  return async (request, server) => {
    const path = new URL(request.url).pathname;
    const mount = handlers.find(([prefix]) => path === prefix || path.startsWith(`${prefix}/`));
    return mount ? mount[1](request, server) : new Response("Not found", { status: 404 });
  };
}

/** Serves the management API of `adapter` on 127.0.0.1, port 0 (Hono through @hono/node-server). */
export async function serveMounts(adapter: AdapterName, kw: Keyward, mounts: Mounts): Promise<Running> {
  if (adapter === "express") return listen(http.createServer(mountExpress(kw, mounts)));
  if (adapter === "koa") return listen(http.createServer(mountKoa(kw, mounts).callback()));
  if (adapter === "fastify") return serveFastify(await mountFastify(kw, mounts));
  if (adapter === "fetch") return serveFetch(mountFetch(kw, mounts));
  return serveFetch(mountHono(kw, mounts).fetch);
}
