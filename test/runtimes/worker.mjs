// A Cloudflare Worker (module syntax): the app on the memory store, created
// at module scope as an application would. Bundled with esbuild for workerd
// and run by miniflare without the nodejs_compat flag.
import { createApp } from "./app.mjs";

const { app } = createApp();

export default { fetch: app.fetch };
