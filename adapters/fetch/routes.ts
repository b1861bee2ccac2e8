import type { Keyward } from "keyward";
import { createManagementHandler, errorBody, type HttpResponse, type ManagementOptions } from "keyward/http";
import { assertKeyward } from "../shared/http.js";
import { normalizePrefix, routeBelow } from "../shared/prefix.js";
import { readRequestText } from "../shared/web-body.js";
import { requestHeaders } from "./headers.js";
import { toResponse } from "./respond.js";

/**
 * Options of the Fetch {@link apiKeyRoutes}: `actor(request, context)`
 * resolves the caller, `prefix` says where the API answers; `realm` and
 * `maxBodyBytes` are optional.
 *
 * @example
 * ```ts
 * const options: ApiKeyRoutesOptions = { actor: keyActor(keyward), prefix: "/settings/api-keys" };
 * ```
 */
export interface ApiKeyRoutesOptions extends ManagementOptions<Request> {
  /**
   * Path the API answers under, e.g. `/settings/api-keys`; any other path is
   * a 404. Default: every path (the handler sees only its own requests).
   */
  prefix?: string | undefined;
}

/**
 * A Fetch handler: what {@link apiKeyRoutes} returns. `server` is the
 * optional second argument a server hands its fetch handler (`Bun.serve`'s
 * server, `Deno.serve`'s info, a Worker's `env`, `@hono/node-server`'s
 * `{ incoming, outgoing }`); only the last is read, for the raw headers.
 *
 * @example
 * ```ts
 * const handler: FetchHandler = apiKeyRoutes(keyward, { actor: keyActor(keyward) });
 * Bun.serve({ fetch: handler });
 * ```
 */
export type FetchHandler = (request: Request, server?: unknown) => Promise<Response>;

/**
 * The key-management API as a Fetch handler, `(request) => Promise<Response>`,
 * answering under `prefix`: `POST /`, `GET /`, `GET /roles`,
 * `GET|PATCH|DELETE /:id`, `POST /:id/{disable,enable,rotate,revoke}`; any
 * other path or method is a JSON 404. It reads its own JSON body (capped at
 * `maxBodyBytes`). Every operation acts as `actor(request, context)`
 * (null → 401) and only on that actor's owner's keys. Web APIs only.
 *
 * @example
 * ```ts
 * // app/settings/api-keys/[[...path]]/route.ts (Next.js)
 * import { keyActor } from "keyward";
 * import { apiKeyRoutes } from "keyward/fetch";
 *
 * const handler = apiKeyRoutes(keyward, { actor: keyActor(keyward), prefix: "/settings/api-keys" });
 * export { handler as GET, handler as POST, handler as PATCH, handler as DELETE };
 * ```
 */
export function apiKeyRoutes(keyward: Keyward, options: ApiKeyRoutesOptions): FetchHandler {
  assertKeyward(keyward, "apiKeyRoutes");
  const prefix = normalizePrefix(options?.prefix);
  const handle = createManagementHandler(keyward, options);
  return async function keywardApiKeyRoutes(request, server) {
    let path = "/";
    let answer: HttpResponse;
    try {
      const url = new URL(request.url);
      path = url.pathname;
      const below = routeBelow(prefix, path);
      answer =
        below === null
          ? { status: 404, headers: { "cache-control": "no-store" }, body: errorBody(404, "Not found", path) }
          : await handle({
              method: request.method,
              route: below,
              path,
              query: url.searchParams,
              headers: requestHeaders(request, server),
              readBody: (limit) => readRequestText(request, limit),
              native: request,
            });
    } catch {
      answer = { status: 500, headers: { "cache-control": "no-store" }, body: errorBody(500, "Internal server error", path) };
    }
    return toResponse(answer);
  };
}
