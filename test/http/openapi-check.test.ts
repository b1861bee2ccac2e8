/**
 * The response check the contract and management suites run on every answer
 * (`documentedResponses`, from `keyward/openapi`) fails on anything the
 * document does not declare: so those suites prove the document and the code agree.
 */
import { createKeyward } from "keyward";
import { memoryStore } from "keyward/memory";
import { beforeAll, describe, expect, it } from "vitest";
import { documentedResponses } from "../support/apps.js";
import { type Exchange, PREFIX, ROLES } from "../support/http.js";

const check = documentedResponses();
const JSON_TYPE = "application/json; charset=utf-8";
const NOW = new Date().toISOString();

function exchange(status: number, body: unknown, headers: Record<string, string> = {}): Exchange {
  const text = JSON.stringify(body);
  return { status, headers: { "content-type": JSON_TYPE, ...headers }, text, json: body };
}
const error = (status: number, name: string, path: string, extra: object = {}) => ({
  status,
  error: name,
  message: "m",
  timestamp: NOW,
  path,
  ...extra,
});
const NO_STORE = { "cache-control": "no-store" };

let record: Record<string, unknown>;
let rawKey: string;
beforeAll(async () => {
  const kw = createKeyward({ store: memoryStore(), prefix: PREFIX, roles: ROLES });
  const made = await kw.create({ owner: "org_a", label: "k", role: "viewer" });
  record = { ...made.apiKey };
  rawKey = made.key;
  await kw.close();
});

describe("the OpenAPI response check", () => {
  it("accepts answers the document declares", () => {
    const get = { method: "GET", path: `/settings/api-keys/${record.id}` };
    check(get, exchange(200, record, NO_STORE));
    check({ method: "POST", path: "/settings/api-keys" }, exchange(201, { ...record, rawKey }, NO_STORE));
    check({ method: "GET", path: "/settings/api-keys?limit=1" }, exchange(200, { data: [record], nextCursor: null }, NO_STORE));
    check({ method: "GET", path: "/settings/api-keys/roles" }, exchange(200, ["viewer"], NO_STORE));
    check(
      { path: "/v1/jobs" },
      exchange(401, error(401, "UNAUTHORIZED", "/v1/jobs"), { "www-authenticate": 'Bearer realm="api"' }),
    );
    check({ path: "/v1/jobs" }, exchange(503, error(503, "SERVICE_UNAVAILABLE", "/v1/jobs"), { "retry-after": "5" }));
    check(
      { method: "PUT", path: "/settings/api-keys", undocumented: true },
      exchange(404, error(404, "NOT_FOUND", "/x"), NO_STORE),
    );
  });

  it.each<[string, { method?: string; path: string; undocumented?: boolean }, () => Exchange, RegExp]>([
    [
      "an undeclared status",
      { path: "/settings/api-keys" },
      () => exchange(418, error(418, "BAD_REQUEST", "/"), NO_STORE),
      /status not declared/,
    ],
    [
      "a status this route never gives (409 on create)",
      { method: "POST", path: "/settings/api-keys" },
      () => exchange(409, error(409, "CONFLICT", "/"), NO_STORE),
      /status not declared/,
    ],
    [
      "a 401 without its challenge",
      { path: "/v1/jobs" },
      () => exchange(401, error(401, "UNAUTHORIZED", "/v1/jobs")),
      /WWW-Authenticate is missing/i,
    ],
    [
      "a challenge with the wrong error",
      { path: "/v1/jobs" },
      () =>
        exchange(401, error(401, "UNAUTHORIZED", "/v1/jobs"), {
          "www-authenticate": 'Bearer realm="api", error="insufficient_scope"',
        }),
      /header www-authenticate/,
    ],
    [
      "a 503 without Retry-After",
      { path: "/v1/jobs" },
      () => exchange(503, error(503, "SERVICE_UNAVAILABLE", "/v1/jobs")),
      /retry-after is missing/,
    ],
    [
      "a challenge where none is declared (management 403)",
      { path: "/settings/api-keys" },
      () => exchange(403, error(403, "FORBIDDEN", "/"), { ...NO_STORE, "www-authenticate": 'Bearer realm="api"' }),
      /undeclared header www-authenticate/,
    ],
    [
      "a management answer without Cache-Control: no-store",
      { path: "/settings/api-keys/roles" },
      () => exchange(200, ["viewer"]),
      /cache-control is missing/,
    ],
    [
      "a record with a field the document does not have",
      { path: "/settings/api-keys/1" },
      () => exchange(200, { ...record, hash: "v1:abc" }, NO_STORE),
      /body does not match/,
    ],
    [
      "a listed record carrying rawKey",
      { path: "/settings/api-keys" },
      () => exchange(200, { data: [{ ...record, rawKey }], nextCursor: null }, NO_STORE),
      /body does not match/,
    ],
    [
      "an error body with the wrong label",
      { path: "/settings/api-keys/1" },
      () => exchange(404, error(404, "FORBIDDEN", "/"), NO_STORE),
      /body does not match/,
    ],
    [
      "a 422 without details",
      { method: "POST", path: "/settings/api-keys" },
      () => exchange(422, error(422, "VALIDATION_ERROR", "/"), NO_STORE),
      /body does not match/,
    ],
    [
      "an HTML answer",
      { path: "/settings/api-keys/1" },
      () => ({ ...exchange(404, error(404, "NOT_FOUND", "/"), NO_STORE), headers: { "content-type": "text/html", ...NO_STORE } }),
      /content-type text\/html not declared/,
    ],
    ["a path the document does not have", { path: "/nowhere" }, () => exchange(200, {}), /no operation/],
    ["a method the document does not have", { method: "PUT", path: "/v1/jobs" }, () => exchange(200, {}), /no operation/],
    [
      "a documented route marked undocumented",
      { path: "/settings/api-keys", undocumented: true },
      () => exchange(404, error(404, "NOT_FOUND", "/"), NO_STORE),
      /marked undocumented/,
    ],
  ])("fails on %s", (_name, req, res, message) => {
    expect(() => check(req, res())).toThrow(message);
  });
});
