import { ConfigError } from "keyward";
import type { OpenApiObject, Settings } from "./options.js";
import { managementErrors, protectedErrors } from "./responses.js";
import { ref } from "./schemas.js";

const TAG = "API keys";
const JSON_TYPE = "application/json";

const json = (schema: OpenApiObject) => ({ [JSON_TYPE]: { schema } });
const answer = (description: string, schema: OpenApiObject): OpenApiObject => ({
  description,
  headers: { "Cache-Control": { $ref: "#/components/headers/CacheControl" } },
  content: json(schema),
});
const body = (schema: string, required: boolean, description: string): OpenApiObject => ({
  required,
  description,
  content: json(ref(schema)),
});
const NO_BODY = () => body("NoBody", false, "Nothing is read: send `Content-Type: application/json`, with `{}` or no body");

interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  requestBody?: OpenApiObject;
  parameters?: OpenApiObject[];
  success: [string, OpenApiObject];
  errors: ("404" | "409" | "422")[];
}

/** The management routes, by path below the mount point and method. */
function managementOperations(): Record<string, Record<string, Operation>> {
  const record = (description: string) => answer(description, ref("ApiKey"));
  const issued = (description: string) => answer(description, ref("IssuedApiKey"));
  return {
    "/": {
      post: {
        operationId: "createApiKey",
        summary: "Create a key",
        description: "The new key (`rawKey`) is in this answer only. The key belongs to the caller's owner.",
        requestBody: body("CreateApiKey", true, "The new key's label, scopes or role, expiry and metadata"),
        success: ["201", issued("The created key, with `rawKey`")],
        errors: ["422"],
      },
      get: {
        operationId: "listApiKeys",
        summary: "List keys",
        description: "The caller's owner's keys, newest first, a page at a time. Never a key or a hash.",
        parameters: [
          {
            name: "limit",
            in: "query",
            description: "Page size",
            schema: { type: "integer", minimum: 1, maximum: 100, default: 20 },
          },
          { name: "cursor", in: "query", description: "`nextCursor` of the previous page", schema: { type: "string" } },
          { name: "status", in: "query", description: "Only keys in this state", schema: ref("KeyStatus") },
        ],
        success: ["200", answer("A page of keys", ref("ApiKeyPage"))],
        errors: ["422"],
      },
    },
    "/roles": {
      get: {
        operationId: "listGrantableRoles",
        summary: "Roles the caller may grant",
        success: ["200", answer("Role names", ref("RoleNames"))],
        errors: [],
      },
    },
    "/{id}": {
      get: {
        operationId: "getApiKey",
        summary: "Get a key",
        success: ["200", record("The key")],
        errors: ["404"],
      },
      patch: {
        operationId: "updateApiKey",
        summary: "Rename a key or change its metadata",
        requestBody: body("UpdateApiKey", true, "The fields to change"),
        success: ["200", record("The key as changed")],
        errors: ["404", "409", "422"],
      },
      delete: {
        operationId: "deleteApiKey",
        summary: "Revoke a key",
        description: "The same as `POST /{id}/revoke`: the key is refused from now on, for good. The record stays.",
        success: ["200", record("The revoked key")],
        errors: ["404"],
      },
    },
    "/{id}/disable": {
      post: {
        operationId: "disableApiKey",
        summary: "Disable a key (reversible)",
        requestBody: NO_BODY(),
        success: ["200", record("The disabled key")],
        errors: ["404", "409"],
      },
    },
    "/{id}/enable": {
      post: {
        operationId: "enableApiKey",
        summary: "Enable a disabled key",
        requestBody: NO_BODY(),
        success: ["200", record("The enabled key")],
        errors: ["404", "409"],
      },
    },
    "/{id}/rotate": {
      post: {
        operationId: "rotateApiKey",
        summary: "Rotate a key",
        description:
          "Issues a new key with the same owner, label, role, scopes and metadata (`rotatedFrom` names the old one); the old key keeps working for `gracePeriod` ms, then reads as expired.",
        requestBody: body("RotateApiKey", false, "The grace period of the old key"),
        success: ["201", issued("The new key, with `rawKey`")],
        errors: ["404", "409", "422"],
      },
    },
    "/{id}/revoke": {
      post: {
        operationId: "revokeApiKey",
        summary: "Revoke a key",
        description: "The key is refused from now on, for good. The record stays, with `revokedAt`.",
        requestBody: NO_BODY(),
        success: ["200", record("The revoked key")],
        errors: ["404"],
      },
    },
  };
}

const pathParam = (name: string, description: string): OpenApiObject => ({
  name,
  in: "path",
  required: true,
  description,
  schema: { type: "string", minLength: 1 },
});

/** The `paths` of the management API under the mount point, and of the protected routes. */
export function paths(settings: Settings): Record<string, OpenApiObject> {
  const out: Record<string, OpenApiObject> = {};
  const mount = settings.prefix === "/" ? "" : settings.prefix;
  const mountParams = settings.prefixParams.map((name) => pathParam(name, "A parameter of the mount point"));
  for (const [route, methods] of Object.entries(managementOperations())) {
    const path = route === "/" ? mount || "/" : mount + route;
    const params = route.includes("{id}") ? [...mountParams, pathParam("id", "The key's id")] : mountParams;
    const item: OpenApiObject = params.length > 0 ? { parameters: params } : {};
    for (const [method, op] of Object.entries(methods)) {
      item[method] = {
        operationId: op.operationId,
        summary: op.summary,
        ...(op.description !== undefined && { description: op.description }),
        tags: [TAG],
        security: [{ management: [] }],
        ...(op.parameters && { parameters: op.parameters }),
        ...(op.requestBody && { requestBody: op.requestBody }),
        responses: { [op.success[0]]: op.success[1], ...managementErrors(op.errors) },
      };
    }
    out[path] = item;
  }
  if (settings.servesDocument) {
    out[`${mount}/openapi.json`] = {
      ...(mountParams.length > 0 && { parameters: mountParams }),
      get: {
        operationId: "getOpenApiDocument",
        summary: "This document",
        description: "The OpenAPI document of this API, served without authentication.",
        tags: [TAG],
        security: [],
        responses: { "200": answer("The OpenAPI 3.1 document", { type: "object", required: ["openapi"] }) },
      },
    };
  }
  const shapes = new Map(Object.keys(out).map((path) => [shape(path), path]));
  const ids = new Set(Object.values(managementOperations()).flatMap((m) => Object.values(m).map((op) => op.operationId)));
  for (const route of settings.protectedRoutes) {
    const same = shapes.get(shape(route.path)) ?? route.path;
    if (same !== route.path) throw new ConfigError(`openApiDocument: ${route.path} and ${same} are the same path`);
    shapes.set(shape(route.path), route.path);
    const item = (out[route.path] ??= {});
    if (item[route.method] !== undefined) {
      throw new ConfigError(`openApiDocument: ${route.method.toUpperCase()} ${route.path} is described twice`);
    }
    if (route.operationId !== undefined) {
      if (ids.has(route.operationId)) throw new ConfigError(`openApiDocument: operationId ${route.operationId} is used twice`);
      ids.add(route.operationId);
    }
    const params = [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => pathParam(m[1] as string, "A path parameter"));
    if (params.length > 0 && item.parameters === undefined) item.parameters = params;
    const scopes = [...(route.scopes ?? [])];
    item[route.method] = {
      ...(route.operationId !== undefined && { operationId: route.operationId }),
      ...(route.summary !== undefined && { summary: route.summary }),
      ...(route.description !== undefined && { description: route.description }),
      ...(route.tags !== undefined && { tags: [...route.tags] }),
      security: route.header ? [{ apiKey: scopes }, { apiKeyHeader: scopes }] : [{ apiKey: scopes }],
      responses: { ...(route.responses ?? { "200": { description: "Success" } }), ...protectedErrors(scopes.length > 0) },
    };
  }
  return out;
}

/** A path with its parameter names dropped: two paths of one shape are the same path to OpenAPI. */
function shape(path: string): string {
  return path.replace(/\{[^}]+\}/g, "{}");
}
