import type { OpenApiObject, OpenApiOptions, SecurityScheme } from "./options.js";
import { settle } from "./options.js";
import { paths } from "./paths.js";
import { headers, responses } from "./responses.js";
import { schemas } from "./schemas.js";

/**
 * An OpenAPI 3.1 document, as plain JSON-safe objects: serve it with
 * `JSON.stringify`, hand it to a client generator, or merge its `paths` and
 * `components` into your own document.
 *
 * @example
 * ```ts
 * const doc: OpenApiDocument = openApiDocument();
 * doc.openapi; // "3.1.0"
 * Object.keys(doc.paths); // ["/settings/api-keys", "/settings/api-keys/roles", "/settings/api-keys/{id}", …]
 * doc.components.schemas.ApiKey; // the JSON Schema of a key's record
 * ```
 */
export interface OpenApiDocument {
  openapi: "3.1.0";
  info: { title: string; version: string; description?: string };
  servers?: { url: string; description?: string }[];
  tags: { name: string; description: string }[];
  /** Path items by path: the management API under the mount point, then your protected routes. */
  paths: Record<string, OpenApiObject>;
  components: {
    /** `ApiKey`, `IssuedApiKey` (with `rawKey`), `ApiKeyPage`, `RoleNames`, `ErrorBody`, the request bodies, … */
    schemas: Record<string, OpenApiObject>;
    /** Every error answer: `Unauthorized`, `ValidationFailed`, …, and `ApiKeyUnauthorized`, … for protected routes. */
    responses: Record<string, OpenApiObject>;
    headers: Record<string, OpenApiObject>;
    /** `management` (the management API's callers), `apiKey` (Bearer API key) and, when configured, `apiKeyHeader`. */
    securitySchemes: Record<string, SecurityScheme>;
  };
}

const DESCRIPTION =
  "Create, list, rotate and revoke the API keys of your organisation. Every operation acts only on the keys of the caller's own organisation; a key is shown once, when it is created or rotated.";

/**
 * The OpenAPI 3.1 document of the key-management API that `apiKeyRoutes`
 * serves (every route, request body, answer and error, with its headers),
 * and of the auth errors of routes behind `apiKeyAuth`. Plain objects, a
 * new copy on every call; no dependency. Throws `ConfigError` for bad
 * options.
 *
 * @example
 * ```ts
 * import { openApiDocument } from "keyward/openapi";
 *
 * const doc = openApiDocument({
 *   prefix: "/settings/api-keys", // where apiKeyRoutes is mounted
 *   info: { title: "Acme API keys", version: "1" },
 *   keyPrefix: "cho",
 *   managementSecurity: { type: "apiKey", in: "cookie", name: "sid", description: "The dashboard session" },
 *   apiKeyHeader: "x-api-key",
 *   protectedRoutes: [{ method: "get", path: "/v1/jobs", scopes: ["jobs:read"], header: true }],
 * });
 * app.get("/openapi.json", (c) => c.json(doc));
 * ```
 */
export function openApiDocument(options?: OpenApiOptions): OpenApiDocument {
  const settings = settle(options);
  const securitySchemes: Record<string, SecurityScheme> = {
    management: settings.managementSecurity,
    apiKey: {
      type: "http",
      scheme: "bearer",
      bearerFormat: "API key",
      description: "An API key: `Authorization: Bearer <key>`",
    },
  };
  if (settings.apiKeyHeader !== undefined) {
    securitySchemes.apiKeyHeader = {
      type: "apiKey",
      in: "header",
      name: settings.apiKeyHeader,
      description: `An API key in \`${settings.apiKeyHeader}\` (sending it there and in Authorization is a 400)`,
    };
  }
  return {
    openapi: "3.1.0",
    info: { description: DESCRIPTION, ...settings.info },
    ...(settings.servers && { servers: settings.servers }),
    tags: [{ name: "API keys", description: "The key-management API" }],
    paths: paths(settings),
    components: {
      schemas: schemas(settings.keyPrefix),
      responses: responses(),
      headers: headers(),
      securitySchemes,
    },
  };
}
