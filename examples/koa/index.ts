/**
 * keyward with Koa: protected /v1/jobs routes and the key-management API.
 *
 *   npx tsx examples/koa/index.ts      # PORT, default 3003
 *
 * On start it prints a bootstrap admin key, once. Use it to call the API:
 *
 *   curl -s localhost:3003/v1/jobs -H "Authorization: Bearer $KEY"
 *   curl -s -X POST localhost:3003/settings/api-keys -H "Authorization: Bearer $KEY" \
 *        -H "Content-Type: application/json" -d '{"label":"CRM sync","role":"viewer"}'
 */
import type { AddressInfo } from "node:net";
import { createKeyward, keyActor } from "keyward";
import { apiKeyAuth, apiKeyRoutes, requireScopes } from "keyward/koa";
import { memoryStore } from "keyward/memory";
import Koa, { type Middleware } from "koa";

const keyward = createKeyward({
  store: memoryStore(),
  prefix: "cho",
  roles: { owner: ["*"], admin: ["jobs:*", "api_keys:manage"], viewer: ["jobs:read"] },
});

/** The application's own data, per tenant (the key's owner). */
const jobs = new Map<string, { id: number; title: string }[]>();
const jobsOf = (owner: string) => jobs.get(owner) ?? jobs.set(owner, []).get(owner) ?? [];

/** A tiny router so the example needs nothing but Koa; real apps use @koa/router the same way. */
function route(method: string, path: string, ...chain: Middleware[]): Middleware {
  const run = (i: number, ctx: Koa.Context): Promise<void> =>
    Promise.resolve(chain[i] ? chain[i](ctx as never, () => run(i + 1, ctx)) : undefined);
  return (ctx, next) => (ctx.method === method && ctx.path === path ? run(0, ctx as Koa.Context) : next());
}

/** Reads a small JSON body (the management API reads its own; this is for the app's route). */
async function readJson(ctx: Koa.Context): Promise<Record<string, unknown>> {
  let text = "";
  for await (const chunk of ctx.req) {
    text += chunk;
    if (text.length > 16_384) ctx.throw(413);
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return {};
  }
}

const app = new Koa();
// The management API; the caller is an API key holding api_keys:manage.
app.use(apiKeyRoutes(keyward, { actor: keyActor(keyward), prefix: "/settings/api-keys" }));
app.use(
  route("GET", "/v1/jobs", apiKeyAuth(keyward), requireScopes("jobs:read"), (ctx) => {
    ctx.body = { data: jobsOf(ctx.state.apiKey?.owner ?? "") };
  }),
);
app.use(
  route("POST", "/v1/jobs", apiKeyAuth(keyward), requireScopes("jobs:write"), async (ctx) => {
    const body = await readJson(ctx);
    const list = jobsOf(ctx.state.apiKey?.owner ?? "");
    const job = { id: list.length + 1, title: typeof body.title === "string" ? body.title.slice(0, 200) : "Untitled job" };
    list.push(job);
    ctx.status = 201;
    ctx.body = job;
  }),
);

const bootstrap = await keyward.create({ owner: "org_demo", label: "Bootstrap admin", role: "admin" });
const port = Number(process.env.PORT ?? 3003);
const server = app.listen(port, "127.0.0.1", () => {
  console.log(`bootstrap admin key (shown once): ${bootstrap.key}`);
  console.log(`keyward Koa example listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});

const shutdown = () => {
  server.close();
  void keyward.close().then(() => process.exit(0));
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
