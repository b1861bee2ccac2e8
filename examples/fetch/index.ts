/**
 * keyward/fetch on Node, served by @hono/node-server (any server that hands
 * a `Request` to a fetch handler works the same way).
 *
 *   npx tsx examples/fetch/index.ts      # PORT, default 3007
 *
 * On start it prints a bootstrap admin key, once. Use it to call the API:
 *
 *   curl -s localhost:3007/v1/jobs -H "Authorization: Bearer $KEY"
 *   curl -s -X POST localhost:3007/settings/api-keys -H "Authorization: Bearer $KEY" \
 *        -H "Content-Type: application/json" -d '{"label":"CRM sync","role":"viewer"}'
 */
import { serve } from "@hono/node-server";
import { bootstrapKey, handle, keyward } from "./app.js";

const bootstrap = await bootstrapKey();
const port = Number(process.env.PORT ?? 3007);
// the second argument ({ incoming, outgoing }) lets keyward read Node's raw headers, so a doubled header counts twice
const server = serve({ fetch: handle, port, hostname: "127.0.0.1" }, (info) => {
  console.log(`bootstrap admin key (shown once): ${bootstrap}`);
  console.log(`keyward Fetch example listening on http://127.0.0.1:${info.port}`);
});

const shutdown = () => {
  server.close();
  void keyward.close().then(() => process.exit(0));
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
