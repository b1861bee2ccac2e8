/**
 * keyward quickstart: a Hono server on the in-memory store.
 *
 *   npm start                 # the in-process demo, then a server on PORT (default 3000) until Ctrl-C
 *   npm start -- --once       # run the in-process demo only, then exit
 *
 * It first shows the lifecycle in-process (create → verify → revoke), then
 * serves protected /v1 routes and the management API, printing a bootstrap
 * admin key and ready-to-paste curl lines.
 */
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { createKeyward, keyActor } from "keyward";
import { apiKeyAuth, apiKeyRoutes, requireScopes } from "keyward/hono";
import { memoryStore } from "keyward/memory";

const keyward = createKeyward({
  store: memoryStore(),
  prefix: "cho",
  roles: {
    owner: ["*"],
    admin: ["jobs:*", "api_keys:manage"],
    viewer: ["jobs:read"],
  },
});

// 1. The lifecycle, in-process.
const admin = { id: "user_ada", owner: "org_acme", role: "admin" };
const demo = await keyward.create({ label: "Read-only dashboard", role: "viewer" }, { actor: admin });
console.log(`created   ${demo.apiKey.keyPrefix}… (${demo.apiKey.label}, role ${demo.apiKey.role}) — full key shown once:`);
console.log(`          ${demo.key}`);
const ok = await keyward.verify(demo.key, { scopes: ["jobs:read"] });
console.log(`verify    jobs:read  → ${ok.ok ? `ok (owner ${ok.key.owner}, scopes ${ok.scopes.join(" ")})` : ok.error.code}`);
const denied = await keyward.verify(demo.key, { scopes: ["jobs:write"] });
console.log(`verify    jobs:write → ${denied.ok ? "ok" : `${denied.error.code} (${denied.error.status})`}`);
await keyward.revoke(demo.apiKey.id, { actor: admin });
const revoked = await keyward.verify(demo.key);
console.log(`revoke    then verify → ${revoked.ok ? "ok" : `${revoked.error.code} (${revoked.error.status})`}`);

if (process.argv.includes("--once")) {
  await keyward.close();
  process.exit(0);
}

// 2. The server.
const app = new Hono();
app.get("/v1/jobs", apiKeyAuth(keyward), requireScopes("jobs:read"), (c) =>
  c.json({ owner: c.get("apiKey").owner, jobs: [{ id: 1, title: "Staff engineer" }] }),
);
app.post("/v1/jobs", apiKeyAuth(keyward), requireScopes("jobs:write"), (c) => c.json({ created: true }, 201));
app.route("/settings/api-keys", apiKeyRoutes(keyward, { actor: keyActor(keyward) }));

const bootstrap = await keyward.create({ owner: "org_acme", label: "Bootstrap admin", role: "admin" });
const port = Number(process.env.PORT ?? 3000);
const server = serve({ fetch: app.fetch, port, hostname: "127.0.0.1" }, (info) => {
  const base = `http://127.0.0.1:${info.port}`;
  console.log(`\nkeyward quickstart listening on ${base}`);
  console.log(`bootstrap admin key (shown once): ${bootstrap.key}\n`);
  console.log("Try:");
  console.log(`  export KEY=${bootstrap.key}`);
  console.log(`  curl -s ${base}/v1/jobs -H "Authorization: Bearer $KEY"`);
  console.log(`  curl -s ${base}/settings/api-keys/roles -H "Authorization: Bearer $KEY"`);
  console.log(
    `  curl -s -X POST ${base}/settings/api-keys -H "Authorization: Bearer $KEY" -H "Content-Type: application/json" -d '{"label":"CRM sync","role":"viewer"}'`,
  );
  console.log(`  curl -s ${base}/settings/api-keys -H "Authorization: Bearer $KEY"`);
  console.log(`  curl -si ${base}/v1/jobs   # no key: 401 with WWW-Authenticate`);
  console.log("\nThe server keeps running: press Ctrl-C to stop it (npm start -- --once skips the server).");
});

const shutdown = async () => {
  server.close();
  await keyward.close();
  process.exit(0);
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
