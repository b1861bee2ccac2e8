/**
 * keyward with Fastify: protected /v1/jobs routes and the key-management API.
 *
 *   npx tsx examples/fastify/index.ts      # PORT, default 3006
 *
 * On start it prints a bootstrap admin key, once. Use it to call the API:
 *
 *   curl -s localhost:3006/v1/jobs -H "Authorization: Bearer $KEY"
 *   curl -s -X POST localhost:3006/settings/api-keys -H "Authorization: Bearer $KEY" \
 *        -H "Content-Type: application/json" -d '{"label":"CRM sync","role":"viewer"}'
 */
import Fastify from "fastify";
import { createKeyward, keyActor } from "keyward";
import { apiKeyAuth, apiKeyRoutes, requireScopes } from "keyward/fastify";
import { memoryStore } from "keyward/memory";

const keyward = createKeyward({
  store: memoryStore(),
  prefix: "cho",
  roles: { owner: ["*"], admin: ["jobs:*", "api_keys:manage"], viewer: ["jobs:read"] },
});

/** The application's own data, per tenant (the key's owner). */
const jobs = new Map<string, { id: number; title: string }[]>();
const jobsOf = (owner: string) => jobs.get(owner) ?? jobs.set(owner, []).get(owner) ?? [];

const app = Fastify();
// the jobs API: every request authenticated before its body is read, scopes per route
await app.register(
  async (v1) => {
    v1.addHook("onRequest", apiKeyAuth(keyward));
    v1.get("/jobs", { preHandler: requireScopes("jobs:read") }, async (request) => ({
      data: jobsOf(request.apiKey?.owner ?? ""),
    }));
    v1.post("/jobs", { preHandler: requireScopes("jobs:write") }, async (request, reply) => {
      const body = (request.body ?? {}) as { title?: unknown };
      const list = jobsOf(request.apiKey?.owner ?? "");
      const job = { id: list.length + 1, title: typeof body.title === "string" ? body.title.slice(0, 200) : "Untitled job" };
      list.push(job);
      return reply.code(201).send(job);
    });
  },
  { prefix: "/v1" },
);
// The management API; the caller is an API key holding api_keys:manage.
await app.register(apiKeyRoutes(keyward, { actor: keyActor(keyward) }), { prefix: "/settings/api-keys" });

const bootstrap = await keyward.create({ owner: "org_demo", label: "Bootstrap admin", role: "admin" });
const address = await app.listen({ port: Number(process.env.PORT ?? 3006), host: "127.0.0.1" });
console.log(`bootstrap admin key (shown once): ${bootstrap.key}`);
console.log(`keyward Fastify example listening on ${address}`);

const shutdown = () => {
  void app
    .close()
    .then(() => keyward.close())
    .then(() => process.exit(0));
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
