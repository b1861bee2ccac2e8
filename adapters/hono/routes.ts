import { type Context, Hono } from "hono";
import type { Keyward } from "keyward";
import { createManagementHandler, errorBody, type HttpResponse, type ManagementOptions } from "keyward/http";
import { assertKeyward } from "../shared/http.js";
import { readText } from "./body.js";
import { honoHeaders } from "./headers.js";
import { respond } from "./respond.js";

/**
 * Options of the Hono {@link apiKeyRoutes}: `actor(c, context)` resolves the
 * caller; `realm` and `maxBodyBytes` are optional.
 *
 * @example
 * ```ts
 * const options: ApiKeyRoutesOptions = { actor: (c) => c.get("session")?.actor ?? null, realm: "dashboard" };
 * ```
 */
export type ApiKeyRoutesOptions = ManagementOptions<Context>;

/**
 * The key-management API as a Hono app, to mount with `app.route(path, …)`:
 * `POST /`, `GET /`, `GET /roles`, `GET|PATCH|DELETE /:id`,
 * `POST /:id/{disable,enable,rotate,revoke}`. It reads its own JSON body from
 * `c.req.raw` (capped at `maxBodyBytes`). Every operation acts as
 * `actor(c, context)` (null → 401) and only on that actor's owner's keys.
 * Web APIs only.
 *
 * @example
 * ```ts
 * import { keyActor } from "keyward";
 * import { apiKeyRoutes } from "keyward/hono";
 *
 * app.route("/settings/api-keys", apiKeyRoutes(keyward, { actor: (c) => c.get("session")?.actor ?? null }));
 * app.route("/integrations/api-keys", apiKeyRoutes(keyward, { actor: keyActor(keyward) }));
 * ```
 */
export function apiKeyRoutes(keyward: Keyward, options: ApiKeyRoutesOptions): Hono {
  assertKeyward(keyward, "apiKeyRoutes");
  const handle = createManagementHandler(keyward, options);
  const app = new Hono();
  app.all("/*", async function keywardApiKeyRoutes(c) {
    const url = new URL(c.req.url);
    let answer: HttpResponse;
    try {
      answer = await handle({
        method: c.req.method,
        route: belowMount(c.req.routePath, url.pathname),
        path: url.pathname,
        query: url.searchParams,
        headers: honoHeaders(c),
        readBody: (limit) => readText(c, limit),
        native: c,
      });
    } catch {
      answer = {
        status: 500,
        headers: { "cache-control": "no-store" },
        body: errorBody(500, "Internal server error", url.pathname),
      };
    }
    return respond(c, answer);
  });
  return app;
}

/**
 * The part of `pathname` below the mount point. `routePath` is the pattern
 * this handler matched (`/settings/api-keys/*`, `/orgs/:org/keys/*`): its
 * segments before `*` are the mount point, parameters included.
 */
function belowMount(routePath: string, pathname: string): string {
  const mount = routePath.endsWith("*") ? routePath.slice(0, -1) : "";
  const depth = mount.split("/").filter(Boolean).length;
  return `/${pathname.split("/").filter(Boolean).slice(depth).join("/")}`;
}
