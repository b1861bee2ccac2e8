// Bun: serves the app on the memory store and on the Postgres store over
// PGlite (embedded Postgres), on the two ports given, until it is stopped.
// Prints one JSON line when both listen.
import { PGlite } from "@electric-sql/pglite";
import { postgresStore } from "keyward/postgres";
import { createApp } from "./app.mjs";

const [memoryPort, postgresPort] = Bun.argv.slice(2).map(Number);
const pg = postgresStore({ client: new PGlite() });
await pg.migrate();
const servers = [
  Bun.serve({ hostname: "127.0.0.1", port: memoryPort, fetch: createApp().app.fetch }),
  Bun.serve({ hostname: "127.0.0.1", port: postgresPort, fetch: createApp({ store: pg }).app.fetch }),
];
console.log(JSON.stringify({ ready: servers.map((s) => s.port), version: Bun.version }));
// stop when the test that started us closes our stdin (or dies)
for await (const _ of Bun.stdin.stream());
process.exit(0);
