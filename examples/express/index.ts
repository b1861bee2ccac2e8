/**
 * keyward with Express: protected /v1/jobs routes and the key-management API.
 *
 *   npx tsx examples/express/index.ts      # PORT, default 3001
 *
 * On start it prints a bootstrap admin key, once. Use it to call the API:
 *
 *   curl -s localhost:3001/v1/jobs -H "Authorization: Bearer $KEY"
 *   curl -s -X POST localhost:3001/settings/api-keys -H "Authorization: Bearer $KEY" \
 *        -H "Content-Type: application/json" -d '{"label":"CRM sync","role":"viewer"}'
 */
import type { AddressInfo } from "node:net";
import express from "express";
import { createKeyward, keyActor } from "keyward";
import { apiKeyAuth, apiKeyRoutes, requireScopes } from "keyward/express";
import { memoryStore } from "keyward/memory";

const keyward = createKeyward({
  store: memoryStore(),
  prefix: "cho",
  roles: { owner: ["*"], admin: ["jobs:*", "api_keys:manage"], viewer: ["jobs:read"] },
});

/** The application's own data, per tenant (the key's owner). */
const jobs = new Map<string, { id: number; title: string }[]>();
const jobsOf = (owner: string) => jobs.get(owner) ?? jobs.set(owner, []).get(owner) ?? [];

const app = express();
app.get("/v1/jobs", apiKeyAuth(keyward), requireScopes("jobs:read"), (req, res) => {
  res.json({ data: jobsOf(req.apiKey?.owner ?? "") });
});
app.post("/v1/jobs", apiKeyAuth(keyward), requireScopes("jobs:write"), express.json(), (req, res) => {
  const list = jobsOf(req.apiKey?.owner ?? "");
  const title = typeof req.body?.title === "string" ? req.body.title.slice(0, 200) : "Untitled job";
  const job = { id: list.length + 1, title };
  list.push(job);
  res.status(201).json(job);
});
// The management API; the caller is an API key holding api_keys:manage.
app.use("/settings/api-keys", apiKeyRoutes(keyward, { actor: keyActor(keyward) }));

const bootstrap = await keyward.create({ owner: "org_demo", label: "Bootstrap admin", role: "admin" });
const port = Number(process.env.PORT ?? 3001);
const server = app.listen(port, "127.0.0.1", () => {
  console.log(`bootstrap admin key (shown once): ${bootstrap.key}`);
  console.log(`keyward Express example listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});

const shutdown = () => {
  server.close();
  void keyward.close().then(() => process.exit(0));
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
