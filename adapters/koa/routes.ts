import type { Keyward } from "keyward";
import { createManagementHandler, errorBody, type HttpResponse, headersFromRaw, type ManagementOptions } from "keyward/http";
import type { Context, Middleware } from "koa";
import { assertKeyward, pathOf } from "../shared/http.js";
import { nodeBodyReader } from "../shared/node-body.js";
import { normalizePrefix, routeBelow } from "../shared/prefix.js";
import { respond } from "./respond.js";

/**
 * Options of the Koa {@link apiKeyRoutes}: `actor(ctx, context)` resolves the
 * caller, `prefix` says where the API answers; `realm` and `maxBodyBytes` are
 * optional.
 *
 * @example
 * ```ts
 * const options: ApiKeyRoutesOptions = { actor: (ctx) => ctx.state.user?.actor ?? null, prefix: "/settings/api-keys" };
 * ```
 */
export interface ApiKeyRoutesOptions extends ManagementOptions<Context> {
  /**
   * Path the API answers under, e.g. `/settings/api-keys`; requests elsewhere
   * go on to `next()`. Default: every path (for use under `koa-mount` or a router).
   */
  prefix?: string | undefined;
}

/**
 * The key-management API as a Koa middleware that answers under `prefix`
 * and passes every other request on: `POST /`, `GET /`, `GET /roles`,
 * `GET|PATCH|DELETE /:id`, `POST /:id/{disable,enable,rotate,revoke}`. It
 * reads its own JSON body from `ctx.req` (capped at `maxBodyBytes`); if a
 * body parser already ran, `ctx.request.body` is used. Every operation acts
 * as `actor(ctx, context)` (null → 401) and only on that actor's owner's keys.
 *
 * @example
 * ```ts
 * import { keyActor } from "keyward";
 * import { apiKeyRoutes } from "keyward/koa";
 *
 * app.use(apiKeyRoutes(keyward, { actor: (ctx) => ctx.state.user?.actor ?? null, prefix: "/settings/api-keys" }));
 * app.use(apiKeyRoutes(keyward, { actor: keyActor(keyward), prefix: "/integrations/api-keys" }));
 * ```
 */
export function apiKeyRoutes(keyward: Keyward, options: ApiKeyRoutesOptions): Middleware {
  assertKeyward(keyward, "apiKeyRoutes");
  const prefix = normalizePrefix(options?.prefix);
  const handle = createManagementHandler(keyward, options);
  return async function keywardApiKeyRoutes(ctx, next) {
    const below = routeBelow(prefix, ctx.path);
    if (below === null) return next();
    const path = pathOf(ctx.originalUrl);
    let answer: HttpResponse;
    try {
      answer = await handle({
        method: ctx.method,
        route: below,
        path,
        query: new URLSearchParams(ctx.querystring),
        headers: headersFromRaw(ctx.req.rawHeaders),
        readBody: nodeBodyReader(ctx.req, () => (ctx.request as { body?: unknown }).body),
        native: ctx,
      });
    } catch {
      answer = { status: 500, headers: { "cache-control": "no-store" }, body: errorBody(500, "Internal server error", path) };
    }
    respond(ctx, answer);
  };
}
