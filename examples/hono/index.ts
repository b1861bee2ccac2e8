/**
 * keyward with Hono (on Node via @hono/node-server): protected /v1/jobs
 * routes and the key-management API.
 *
 *   npx tsx examples/hono/index.ts      # PORT, default 3002
 *
 * On start it prints a bootstrap admin key, once. Use it to call the API:
 *
 *   curl -s localhost:3002/v1/jobs -H "Authorization: Bearer $KEY"
 *   curl -s -X POST localhost:3002/settings/api-keys -H "Authorization: Bearer $KEY" \
 *        -H "Content-Type: application/json" -d '{"label":"CRM sync","role":"viewer"}'
 */
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { createKeyward, keyActor } from "keyward";
import { apiKeyAuth, apiKeyRoutes, type KeywardVariables, requireScopes } from "keyward/hono";
import { memoryStore } from "keyward/memory";

const keyward = createKeyward({
  store: memoryStore(),
  prefix: "cho",
  roles: { owner: ["*"], admin: ["jobs:*", "api_keys:manage"], viewer: ["jobs:read"] },
});

/** The application's own data, per tenant (the key's owner). */
const jobs = new Map<string, { id: number; title: string }[]>();
const jobsOf = (owner: string) => jobs.get(owner) ?? jobs.set(owner, []).get(owner) ?? [];

const app = new Hono<{ Variables: KeywardVariables }>();
app.use("/v1/*", apiKeyAuth(keyward));
app.get("/v1/jobs", requireScopes("jobs:read"), (c) => c.json({ data: jobsOf(c.var.apiKey.owner) }));
app.post("/v1/jobs", requireScopes("jobs:write"), async (c) => {
  const body = (await c.req.json().catch(() => ({}))) as { title?: unknown };
  const list = jobsOf(c.var.apiKey.owner);
  const job = { id: list.length + 1, title: typeof body.title === "string" ? body.title.slice(0, 200) : "Untitled job" };
  list.push(job);
  return c.json(job, 201);
});
// The management API; the caller is an API key holding api_keys:manage.
app.route("/settings/api-keys", apiKeyRoutes(keyward, { actor: keyActor(keyward) }));

const bootstrap = await keyward.create({ owner: "org_demo", label: "Bootstrap admin", role: "admin" });
const port = Number(process.env.PORT ?? 3002);
const server = serve({ fetch: app.fetch, port, hostname: "127.0.0.1" }, (info) => {
  console.log(`bootstrap admin key (shown once): ${bootstrap.key}`);
  console.log(`keyward Hono example listening on http://127.0.0.1:${info.port}`);
});

const shutdown = () => {
  server.close();
  void keyward.close().then(() => process.exit(0));
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
