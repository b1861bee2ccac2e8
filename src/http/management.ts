import { type Actor, type ActorContext, ConfigError, type Keyward, NotFoundError, readCredential, verifyError } from "keyward";
import { parseJsonObject, pick, UnsupportedMediaTypeError } from "./body.js";
import { type RequestHeaders, standardHeaders } from "./headers.js";
import { assertRealm, authFailure, errorBody, errorResponse, type HttpResponse, type ResponseContext } from "./responses.js";
import { hasJsonType, refusesAsSimple } from "./simple-request.js";

/**
 * Resolves the caller of a management request from the framework's request
 * object (`req`, `c` or `ctx`) and the request's headers: `context.header(name)`
 * gives every value of a header, read the same way on every adapter. A
 * resolver that wraps another (`keyActor`, `jwtActor`) passes `context` on.
 *
 * @example
 * ```ts
 * const actor: ActorResolver<IncomingMessage> = async (req, context) => {
 *   const user = await sessions.userOf(req); // your own session lookup
 *   if (user) return { id: user.id, owner: user.orgId, role: user.role };
 *   return keyActor(keyward)(req, context); // or an integration's API key
 * };
 * ```
 */
export type ActorResolver<Req> = (
  request: Req,
  context: ActorContext,
) => Actor | null | undefined | Promise<Actor | null | undefined>;

/**
 * Options of `apiKeyRoutes` in every adapter.
 *
 * @example
 * ```ts
 * const options: ManagementOptions<IncomingMessage> = { actor: keyActor(keyward), maxBodyBytes: 8 * 1024 };
 * const handle = createManagementHandler(keyward, options);
 * ```
 */
export interface ManagementOptions<Req> {
  /** Who is calling: a session lookup, `jwtActor(...)` or `keyActor(keyward)`. `null` → 401. */
  actor: ActorResolver<Req>;
  /** `realm` of `WWW-Authenticate` on a 401. Default `"api"`. */
  realm?: string | undefined;
  /** Largest JSON body accepted, in bytes. Default 16 KiB. */
  maxBodyBytes?: number | undefined;
  /**
   * An OpenAPI document to serve at `GET /openapi.json` below the mount
   * point, without authentication: `openApiDocument({ prefix, servesDocument: true })`
   * from `keyward/openapi`. Default: not served (the path is then an id).
   */
  openApi?: object | undefined;
}

/**
 * One management request, as an adapter hands it over.
 *
 * @example
 * ```ts
 * const url = new URL(req.url ?? "/", "http://localhost"); // mounted at /api-keys
 * const request: ManagementRequest<IncomingMessage> = {
 *   method: req.method ?? "GET", route: url.pathname.slice("/api-keys".length) || "/", path: url.pathname,
 *   query: url.searchParams, headers: headersFromRaw(req.rawHeaders),
 *   readBody: (limit) => readText(req, limit), native: req, // readText: your body reader
 * };
 * const answer = await handle(request);
 * ```
 */
export interface ManagementRequest<Req> {
  method: string;
  /** Path below the mount point, starting with `/` (`/`, `/roles`, `/<id>/revoke`). */
  route: string;
  /** The full request path, for error bodies. */
  path: string;
  query: URLSearchParams;
  /**
   * The request's headers, read from the framework's raw form:
   * `headersFromRaw(rawHeaders)` on Node, `headersFromFetch(request.headers)`
   * elsewhere. (Left out, they are read from `native` when it is a Node
   * `IncomingMessage` or a Fetch `Request`: deprecated.)
   */
  headers: RequestHeaders;
  /** Reads the raw body as text; should reject (or return more than `maxBodyBytes`) when it is too large. */
  readBody: (limit: number) => Promise<string>;
  /** The framework's own request object, for the actor resolver. */
  native: Req;
}

type Handler = (
  kw: Keyward,
  actor: Actor,
  id: string,
  body: Record<string, unknown>,
  req: ManagementRequest<unknown>,
) => Promise<[number, unknown]>;

const ACTIONS: Record<string, Handler> = {
  disable: async (kw, actor, id) => [200, await kw.disable(id, { actor })],
  enable: async (kw, actor, id) => [200, await kw.enable(id, { actor })],
  revoke: async (kw, actor, id) => [200, await kw.revoke(id, { actor })],
};

/**
 * The management API behind `apiKeyRoutes`, framework-neutral: routes a
 * request, resolves the actor, parses the JSON body and answers with a
 * status and JSON body. The owner always comes from the actor. A
 * state-changing request a browser could send cross-site without a CORS
 * preflight (a form or text body, or a POST with neither a JSON
 * `Content-Type` nor a non-safelisted header such as `Authorization`) is
 * refused with 415 before anything else runs.
 *
 * @example
 * ```ts
 * const handle = createManagementHandler(keyward, { actor: (req) => req.user ?? null });
 * const headers = headersFromRaw(req.rawHeaders);
 * const res = await handle({ method: "GET", route: "/", path: "/keys", query, headers, readBody, native: req });
 * ```
 */
export function createManagementHandler<Req>(keyward: Keyward, options: ManagementOptions<Req>) {
  if (typeof options?.actor !== "function")
    throw new TypeError("apiKeyRoutes: `actor` must be a function (request, context) => Actor | null");
  if ((options as { maxGracePeriod?: unknown }).maxGracePeriod !== undefined) {
    throw new ConfigError("apiKeyRoutes: `maxGracePeriod` is an option of createKeyward now (createKeyward({ maxGracePeriod }))");
  }
  const realm = assertRealm(options.realm ?? "api");
  const maxBody = options.maxBodyBytes ?? 16 * 1024;
  const document = openApiOption(options.openApi);

  return async function handleManagement(req: ManagementRequest<Req>): Promise<HttpResponse> {
    const ctx: ResponseContext = { realm, path: req.path };
    const json = (status: number, body: unknown): HttpResponse => ({ status, headers: { "cache-control": "no-store" }, body });
    const segments = req.route.split("/").filter(Boolean).map(safeDecode);
    const method = req.method.toUpperCase();
    if (document !== undefined && method === "GET" && segments.length === 1 && segments[0] === "openapi.json") {
      return json(200, document);
    }
    const route = match(method, segments);
    if (!route) return json(404, errorBody(404, "Not found", req.path));
    const headers = req.headers ?? headersOf(req.native);
    if (refusesAsSimple(method, headers)) return unsupported(req.path);
    try {
      const actor = await options.actor(req.native, { header: headers.values });
      if (!actor) return noStore(unauthenticated(headers, ctx));
      const body = await readJsonBody(req, route.body, hasJsonType(headers), maxBody);
      const [status, payload] = await route.run(keyward, actor, body, req as ManagementRequest<unknown>);
      return json(status, payload);
    } catch (error) {
      return noStore(errorResponse(error, ctx));
    }
  };
}

/** The `openApi` option: a JSON-safe copy of an OpenAPI 3 document, or undefined. */
function openApiOption(value: unknown): unknown {
  if (value === undefined) return undefined;
  const version = (value as { openapi?: unknown } | null)?.openapi;
  if (value === null || typeof value !== "object" || typeof version !== "string" || !version.startsWith("3.")) {
    throw new ConfigError(
      "apiKeyRoutes: `openApi` must be an OpenAPI 3 document, e.g. openApiDocument({ prefix, servesDocument: true })",
    );
  }
  return JSON.parse(JSON.stringify(value));
}

function noStore(res: HttpResponse): HttpResponse {
  res.headers["cache-control"] = "no-store";
  return res;
}

/** The headers of a request handed over without them (the 0.1 form): from `native`, when it has a standard shape. */
function headersOf(native: unknown): RequestHeaders {
  const headers = standardHeaders(native);
  if (!headers) throw new TypeError("createManagementHandler: pass `headers` (headersFromRaw or headersFromFetch)");
  return headers;
}

/**
 * The answer when the actor resolver found no caller. RFC 6750 §3, as for
 * apiKeyAuth: a broken or doubled credential is a 400; a Bearer token that
 * was not accepted gets `error="invalid_token"`; nothing (or another scheme)
 * gets no `error`.
 */
function unauthenticated(headers: RequestHeaders, ctx: ResponseContext): HttpResponse {
  const sent = readCredential({ authorization: headers.values("authorization") });
  if (sent.kind === "invalid") return authFailure(sent.error, ctx);
  return authFailure(verifyError(sent.kind === "token" ? "invalid" : "missing"), ctx, undefined, "Authentication required");
}

function unsupported(path: string): HttpResponse {
  const error = new UnsupportedMediaTypeError();
  return { status: 415, headers: { "cache-control": "no-store" }, body: errorBody(415, error.message, path) };
}

/**
 * The JSON object of a route that takes a body (`{}` for one that does not).
 * A body that is not JSON-typed is read (within the limit) only to refuse it
 * when it is not empty: on Fetch runtimes a body may come without
 * `Content-Length`.
 */
async function readJsonBody(
  req: ManagementRequest<unknown>,
  wanted: boolean,
  jsonTyped: boolean,
  maxBody: number,
): Promise<Record<string, unknown>> {
  if (!wanted && jsonTyped) return {};
  const text = await req.readBody(maxBody);
  if (!jsonTyped && text !== "") throw new UnsupportedMediaTypeError();
  return wanted ? parseJsonObject(text, maxBody) : {};
}

interface Route {
  body: boolean;
  run: (kw: Keyward, actor: Actor, body: Record<string, unknown>, req: ManagementRequest<unknown>) => Promise<[number, unknown]>;
}

function match(method: string, seg: (string | null)[]): Route | null {
  if (seg.some((s) => s === null)) return null;
  const [first, action, ...rest] = seg as string[];
  if (rest.length > 0) return null;
  if (first === undefined) {
    if (method === "GET") return { body: false, run: list };
    if (method === "POST") return { body: true, run: create };
    return null;
  }
  if (first === "roles" && action === undefined) {
    return method === "GET" ? { body: false, run: roles } : null;
  }
  if (action === undefined) {
    if (method === "GET") return { body: false, run: (kw, actor) => get(kw, actor, first) };
    if (method === "PATCH")
      return {
        body: true,
        run: async (kw, actor, b) => [
          200,
          await kw.update(first, pick(b, ["label", "metadata", "scopes", "role", "ratelimit", "credits", "allowedIps"]), {
            actor,
          }),
        ],
      };
    if (method === "DELETE") return { body: false, run: async (kw, actor) => [200, await kw.revoke(first, { actor })] };
    return null;
  }
  if (method !== "POST") return null;
  if (action === "rotate") return { body: true, run: (kw, actor, b) => rotate(kw, actor, first, b) };
  const handler = ACTIONS[action];
  return handler && Object.hasOwn(ACTIONS, action)
    ? { body: false, run: (kw, actor, b, req) => handler(kw, actor, first, b, req) }
    : null;
}

async function list(kw: Keyward, actor: Actor, _b: unknown, req: ManagementRequest<unknown>): Promise<[number, unknown]> {
  const q = req.query;
  const limitText = q.get("limit");
  const status = q.get("status");
  const page = await kw.list(actor.owner, {
    actor,
    ...(limitText !== null && { limit: /^\d{1,4}$/.test(limitText) ? Number(limitText) : Number.NaN }),
    ...(q.get("cursor") && { cursor: q.get("cursor") }),
    ...(status !== null && { status: status as "active" }),
  });
  return [200, page];
}

/** The roles the actor may grant; like every management route, it needs the management permission. */
async function roles(kw: Keyward, actor: Actor): Promise<[number, unknown]> {
  return [200, kw.listRoles({ actor })];
}

async function create(kw: Keyward, actor: Actor, body: Record<string, unknown>): Promise<[number, unknown]> {
  const input = pick(body, ["label", "scopes", "role", "expiresAt", "metadata", "ratelimit", "credits", "allowedIps"]);
  const { key, apiKey } = await kw.create({ ...input, label: input.label as string }, { actor });
  return [201, { ...apiKey, rawKey: key }];
}

async function get(kw: Keyward, actor: Actor, id: string): Promise<[number, unknown]> {
  const apiKey = await kw.get(id, { actor });
  if (!apiKey) throw new NotFoundError();
  return [200, apiKey];
}

/** The grace period is checked by the core (a number of ms up to its `maxGracePeriod`). */
async function rotate(kw: Keyward, actor: Actor, id: string, body: Record<string, unknown>): Promise<[number, unknown]> {
  const grace = body.gracePeriod;
  const { key, apiKey } = await kw.rotate(id, { actor, ...(grace !== undefined && { gracePeriod: grace as number }) });
  return [201, { ...apiKey, rawKey: key }];
}

function safeDecode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}
