// The application every runtime serves: the core, keyward/hono (and, under
// /f, the same routes with keyward/fetch) and a store
// (the memory store unless one is given), protected routes and the
// management API, as a user would write it. Plain JavaScript with Web APIs
// only, so Bun, Deno and workerd load it as it is. Imported from the
// installed package (the packed tarball), never from the sources.
import { Hono } from "hono";
import { createKeyward } from "keyward";
import * as fetchAdapter from "keyward/fetch";
import { apiKeyAuth, apiKeyRoutes, requireScopes } from "keyward/hono";
import { memoryStore } from "keyward/memory";

export const ROLES = { admin: ["jobs:*", "api_keys:manage"], viewer: ["jobs:read"] };

/** Who the test session says is calling (header `x-test-user`). */
const ACTORS = {
  admin: { id: "u_admin", owner: "org_a", role: "admin" },
  viewer: { id: "u_viewer", owner: "org_a", role: "viewer" },
};

/** A store that fails on demand (`PUT /test/store {"failing": true}`): a failing store must give 503. */
function switchable(store) {
  const state = { failing: false };
  const proxy = new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function" || prop === "watch") return value;
      return (...args) => (state.failing ? Promise.reject(new Error("store is down")) : value.apply(target, args));
    },
  });
  return { store: proxy, state };
}

/** What the runtime is, to prove the test ran where it says (and, on workerd, without Node compatibility). */
function runtime() {
  return {
    userAgent: globalThis.navigator?.userAgent ?? null,
    bun: typeof globalThis.Bun,
    deno: typeof globalThis.Deno,
    process: typeof globalThis.process,
    buffer: typeof globalThis.Buffer,
    // where `keyward` was loaded from: the installed package, not the sources
    keyward: typeof import.meta.resolve === "function" ? import.meta.resolve("keyward") : null,
  };
}

export function createApp(options = {}) {
  const { store, state } = switchable(options.store ?? memoryStore());
  const keyward = createKeyward({ store, prefix: "cho", roles: ROLES, storeTimeout: 2000 });
  const app = new Hono();
  app.get("/v1/jobs", apiKeyAuth(keyward), requireScopes("jobs:read"), (c) => c.json({ owner: c.get("apiKey").owner }));
  app.post("/v1/jobs", apiKeyAuth(keyward), requireScopes("jobs:write"), (c) => c.json({ owner: c.get("apiKey").owner }, 201));
  app.route(
    "/settings/api-keys",
    apiKeyRoutes(keyward, {
      actor: (c) => {
        const name = c.req.header("x-test-user") ?? "";
        return Object.hasOwn(ACTORS, name) ? ACTORS[name] : null;
      },
    }),
  );
  // the same protected route and management API with keyward/fetch, under /f, on the same instance
  const authenticate = fetchAdapter.apiKeyAuth(keyward);
  const canRead = fetchAdapter.requireScopes("jobs:read");
  const manage = fetchAdapter.apiKeyRoutes(keyward, {
    prefix: "/f/settings/api-keys",
    actor: (request) => {
      const name = request.headers.get("x-test-user") ?? "";
      return Object.hasOwn(ACTORS, name) ? ACTORS[name] : null;
    },
  });
  app.get("/f/v1/jobs", async (c) => {
    const auth = await authenticate(c.req.raw);
    if (!auth.ok) return auth.response;
    return canRead(auth, c.req.raw) ?? Response.json({ owner: auth.apiKey.owner });
  });
  app.all("/f/settings/api-keys/*", (c) => manage(c.req.raw));
  app.all("/f/settings/api-keys", (c) => manage(c.req.raw));
  app.put("/test/store", async (c) => {
    state.failing = (await c.req.json()).failing === true;
    return c.json({ failing: state.failing });
  });
  app.get("/test/runtime", (c) => c.json(runtime()));
  return { app, keyward };
}
