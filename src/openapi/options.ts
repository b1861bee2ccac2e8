import { assertPrefix, ConfigError, isValidScope } from "keyward";

/**
 * A JSON object of an OpenAPI document: a schema, an operation, a response.
 *
 * @example
 * ```ts
 * const ok: OpenApiObject = { description: "The job list", content: { "application/json": { schema: { type: "array" } } } };
 * ```
 */
export type OpenApiObject = Record<string, unknown>;

/**
 * An OpenAPI security scheme: how a caller proves who it is.
 *
 * @example
 * ```ts
 * const session: SecurityScheme = { type: "apiKey", in: "cookie", name: "sid", description: "The dashboard session" };
 * const oauth: SecurityScheme = { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "An OAuth2 access token" };
 * ```
 */
export type SecurityScheme =
  | { type: "http"; scheme: string; bearerFormat?: string; description?: string }
  | { type: "apiKey"; in: "header" | "query" | "cookie"; name: string; description?: string }
  | { type: "oauth2"; flows: OpenApiObject; description?: string }
  | { type: "openIdConnect"; openIdConnectUrl: string; description?: string };

/** HTTP methods an operation can have. */
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/**
 * One route of your own that `apiKeyAuth` protects, to describe next to the
 * management API: its API-key security and the 400, 401, 403 and 503 answers
 * keyward gives for it.
 *
 * @example
 * ```ts
 * const route: ProtectedRoute = {
 *   method: "get",
 *   path: "/v1/jobs",
 *   scopes: ["jobs:read"],
 *   summary: "List jobs",
 *   responses: { "200": { description: "The jobs", content: { "application/json": { schema: { type: "array" } } } } },
 * };
 * ```
 */
export interface ProtectedRoute {
  method: "get" | "put" | "post" | "delete" | "options" | "head" | "patch" | "trace";
  /** The route's path; parameters written as `{name}`. */
  path: string;
  /** Scopes the route requires (`requireScopes` or `apiKeyAuth({ scopes })`): adds the 403. */
  scopes?: readonly string[];
  /** The route also reads the key from the `apiKeyHeader` header (`apiKeyAuth({ header })`). */
  header?: boolean;
  summary?: string;
  description?: string;
  operationId?: string;
  tags?: readonly string[];
  /** Your route's own answers by status. Default: `{ "200": { description: "Success" } }`. */
  responses?: Record<string, OpenApiObject>;
}

/**
 * Options of {@link openApiDocument}.
 *
 * @example
 * ```ts
 * const options: OpenApiOptions = {
 *   prefix: "/settings/api-keys",
 *   info: { title: "Acme API keys", version: "2026-05" },
 *   servers: [{ url: "https://app.acme.test" }],
 *   keyPrefix: "cho",
 *   managementSecurity: { type: "apiKey", in: "cookie", name: "sid" },
 *   protectedRoutes: [{ method: "get", path: "/v1/jobs", scopes: ["jobs:read"] }],
 * };
 * ```
 */
export interface OpenApiOptions {
  /** Where `apiKeyRoutes` is mounted. Default `/settings/api-keys`; parameters written as `{name}`. */
  prefix?: string;
  /** `info` of the document. Default title `API keys`, version `1`. */
  info?: { title?: string; version?: string; description?: string };
  /** `servers` of the document (your API's base URLs). */
  servers?: readonly { url: string; description?: string }[];
  /** The key prefix of `createKeyward({ prefix })`: `rawKey` is then described exactly (`cho_` and 54 characters). */
  keyPrefix?: string;
  /**
   * How callers of the management API authenticate: what your `actor`
   * reads. Default an HTTP bearer token (an OAuth2 JWT for `jwtActor`, an
   * API key for `keyActor`); describe a session cookie as
   * `{ type: "apiKey", in: "cookie", name: "sid" }`.
   */
  managementSecurity?: SecurityScheme;
  /** The extra header `apiKeyAuth({ header })` reads the key from (`x-api-key`), for routes with `header: true`. */
  apiKeyHeader?: string;
  /** Routes of your own behind `apiKeyAuth`, described with their auth errors. */
  protectedRoutes?: readonly ProtectedRoute[];
  /**
   * Describe `GET {prefix}/openapi.json` too: the route `apiKeyRoutes`
   * serves this document at when given it (`apiKeyRoutes(keyward, { actor,
   * openApi: document })`). Default false.
   */
  servesDocument?: boolean;
}

/** {@link OpenApiOptions} checked, with defaults applied. */
export interface Settings {
  prefix: string;
  /** Names of the `{name}` parameters of the prefix. */
  prefixParams: string[];
  info: { title: string; version: string; description?: string };
  servers: { url: string; description?: string }[] | undefined;
  keyPrefix: string | undefined;
  managementSecurity: SecurityScheme;
  apiKeyHeader: string | undefined;
  protectedRoutes: ProtectedRoute[];
  servesDocument: boolean;
}

const OPTION_NAMES = [
  "prefix",
  "info",
  "servers",
  "keyPrefix",
  "managementSecurity",
  "apiKeyHeader",
  "protectedRoutes",
  "servesDocument",
];
const ROUTE_NAMES = ["method", "path", "scopes", "header", "summary", "description", "operationId", "tags", "responses"];
/** A path segment (RFC 3986 pchar) or a `{name}` parameter. */
const SEGMENT = /^(?:(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})+|\{[A-Za-z_][A-Za-z0-9_]*\})$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/;
const STATUS_KEY = /^(?:[1-5][0-9]{2}|[1-5]XX|default)$/;

function fail(message: string): never {
  throw new ConfigError(`openApiDocument: ${message}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function text(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.trim() === "") fail(`${name} must be a non-empty string`);
  return value;
}

function onlyKnown(value: Record<string, unknown>, names: readonly string[], what: string): void {
  for (const key of Object.keys(value)) if (!names.includes(key)) fail(`unknown ${what} \`${key}\``);
}

/** The `{name}` parameters of a path, checked: `/`, or `/`-separated segments. */
export function pathParams(path: unknown, name: string): string[] {
  if (typeof path !== "string" || !path.startsWith("/")) fail(`${name} must be a path starting with "/"`);
  if (path === "/") return [];
  const params: string[] = [];
  for (const segment of path.slice(1).split("/")) {
    if (segment.startsWith(":")) fail(`${name}: write path parameters as {${segment.slice(1)}}, not ${segment}`);
    if (!SEGMENT.test(segment)) fail(`${name} must be "/" or "/"-separated path segments without a trailing "/"`);
    if (segment.startsWith("{")) {
      const param = segment.slice(1, -1);
      if (params.includes(param)) fail(`${name} uses the parameter {${param}} twice`);
      params.push(param);
    }
  }
  return params;
}

function securityScheme(value: unknown): SecurityScheme {
  if (!isObject(value)) fail("managementSecurity must be an OpenAPI security scheme object");
  const s = value as Record<string, unknown>;
  const need = (key: string) => text(s[key], `managementSecurity.${key}`) ?? fail(`managementSecurity.${key} is required`);
  if (s.description !== undefined) text(s.description, "managementSecurity.description");
  if (s.type === "http") need("scheme");
  else if (s.type === "apiKey") {
    need("name");
    if (!["header", "query", "cookie"].includes(s.in as string))
      fail('managementSecurity.in must be "header", "query" or "cookie"');
  } else if (s.type === "oauth2") {
    if (!isObject(s.flows)) fail("managementSecurity.flows must be an object");
  } else if (s.type === "openIdConnect") need("openIdConnectUrl");
  else fail('managementSecurity.type must be "http", "apiKey", "oauth2" or "openIdConnect"');
  return structuredClone(value) as SecurityScheme;
}

function protectedRoute(value: unknown, i: number): ProtectedRoute {
  const name = `protectedRoutes[${i}]`;
  if (!isObject(value)) fail(`${name} must be an object`);
  onlyKnown(value, ROUTE_NAMES, `${name} field`);
  const method = typeof value.method === "string" ? value.method.toLowerCase() : "";
  if (!METHODS.includes(method)) fail(`${name}.method must be one of ${METHODS.join(", ")}`);
  pathParams(value.path, `${name}.path`);
  const scopes = value.scopes;
  if (scopes !== undefined && (!Array.isArray(scopes) || !scopes.every(isValidScope))) {
    fail(`${name}.scopes must be a list of valid scopes (resource:action)`);
  }
  if (value.header !== undefined && typeof value.header !== "boolean") fail(`${name}.header must be a boolean`);
  for (const key of ["summary", "description", "operationId"]) text(value[key], `${name}.${key}`);
  if (value.tags !== undefined && (!Array.isArray(value.tags) || !value.tags.every((t) => typeof t === "string" && t))) {
    fail(`${name}.tags must be a list of names`);
  }
  if (value.responses !== undefined) {
    if (!isObject(value.responses) || Object.keys(value.responses).length === 0) fail(`${name}.responses must be an object`);
    for (const [status, response] of Object.entries(value.responses)) {
      if (!STATUS_KEY.test(status)) fail(`${name}.responses: "${status}" is not a status code, "4XX" or "default"`);
      if (!isObject(response) || (typeof response.description !== "string" && typeof response.$ref !== "string")) {
        fail(`${name}.responses["${status}"] must be a response object with a description`);
      }
    }
  }
  return { ...structuredClone(value), method } as ProtectedRoute;
}

/** Checks the options (throwing {@link ConfigError}) and applies the defaults. */
export function settle(given: OpenApiOptions | undefined): Settings {
  if (given !== undefined && !isObject(given)) fail("options must be an object");
  const options: OpenApiOptions = given ?? {};
  onlyKnown(options as Record<string, unknown>, OPTION_NAMES, "option");
  const prefix = options.prefix ?? "/settings/api-keys";
  const prefixParams = pathParams(prefix, "prefix");
  if (prefixParams.includes("id")) fail("prefix may not use the parameter {id}: the routes below it use it");
  const info = options.info ?? {};
  if (!isObject(info)) fail("info must be an object");
  onlyKnown(info, ["title", "version", "description"], "info field");
  const description = text(info.description, "info.description");
  if (options.servers !== undefined) {
    const ok = Array.isArray(options.servers) && options.servers.every((s) => isObject(s) && text(s.url, "servers[].url"));
    if (!ok) fail("servers must be a list of { url, description? }");
  }
  if (options.keyPrefix !== undefined) assertPrefix(options.keyPrefix);
  const header = text(options.apiKeyHeader, "apiKeyHeader");
  if (header !== undefined && (!HEADER_NAME.test(header) || header.toLowerCase() === "authorization")) {
    fail("apiKeyHeader must be a header name other than Authorization");
  }
  const routes = options.protectedRoutes ?? [];
  if (!Array.isArray(routes)) fail("protectedRoutes must be a list");
  const protectedRoutes = routes.map(protectedRoute);
  if (header === undefined && protectedRoutes.some((r) => r.header))
    fail("a protected route with header: true needs apiKeyHeader");
  if (options.servesDocument !== undefined && typeof options.servesDocument !== "boolean")
    fail("servesDocument must be a boolean");
  return {
    prefix,
    prefixParams,
    info: {
      title: text(info.title, "info.title") ?? "API keys",
      version: text(info.version, "info.version") ?? "1",
      ...(description !== undefined && { description }),
    },
    servers: options.servers?.map((s) => ({ ...s })),
    keyPrefix: options.keyPrefix,
    managementSecurity:
      options.managementSecurity === undefined
        ? {
            type: "http",
            scheme: "bearer",
            description: "Whatever your `actor` accepts: an OAuth2 access token (JWT), or an API key holding api_keys:manage",
          }
        : securityScheme(options.managementSecurity),
    apiKeyHeader: header,
    protectedRoutes,
    servesDocument: options.servesDocument === true,
  };
}
