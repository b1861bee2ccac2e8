// Deno: serves the app on the memory store on the port given, until it is
// stopped. Prints one JSON line when it listens.
import { createApp } from "./app.mjs";

const port = Number(Deno.args[0]);
Deno.serve(
  {
    hostname: "127.0.0.1",
    port,
    onListen: ({ port }) => console.log(JSON.stringify({ ready: [port], version: Deno.version.deno })),
  },
  createApp().app.fetch,
);
// stop when the test that started us closes our stdin (or dies)
for await (const _ of Deno.stdin.readable);
Deno.exit(0);
