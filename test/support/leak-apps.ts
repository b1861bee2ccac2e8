/**
 * The leak-response endpoints mounted the way each adapter documents it:
 * - POST /github/secret-scanning  secretScanning(kw, scanning)
 * - POST /revoke                  selfRevocation(kw, revocation)
 * - GET  /v1/jobs                 apiKeyAuth (to see a key refused after a leak)
 */
import http from "node:http";
import express from "express";
import Fastify from "fastify";
import { Hono } from "hono";
import type { Keyward } from "keyward";
import * as ex from "keyward/express";
import * as fa from "keyward/fastify";
import * as fe from "keyward/fetch";
import * as ho from "keyward/hono";
import type { SecretScanningOptions, SelfRevocationOptions } from "keyward/http";
import * as ko from "keyward/koa";
import Koa from "koa";
import { type AdapterName, type Running, serveFastify, serveFetch } from "./apps.js";
import { listen } from "./http.js";

export interface LeakAppOptions {
  scanning?: SecretScanningOptions;
  revocation?: SelfRevocationOptions;
  /** Run a JSON body parser before the endpoints (it consumes the body). */
  bodyParser?: boolean;
}

export const SCAN_PATH = "/github/secret-scanning";
export const REVOKE_PATH = "/revoke";

export function startLeakApp(adapter: AdapterName, kw: Keyward, o: LeakAppOptions = {}): Promise<Running> {
  if (adapter === "express") {
    const app = express();
    if (o.bodyParser) app.use(express.json());
    app.post(SCAN_PATH, ex.secretScanning(kw, o.scanning));
    app.post(REVOKE_PATH, ex.selfRevocation(kw, o.revocation));
    return listen(http.createServer(app));
  }
  if (adapter === "fastify") {
    const app = Fastify();
    if (o.bodyParser) app.addHook("preHandler", async () => undefined); // Fastify parses per route: nothing runs before ours
    return (async () => {
      await app.register(fa.secretScanning(kw, { ...o.scanning, path: SCAN_PATH }));
      await app.register(fa.selfRevocation(kw, { ...o.revocation, path: REVOKE_PATH }));
      return serveFastify(app);
    })();
  }
  if (adapter === "fetch") {
    const scanning = fe.secretScanning(kw, o.scanning);
    const revocation = fe.selfRevocation(kw, o.revocation);
    return serveFetch(async (request, server) => {
      if (o.bodyParser)
        await request
          .clone()
          .json()
          .catch(() => undefined); // a read through a clone leaves the body readable
      const path = new URL(request.url).pathname;
      if (request.method === "POST" && path === SCAN_PATH) return scanning(request, server);
      if (request.method === "POST" && path === REVOKE_PATH) return revocation(request, server);
      return new Response("Not found", { status: 404 });
    });
  }
  if (adapter === "koa") {
    const app = new Koa();
    app.use(ko.secretScanning(kw, { ...o.scanning, path: SCAN_PATH }));
    app.use(ko.selfRevocation(kw, { ...o.revocation, path: REVOKE_PATH }));
    app.use((ctx) => {
      ctx.status = 404;
      ctx.body = { fallthrough: true };
    });
    return listen(http.createServer(app.callback()));
  }
  const app = new Hono();
  if (o.bodyParser) app.use("*", async (c, next) => (await c.req.json().catch(() => undefined), next()));
  app.post(SCAN_PATH, ho.secretScanning(kw, o.scanning));
  app.post(REVOKE_PATH, ho.selfRevocation(kw, o.revocation));
  return serveFetch(app.fetch);
}

/** POSTs `body` (text or bytes) with `headers`; the status, headers and parsed JSON answer. */
export async function post(port: number, path: string, body: string | Uint8Array, headers: Record<string, string> = {}) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method: "POST", headers, body: body as BodyInit });
  const text = await res.text();
  let json: unknown;
  try {
    json = text === "" ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}
