// CommonJS: the require() entries resolve and share one core.
const assert = require("node:assert/strict");
const { createKeyward, KeywardError } = require("keyward");
const { memoryStore } = require("keyward/memory");
const { apiKeyAuth } = require("keyward/express");
const { apiKeyRoutes } = require("keyward/koa");

(async () => {
  const kw = createKeyward({ store: memoryStore(), prefix: "sk_live" });
  const { key } = await kw.create({ owner: "o", label: "cjs" });
  assert.equal((await kw.verify(key)).ok, true);
  assert.equal(typeof apiKeyAuth(kw), "function");
  assert.equal(typeof apiKeyRoutes(kw, { actor: () => null, prefix: "/k" }), "function");
  await kw.create({ owner: "o", label: "" }).then(
    () => assert.fail("expected a validation error"),
    (e) => assert.ok(e instanceof KeywardError && e.status === 422),
  );
  console.log("cjs: ok");
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
