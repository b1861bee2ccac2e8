/**
 * keyward/fetch on Bun.
 *
 *   bun run examples/fetch/bun.ts        # PORT, default 3007
 */
import { bootstrapKey, handle } from "./app.js";

/** The part of Bun's global this file uses (types come from `bun-types` in a Bun project). */
declare const Bun: { serve(options: { port: number; fetch: (request: Request) => Promise<Response> }): { port: number } };

const bootstrap = await bootstrapKey();
const server = Bun.serve({ port: Number(process.env.PORT ?? 3007), fetch: handle });
console.log(`bootstrap admin key (shown once): ${bootstrap}`);
console.log(`keyward Fetch example listening on http://127.0.0.1:${server.port}`);
