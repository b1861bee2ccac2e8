/**
 * keyward/fetch as a Cloudflare Worker (no `nodejs_compat` needed). A Worker
 * keeps no state between isolates: use a shared store (Postgres through a
 * driver that runs on Workers, or your own `KeyStore`) instead of the
 * in-memory one of app.ts in production.
 *
 *   npx wrangler dev examples/fetch/worker.ts
 */
import { handle } from "./app.js";

export default {
  fetch(request: Request): Promise<Response> {
    return handle(request);
  },
};
