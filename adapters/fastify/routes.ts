import type { FastifyInstance, FastifyPluginCallback, FastifyReply, FastifyRequest } from "fastify";
import type { Keyward } from "keyward";
import { createManagementHandler, errorBody, type HttpResponse, headersFromRaw, type ManagementOptions } from "keyward/http";
import { assertKeyward, queryOf } from "../shared/http.js";
import { nodeBodyReader } from "../shared/node-body.js";
import { pathOfRequest, send } from "./respond.js";

/**
 * Options of the Fastify {@link apiKeyRoutes}: `actor(request, context)`
 * resolves the caller; `realm` and `maxBodyBytes` are optional. The mount
 * path is Fastify's own `prefix` option of `register`.
 *
 * @example
 * ```ts
 * const options: ApiKeyRoutesOptions = { actor: (request) => request.session?.actor ?? null, maxBodyBytes: 8192 };
 * ```
 */
export type ApiKeyRoutesOptions = ManagementOptions<FastifyRequest>;

/** Every method the routes answer (a known path with another method is a JSON 404, as in every adapter). */
const METHODS = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"];

/**
 * The key-management API as an encapsulated Fastify plugin, to register
 * with a prefix: `POST /`, `GET /`, `GET /roles`, `GET|PATCH|DELETE /:id`,
 * `POST /:id/{disable,enable,rotate,revoke}`. Inside the plugin, Fastify's
 * body parsers are replaced by one that leaves the body unread, so the
 * routes parse their own JSON with the same limits as the other adapters
 * (`maxBodyBytes`) whatever parsers the application registered; nothing
 * leaks out of the plugin. Every operation acts as `actor(request, context)`
 * (null → 401) and only on that actor's owner's keys; `request.params` holds
 * the parameters of the prefix.
 *
 * @example
 * ```ts
 * import { keyActor } from "keyward";
 * import { apiKeyRoutes } from "keyward/fastify";
 *
 * await app.register(apiKeyRoutes(keyward, { actor: (request) => request.session?.actor ?? null }), { prefix: "/settings/api-keys" });
 * await app.register(apiKeyRoutes(keyward, { actor: keyActor(keyward) }), { prefix: "/integrations/api-keys" });
 * ```
 */
export function apiKeyRoutes(keyward: Keyward, options: ApiKeyRoutesOptions): FastifyPluginCallback {
  assertKeyward(keyward, "apiKeyRoutes");
  const handle = createManagementHandler(keyward, options);
  return function keywardApiKeyRoutes(instance: FastifyInstance, _options: unknown, done: (error?: Error) => void) {
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser("*", function leaveBodyUnread(_request, _payload, parsed) {
      parsed(null, undefined);
    });
    const depth = instance.prefix.split("/").filter(Boolean).length;
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      const url = request.raw.url ?? request.url;
      const path = pathOfRequest(request);
      let answer: HttpResponse;
      try {
        answer = await handle({
          method: request.method,
          route: `/${path.split("/").filter(Boolean).slice(depth).join("/")}`,
          path,
          query: new URLSearchParams(queryOf(url)),
          headers: headersFromRaw(request.raw.rawHeaders),
          readBody: nodeBodyReader(request.raw, () => request.body),
          native: request,
        });
      } catch {
        answer = { status: 500, headers: { "cache-control": "no-store" }, body: errorBody(500, "Internal server error", path) };
      }
      return send(reply, answer);
    };
    for (const url of ["/", "/*"]) instance.route({ method: METHODS, url, handler, exposeHeadRoute: false });
    done();
  };
}
