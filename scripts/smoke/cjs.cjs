// CommonJS: the require() entries resolve, share one core, and answer every error class.
const assert = require("node:assert/strict");
const { createKeyward, KeywardError, NotFoundError } = require("keyward");
const { memoryStore } = require("keyward/memory");
const http = require("keyward/http");
const express = require("keyward/express");
const hono = require("keyward/hono");
const koa = require("keyward/koa");
const fastify = require("keyward/fastify");
const fetch = require("keyward/fetch");
const { openApiDocument } = require("keyward/openapi");
const { generateWebhookSecret, verifyWebhook, webhooks } = require("keyward/webhooks");
const { run } = require("./scenario.cjs");

(async () => {
  const kw = createKeyward({ store: memoryStore(), prefix: "sk_live" });
  const { key } = await kw.create({ owner: "o", label: "cjs" });
  assert.equal((await kw.verify(key)).ok, true);
  await kw.create({ owner: "o", label: "" }).then(
    () => assert.fail("expected a validation error"),
    (e) => assert.ok(e instanceof KeywardError && e.status === 422),
  );
  assert.equal(openApiDocument().paths["/settings/api-keys"].post.operationId, "createApiKey");
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
  assert.equal(http.errorResponse(new NotFoundError(), { realm: "api", path: "/", retryAfter: 5 }).status, 404);
  await run(
    {
      createKeyward,
      memoryStore,
      express,
      hono,
      koa,
      fastify,
      fetch,
      Express: require("express"),
      Fastify: require("fastify"),
      Hono: require("hono").Hono,
      Koa: require("koa"),
    },
    "cjs",
  );
  console.log("cjs: ok");
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
