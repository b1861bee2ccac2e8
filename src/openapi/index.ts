/**
 * `keyward/openapi`: an OpenAPI 3.1 description of the key-management API
 * (`apiKeyRoutes`) and of the auth errors of routes behind `apiKeyAuth`, for
 * API references, client generators and contract tests. See
 * `docs/openapi.md`.
 *
 * @example
 * ```ts
 * import { openApiDocument } from "keyward/openapi";
 *
 * const doc = openApiDocument({ prefix: "/settings/api-keys", keyPrefix: "cho" });
 * await writeFile("openapi.json", JSON.stringify(doc, null, 2));
 * ```
 *
 * @module keyward/openapi
 */
export { type OpenApiDocument, openApiDocument } from "./document.js";
export type { OpenApiObject, OpenApiOptions, ProtectedRoute, SecurityScheme } from "./options.js";
