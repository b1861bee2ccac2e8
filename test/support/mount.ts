/**
 * The management API alone, mounted with the given actors on each adapter
 * and served on 127.0.0.1: for suites that need their own actor (a cookie
 * session, a counting resolver) rather than the shared apps of apps.ts.
 */
import http from "node:http";
import { serve } from "@hono/node-server";
import express from "express";
import { Hono } from "hono";
import type { Keyward } from "keyward";
import * as ex from "keyward/express";
import * as ho from "keyward/hono";
import type { ActorResolver } from "keyward/http";
import * as ko from "keyward/koa";
import Koa from "koa";
import type { AdapterName, Running } from "../support/apps.js";
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

/** Serves the management API of `adapter` on 127.0.0.1, port 0 (Hono through @hono/node-server). */
export async function serveMounts(adapter: AdapterName, kw: Keyward, mounts: Mounts): Promise<Running> {
  if (adapter === "express") return listen(http.createServer(mountExpress(kw, mounts)));
  if (adapter === "koa") return listen(http.createServer(mountKoa(kw, mounts).callback()));
  const app = mountHono(kw, mounts);
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
