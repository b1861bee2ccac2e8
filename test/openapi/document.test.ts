/**
 * `keyward/openapi`: a real OpenAPI validator accepts the document, it
 * describes every route of `apiKeyRoutes` with every status it can answer,
 * its schemas accept what the core and `keyward/http` really produce, and
 * bad options are refused with a ConfigError.
 */
import { readdirSync, readFileSync } from "node:fs";
import { validate } from "@readme/openapi-parser";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { ConfigError, createKeyward, generateKey, NotFoundError, StoreUnavailableError, ValidationError } from "keyward";
import { authFailure, challenge, errorResponse } from "keyward/http";
import { memoryStore } from "keyward/memory";
import { type OpenApiDocument, type OpenApiObject, type OpenApiOptions, openApiDocument } from "keyward/openapi";
import { describe, expect, it } from "vitest";

// biome-ignore lint/suspicious/noExplicitAny: the test walks the JSON of the document freely
type Obj = Record<string, any>;

async function problems(doc: OpenApiDocument): Promise<unknown> {
  const result = await validate(structuredClone(doc) as never);
  return result.valid ? [] : (result as { errors: unknown }).errors;
}

/** A validator of `schema`, whose `#/components/…` refs point into `doc`. */
function validator(doc: OpenApiDocument, schema: OpenApiObject) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  ajv.addSchema(doc as never, "doc");
  const check = ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"doc#/components/')));
  return (value: unknown) => {
    const ok = check(value);
    return ok ? "ok" : ajv.errorsText(check.errors);
  };
}

const EVERYTHING: OpenApiOptions = {
  prefix: "/orgs/{org}/api-keys",
  info: { title: "Acme keys", version: "2026-05", description: "Keys of Acme" },
  servers: [{ url: "https://app.acme.test", description: "production" }],
  keyPrefix: "sk_live",
  managementSecurity: { type: "oauth2", flows: { clientCredentials: { tokenUrl: "https://auth.acme.test/token", scopes: {} } } },
  apiKeyHeader: "x-api-key",
  protectedRoutes: [
    { method: "get", path: "/v1/jobs", scopes: ["jobs:read"], header: true, operationId: "listJobs", tags: ["Jobs"] },
    {
      method: "post",
      path: "/v1/jobs/{job}/run",
      scopes: ["jobs:write"],
      summary: "Run a job",
      responses: { "202": { description: "Started", content: { "application/json": { schema: { type: "object" } } } } },
    },
    { method: "delete", path: "/v1/cache" },
  ],
};

describe("a real OpenAPI validator (@readme/openapi-parser) accepts the document", () => {
  it.each<[string, OpenApiOptions | undefined]>([
    ["default options", undefined],
    ["a custom prefix", { prefix: "/api/v2/keys" }],
    ["the root as prefix", { prefix: "/" }],
    ["describing the route that serves it", { prefix: "/orgs/{org}/keys", servesDocument: true }],
    ["every option", EVERYTHING],
    ["a session cookie for management", { managementSecurity: { type: "apiKey", in: "cookie", name: "sid" } }],
    [
      "OpenID Connect for management",
      { managementSecurity: { type: "openIdConnect", openIdConnectUrl: "https://id.test/.well-known" } },
    ],
  ])("%s", async (_name, options) => {
    const doc = openApiDocument(options);
    expect(doc.openapi).toBe("3.1.0");
    expect(await problems(doc)).toEqual([]);
  });

  it("and refuses a broken one (the check is real)", async () => {
    const doc = openApiDocument() as Obj;
    delete doc.paths["/settings/api-keys"].post.responses["201"].description;
    expect(await problems(doc as OpenApiDocument)).not.toEqual([]);
    const dangling = openApiDocument() as Obj;
    dangling.paths["/settings/api-keys/{id}"].get.responses["200"].content["application/json"].schema = {
      $ref: "#/components/schemas/Missing",
    };
    expect(await problems(dangling as OpenApiDocument)).not.toEqual([]);
  });
});

/** The management routes of docs/http.md, with the statuses each can answer. */
const COMMON = ["400", "401", "403", "413", "415", "500", "503"];
const ROUTES: [string, string, string, string[]][] = [
  ["post", "", "201", ["422"]],
  ["get", "", "200", ["422"]],
  ["get", "/roles", "200", []],
  ["get", "/{id}", "200", ["404"]],
  ["patch", "/{id}", "200", ["404", "409", "422"]],
  ["delete", "/{id}", "200", ["404"]],
  ["post", "/{id}/disable", "200", ["404", "409"]],
  ["post", "/{id}/enable", "200", ["404", "409"]],
  ["post", "/{id}/rotate", "201", ["404", "409", "422"]],
  ["post", "/{id}/revoke", "200", ["404"]],
];

describe("the management API", () => {
  it.each([
    ["/settings/api-keys", "/settings/api-keys"],
    ["/keys", "/keys"],
    ["/", ""],
  ])("every route of apiKeyRoutes under prefix %s, with every status it answers", (prefix, mount) => {
    const doc = openApiDocument({ prefix });
    const described = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((k) => k !== "parameters")
        .map((method) => `${method} ${path}`),
    );
    expect(described.sort()).toEqual(ROUTES.map(([m, r]) => `${m} ${mount + r || "/"}`).sort());
    for (const [method, route, success, extra] of ROUTES) {
      const op = doc.paths[mount + route || "/"]?.[method] as Obj;
      expect(Object.keys(op.responses).sort(), `${method} ${route}`).toEqual([success, ...COMMON, ...extra].sort());
      expect(op.security).toEqual([{ management: [] }]);
    }
  });

  it("declares the path parameters of the prefix and the key id", () => {
    const doc = openApiDocument({ prefix: "/orgs/{org}/keys" });
    const names = (path: string) => ((doc.paths[path] as Obj).parameters as Obj[]).map((p) => p.name);
    expect(names("/orgs/{org}/keys")).toEqual(["org"]);
    expect(names("/orgs/{org}/keys/{id}/rotate")).toEqual(["org", "id"]);
    expect(openApiDocument().paths["/settings/api-keys"]).not.toHaveProperty("parameters");
  });

  it("describes the bodies: create needs a label; list takes limit, cursor and status; rotate a grace period", () => {
    const doc = openApiDocument() as Obj;
    const schemas = doc.components.schemas;
    expect(doc.paths["/settings/api-keys"].post.requestBody).toMatchObject({
      required: true,
      content: { "application/json": { schema: { $ref: "#/components/schemas/CreateApiKey" } } },
    });
    expect(schemas.CreateApiKey.required).toEqual(["label"]);
    const usage = ["ratelimit", "credits", "allowedIps"];
    expect(Object.keys(schemas.CreateApiKey.properties)).toEqual(["label", "scopes", "role", "expiresAt", "metadata", ...usage]);
    expect(Object.keys(schemas.UpdateApiKey.properties)).toEqual(["label", "metadata", "scopes", "role", ...usage]);
    expect(schemas.RotateApiKey.properties.gracePeriod).toMatchObject({ type: "number", minimum: 0 });
    const params = doc.paths["/settings/api-keys"].get.parameters as Obj[];
    expect(params.map((p) => [p.name, p.in])).toEqual([
      ["limit", "query"],
      ["cursor", "query"],
      ["status", "query"],
    ]);
    expect(schemas.KeyStatus.enum).toEqual(["active", "disabled", "revoked", "expired"]);
  });

  it("security schemes: a bearer token for management unless told otherwise, a Bearer API key for protected routes", () => {
    const plain = openApiDocument().components.securitySchemes;
    expect(plain.management).toMatchObject({ type: "http", scheme: "bearer" });
    expect(plain.apiKey).toMatchObject({ type: "http", scheme: "bearer" });
    expect(plain).not.toHaveProperty("apiKeyHeader");
    const cookie = { type: "apiKey", in: "cookie", name: "sid", description: "session" } as const;
    const custom = openApiDocument({ managementSecurity: cookie, apiKeyHeader: "X-Api-Key" }).components.securitySchemes;
    expect(custom.management).toEqual(cookie);
    expect(custom.apiKeyHeader).toMatchObject({ type: "apiKey", in: "header", name: "X-Api-Key" });
  });
});

describe("the schemas accept what keyward really answers", () => {
  /** SPEC §8: the usage controls, null when the key has none. */
  const USAGE_FIELDS = ["ratelimit", "credits", "remaining", "allowedIps"];
  const SPEC_FIELDS = [
    "id",
    "owner",
    "label",
    "keyPrefix",
    "last4",
    "scopes",
    "role",
    "status",
    "active",
    "createdBy",
    "createdAt",
    "expiresAt",
    "disabledAt",
    "revokedAt",
    "lastUsedAt",
    "rotatedFrom",
    "rotatedTo",
    "metadata",
  ];

  it("ApiKey lists every field of the record, times as date-time strings, nullable where they can be null", () => {
    const { ApiKey, IssuedApiKey } = openApiDocument().components.schemas as Obj;
    expect([...ApiKey.required].sort()).toEqual([...SPEC_FIELDS, ...USAGE_FIELDS].sort());
    expect(ApiKey.additionalProperties).toBe(false);
    expect(IssuedApiKey.required).toEqual([...ApiKey.required, "rawKey"]);
    for (const f of ["createdAt", "expiresAt", "disabledAt", "revokedAt", "lastUsedAt"]) {
      expect(ApiKey.properties[f].format, f).toBe("date-time");
    }
    const nullable = Object.keys(ApiKey.properties).filter((f) => [ApiKey.properties[f].type].flat().includes("null"));
    expect(nullable.sort()).toEqual(
      [
        "role",
        "createdBy",
        "expiresAt",
        "disabledAt",
        "revokedAt",
        "lastUsedAt",
        "rotatedFrom",
        "rotatedTo",
        ...USAGE_FIELDS,
      ].sort(),
    );
  });

  it("records in every state, a created and a rotated key, and a page validate", async () => {
    const doc = openApiDocument({ keyPrefix: "cho" });
    const apiKey = validator(doc, { $ref: "#/components/schemas/ApiKey" });
    const issued = validator(doc, { $ref: "#/components/schemas/IssuedApiKey" });
    const page = validator(doc, { $ref: "#/components/schemas/ApiKeyPage" });
    const kw = createKeyward({ store: memoryStore(), prefix: "cho", roles: { admin: ["jobs:*", "api_keys:manage"] } });
    const actor = { id: "u_1", owner: "org_1", role: "admin" };
    const made = await kw.create(
      { label: "Full", scopes: ["jobs:read"], role: "admin", expiresAt: Date.now() + 3_600_000, metadata: { team: "x" } },
      { actor },
    );
    expect(issued({ ...made.apiKey, rawKey: made.key })).toBe("ok");
    expect(apiKey(made.apiKey)).toBe("ok");
    expect(apiKey({ ...made.apiKey, rawKey: made.key })).not.toBe("ok"); // a record never carries the key
    expect(await kw.verify(made.key)).toMatchObject({ ok: true });
    expect(apiKey(await kw.disable(made.apiKey.id, { actor }))).toBe("ok");
    expect(apiKey(await kw.enable(made.apiKey.id, { actor }))).toBe("ok");
    const rotated = await kw.rotate(made.apiKey.id, { actor, gracePeriod: 60_000 });
    expect(issued({ ...rotated.apiKey, rawKey: rotated.key })).toBe("ok");
    expect(apiKey(await kw.get(made.apiKey.id, { actor }))).toBe("ok");
    expect(apiKey(await kw.revoke(rotated.apiKey.id, { actor }))).toBe("ok");
    const bare = await kw.create({ owner: "org_1", label: "server-made" });
    expect(apiKey(bare.apiKey)).toBe("ok");
    const limited = await kw.create({
      owner: "org_1",
      label: "usage controls",
      ratelimit: { limit: 10, window: 60_000 },
      credits: { remaining: 5, refill: { amount: 5, interval: 3_600_000 } },
      allowedIps: ["203.0.113.0/24", "2001:db8::/32"],
    });
    expect(apiKey(limited.apiKey)).toBe("ok");
    expect(apiKey({ ...limited.apiKey, ratelimit: { limit: 0, window: 1 } })).not.toBe("ok");
    const listed = await kw.list("org_1", { limit: 2 });
    expect(listed.nextCursor).not.toBeNull();
    expect(page(listed)).toBe("ok");
    expect(page(await kw.list("org_1", { limit: 100 }))).toBe("ok");
    expect(apiKey({ ...bare.apiKey, createdAt: "yesterday" })).not.toBe("ok");
    await kw.close();
  });

  it("rawKey is described exactly for the configured key prefix", () => {
    const rawKey = (options?: OpenApiOptions) =>
      new RegExp((openApiDocument(options).components.schemas as Obj).IssuedApiKey.properties.rawKey.pattern);
    expect(rawKey({ keyPrefix: "cho" }).test(generateKey("cho").key)).toBe(true);
    expect(rawKey({ keyPrefix: "cho" }).test(generateKey("sk_live").key)).toBe(false);
    expect(rawKey().test(generateKey("sk_live").key)).toBe(true);
    expect(rawKey().test(`x${generateKey("cho").key}!`)).toBe(false);
  });

  it("error answers of keyward/http match the error responses, headers included", () => {
    const doc = openApiDocument() as Obj;
    const bodyOf = (name: string) =>
      validator(doc as OpenApiDocument, doc.components.responses[name].content["application/json"].schema);
    const headerOf = (name: string) => new RegExp(doc.components.headers[name].schema.pattern);
    const ctx = { realm: "api", path: "/settings/api-keys", retryAfter: 5 };
    const cases: [string, ReturnType<typeof authFailure>][] = [
      ["ApiKeyBadRequest", authFailure("invalid_request", ctx)],
      ["ApiKeyUnauthorized", authFailure("missing", ctx)],
      ["ApiKeyUnauthorized", authFailure("revoked", ctx)],
      ["ApiKeyForbidden", authFailure("insufficient_scope", ctx, ["jobs:write", "jobs:read"])],
      ["ApiKeyUnavailable", authFailure("unavailable", ctx)],
      ["NotFound", errorResponse(new NotFoundError(), ctx)],
      ["ValidationFailed", errorResponse(new ValidationError([{ field: "label", message: "must not be blank" }]), ctx)],
      ["ServiceUnavailable", errorResponse(new StoreUnavailableError(new Error("down")), ctx)],
      ["InternalError", errorResponse(new Error("boom"), ctx)],
    ];
    for (const [name, answer] of cases) {
      expect(bodyOf(name)(answer.body), name).toBe("ok");
      const declared = doc.components.responses[name].headers;
      expect(
        Object.keys(declared)
          .map((h) => h.toLowerCase())
          .sort(),
        name,
      ).toEqual(expect.arrayContaining(Object.keys(answer.headers).filter((h) => h !== "cache-control")));
    }
    expect(bodyOf("Unauthorized")(authFailure("missing", ctx).body)).toBe("ok");
    expect(bodyOf("NotFound")(authFailure("missing", ctx).body)).not.toBe("ok");
    expect(bodyOf("ValidationFailed")(errorResponse(new NotFoundError(), ctx).body)).not.toBe("ok");
    expect(headerOf("ChallengeUnauthorized").test(challenge("api"))).toBe(true);
    expect(headerOf("ChallengeUnauthorized").test(challenge("partners", "invalid_token"))).toBe(true);
    expect(headerOf("ChallengeUnauthorized").test(challenge("api", "insufficient_scope", ["a:b"]))).toBe(false);
    expect(headerOf("ChallengeInsufficientScope").test(challenge("api", "insufficient_scope", ["a:b", "c:*"]))).toBe(true);
    expect(headerOf("ChallengeInvalidRequest").test(challenge("api", "invalid_request"))).toBe(true);
    for (const name of ["Unauthorized", "ApiKeyUnauthorized"]) {
      expect(doc.components.responses[name].headers["WWW-Authenticate"]).toEqual({
        $ref: "#/components/headers/ChallengeUnauthorized",
      });
    }
    expect(doc.components.headers.RetryAfter).toMatchObject({ required: true, schema: { type: "integer" } });
  });
});

describe("protected routes", () => {
  it("carry the API-key security with their scopes, and the auth errors (a scope's 403 only where one is required)", () => {
    const doc = openApiDocument(EVERYTHING) as Obj;
    const jobs = doc.paths["/v1/jobs"].get;
    expect(jobs.security).toEqual([{ apiKey: ["jobs:read"] }, { apiKeyHeader: ["jobs:read"] }]);
    expect(Object.keys(jobs.responses).sort()).toEqual(["200", "400", "401", "403", "429", "503"]);
    expect(jobs.responses["403"]).toEqual({ $ref: "#/components/responses/ApiKeyForbidden" });
    expect(jobs.responses["429"]).toEqual({ $ref: "#/components/responses/ApiKeyTooManyRequests" });
    expect(jobs.responses["401"]).toEqual({ $ref: "#/components/responses/ApiKeyUnauthorized" });
    const run = doc.paths["/v1/jobs/{job}/run"];
    expect(run.parameters.map((p: Obj) => p.name)).toEqual(["job"]);
    expect(Object.keys(run.post.responses).sort()).toEqual(["202", "400", "401", "403", "429", "503"]);
    expect(run.post.security).toEqual([{ apiKey: ["jobs:write"] }]);
    const cache = doc.paths["/v1/cache"].delete.responses;
    expect(Object.keys(cache).sort()).toEqual(["200", "400", "401", "403", "429", "503"]);
    expect(cache["403"]).toEqual({ $ref: "#/components/responses/ApiKeyNotFromHere" }); // an IP allowlist, no challenge
  });
});

describe("options", () => {
  it.each<[string, unknown, RegExp]>([
    ["a prefix without a leading slash", { prefix: "keys" }, /prefix must be a path/],
    ["a prefix with a trailing slash", { prefix: "/keys/" }, /without a trailing/],
    ["a prefix with a query", { prefix: "/keys?x=1" }, /path segments/],
    ["an empty segment", { prefix: "/a//b" }, /path segments/],
    ["an Express-style parameter", { prefix: "/orgs/:org/keys" }, /\{org\}/],
    ["a parameter named id", { prefix: "/users/{id}/keys" }, /\{id\}/],
    ["a parameter used twice", { prefix: "/{a}/{a}" }, /twice/],
    ["a prefix that is not a string", { prefix: 42 }, /prefix/],
    ["an unknown option", { basePath: "/keys" }, /unknown option `basePath`/],
    ["options that are not an object", "/keys", /options must be an object/],
    ["a bad key prefix", { keyPrefix: "Not Valid" }, /prefix must be/],
    ["an empty title", { info: { title: "" } }, /info.title/],
    ["servers without url", { servers: [{ description: "x" }] }, /servers/],
    ["an unknown security type", { managementSecurity: { type: "magic" } }, /managementSecurity.type/],
    ["an apiKey scheme without name", { managementSecurity: { type: "apiKey", in: "cookie" } }, /managementSecurity.name/],
    ["an apiKey scheme in the body", { managementSecurity: { type: "apiKey", in: "body", name: "x" } }, /managementSecurity.in/],
    ["Authorization as the API-key header", { apiKeyHeader: "Authorization" }, /apiKeyHeader/],
    ["a header name with a space", { apiKeyHeader: "x api key" }, /apiKeyHeader/],
    ["a protected route with a bad method", { protectedRoutes: [{ method: "fetch", path: "/a" }] }, /method/],
    ["a protected route with a bad scope", { protectedRoutes: [{ method: "get", path: "/a", scopes: ["a b"] }] }, /scopes/],
    ["header: true without apiKeyHeader", { protectedRoutes: [{ method: "get", path: "/a", header: true }] }, /apiKeyHeader/],
    ["a bad status key", { protectedRoutes: [{ method: "get", path: "/a", responses: { ok: { description: "x" } } }] }, /status/],
    [
      "a response without description",
      { protectedRoutes: [{ method: "get", path: "/a", responses: { "200": {} } }] },
      /description/,
    ],
    [
      "a protected route over a management route",
      { prefix: "/keys", protectedRoutes: [{ method: "get", path: "/keys/{id}" }] },
      /described twice/,
    ],
    [
      "the same path with another parameter name",
      { prefix: "/keys", protectedRoutes: [{ method: "put", path: "/keys/{key}" }] },
      /same path/,
    ],
    [
      "a duplicated operationId",
      { protectedRoutes: [{ method: "get", path: "/a", operationId: "getApiKey" }] },
      /operationId getApiKey is used twice/,
    ],
    [
      "a protected route described twice",
      {
        protectedRoutes: [
          { method: "get", path: "/a" },
          { method: "GET", path: "/a" },
        ],
      },
      /twice/,
    ],
  ])("refuses %s with a ConfigError", (_name, options, message) => {
    let thrown: unknown;
    try {
      openApiDocument(options as OpenApiOptions);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as Error).message).toMatch(message);
  });

  it("returns a new JSON-safe copy on every call and never shares the caller's objects", () => {
    const options: OpenApiOptions = structuredClone(EVERYTHING);
    const before = structuredClone(options);
    const a = openApiDocument(options);
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
    (a.components.schemas.ApiKey as Obj).required.push("extra");
    (a.paths["/v1/jobs/{job}/run"] as Obj).post.responses["202"].description = "changed";
    const b = openApiDocument(options);
    expect((b.components.schemas.ApiKey as Obj).required).not.toContain("extra");
    expect((b.paths["/v1/jobs/{job}/run"] as Obj).post.responses["202"].description).toBe("Started");
    expect(options).toEqual(before);
  });

  it("the entry point imports nothing but the core (no dependency of its own)", () => {
    const dir = new URL("../../src/openapi/", import.meta.url);
    const imports = readdirSync(dir).flatMap((file) =>
      [...readFileSync(new URL(file, dir), "utf8").matchAll(/^(?:import|export)\b[^;]*?\bfrom "([^"]+)";/gm)].map((m) => m[1]),
    );
    expect(imports.length).toBeGreaterThan(8);
    for (const from of imports) expect(from).toMatch(/^(keyward|\.\/[\w-]+\.js)$/);
  });
});
