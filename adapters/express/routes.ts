import express, { type Request, type Router } from "express";
import type { Keyward } from "keyward";
import { createManagementHandler, errorBody, type HttpResponse, headersFromRaw, type ManagementOptions } from "keyward/http";
import { assertKeyward, pathOf, queryOf } from "../shared/http.js";
import { nodeBodyReader } from "../shared/node-body.js";
import { send } from "./send.js";

/**
 * Options of the Express {@link apiKeyRoutes}: `actor(req, context)` resolves
 * the caller; `realm` and `maxBodyBytes` are optional.
 *
 * @example
 * ```ts
 * const options: ApiKeyRoutesOptions = { actor: (req) => req.session?.actor ?? null, maxBodyBytes: 8192 };
 * ```
 */
export type ApiKeyRoutesOptions = ManagementOptions<Request>;

/**
 * The key-management API as an Express `Router`: `POST /`, `GET /`,
 * `GET /roles`, `GET|PATCH|DELETE /:id`, `POST /:id/{disable,enable,rotate,revoke}`.
 * It reads its own JSON body (capped at `maxBodyBytes`), so no body parser is
 * needed; if one already ran, its `req.body` is used. Every operation acts as
 * `actor(req, context)` (null → 401) and only on that actor's owner's keys. Created
 * with `mergeParams`, so `actor` sees the parameters of the mount path.
 *
 * @example
 * ```ts
 * import { keyActor } from "keyward";
 * import { apiKeyRoutes } from "keyward/express";
 *
 * app.use("/settings/api-keys", apiKeyRoutes(keyward, { actor: (req) => req.session?.actor ?? null }));
 * app.use("/integrations/api-keys", apiKeyRoutes(keyward, { actor: keyActor(keyward) }));
 * ```
 */
export function apiKeyRoutes(keyward: Keyward, options: ApiKeyRoutesOptions): Router {
  assertKeyward(keyward, "apiKeyRoutes");
  const handle = createManagementHandler(keyward, options);
  const router = express.Router({ mergeParams: true });
  router.use(async function keywardApiKeyRoutes(req, res) {
    const path = pathOf(req.originalUrl);
    let answer: HttpResponse;
    try {
      answer = await handle({
        method: req.method,
        route: req.path,
        path,
        query: new URLSearchParams(queryOf(req.url)),
        headers: headersFromRaw(req.rawHeaders),
        readBody: nodeBodyReader(req, () => req.body),
        native: req,
      });
    } catch {
      answer = { status: 500, headers: { "cache-control": "no-store" }, body: errorBody(500, "Internal server error", path) };
    }
    send(res, answer);
  });
  return router;
}
