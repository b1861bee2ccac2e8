/**
 * keyward/fetch on Deno (install keyward from npm: `deno add npm:keyward`).
 *
 *   deno run --allow-net --allow-env examples/fetch/deno.ts
 */
import { bootstrapKey, handle } from "./app.js";

/** The part of Deno's global this file uses (Deno knows its own types). */
declare const Deno: { serve(options: { port: number }, handler: (request: Request) => Promise<Response>): unknown };

const bootstrap = await bootstrapKey();
console.log(`bootstrap admin key (shown once): ${bootstrap}`);
Deno.serve({ port: 3007 }, (request) => handle(request));
