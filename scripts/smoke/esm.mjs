// ESM: every subpath resolves from the installed tarball and the pieces work together.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { PGlite } from "@electric-sql/pglite";
import Express from "express";
import Fastify from "fastify";
import { Hono } from "hono";
import { createKeyward, KEY_PATTERN, keyActor } from "keyward";
import * as express from "keyward/express";
import * as fastify from "keyward/fastify";
import * as fetch from "keyward/fetch";
import * as hono from "keyward/hono";
import * as http from "keyward/http";
import * as jwt from "keyward/jwt";
import * as koa from "keyward/koa";
import { memoryStore } from "keyward/memory";
import { openApiDocument } from "keyward/openapi";
import { postgresStore } from "keyward/postgres";
import { redisStore } from "keyward/redis";
import { storeConformance } from "keyward/testing";
import { generateWebhookSecret, verifyWebhook, webhooks } from "keyward/webhooks";
import Koa from "koa";

for (const [name, fn] of Object.entries({
  express: express.apiKeyAuth,
  koa: koa.apiKeyAuth,
  hono: hono.apiKeyAuth,
  fastify: fastify.apiKeyAuth,
  fetch: fetch.apiKeyAuth,
  jwt: jwt.jwtActor,
  http: http.createAuthenticator,
  redisStore,
  storeConformance,
  openApiDocument,
})) {
  assert.equal(typeof fn, "function", name);
}

const kw = createKeyward({
  store: memoryStore(),
  prefix: "cho",
  roles: { viewer: ["jobs:read"], admin: ["jobs:*", "api_keys:manage"] },
});
const { key } = await kw.create({ owner: "org_1", label: "smoke", role: "viewer" });
assert.match(key, KEY_PATTERN);
const app = new Hono();
app.get("/jobs", hono.apiKeyAuth(kw), hono.requireScopes("jobs:read"), (c) => c.json({ owner: c.get("apiKey").owner }));
app.route("/keys", hono.apiKeyRoutes(kw, { actor: keyActor(kw) }));
assert.equal((await app.request("/jobs", { headers: { authorization: `Bearer ${key}` } })).status, 200);
assert.equal((await app.request("/jobs")).status, 401);

const pg = postgresStore({ client: new PGlite() });
await pg.migrate();
const pkw = createKeyward({ store: pg, prefix: "cho" });
const issued = await pkw.create({ owner: "org_1", label: "pg" });
assert.equal((await pkw.verify(issued.key)).ok, true);
await pkw.close();

const doc = openApiDocument({ prefix: "/keys", keyPrefix: "cho" });
assert.equal(doc.openapi, "3.1.0");
assert.ok(doc.paths["/keys/{id}/rotate"]?.post, "the document describes the routes under the prefix");
assert.match(key, new RegExp(doc.components.schemas.IssuedApiKey.properties.rawKey.pattern));

// webhooks: one event delivered through a fake fetch, and verified as a receiver would
const secret = generateWebhookSecret();
const sent = [];
const hooks = webhooks({
  endpoints: [{ url: "https://hooks.example.com/k", secret }],
  fetch: async (_url, init) => (sent.push(init), new Response(null, { status: 204 })),
});
hooks.onEvent({ type: "key.revoked", time: new Date().toISOString(), keyId: "k1", owner: "o", actor: null });
await hooks.flush();
await hooks.close();
assert.equal(verifyWebhook(secret, sent[0].headers, sent[0].body).data.keyId, "k1");

const { run } = createRequire(import.meta.url)("./scenario.cjs");
await run({ createKeyward, memoryStore, express, hono, koa, fastify, fetch, Express, Hono, Koa, Fastify }, "esm");
console.log("esm: ok");
