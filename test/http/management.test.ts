/**
 * The management API (`apiKeyRoutes`) on every adapter over real
 * HTTP: the documented shapes, pagination, roles, lifecycle routes, errors,
 * tenancy, the permission, and `keyActor` as the actor.
 */
import { createKeyward, type Keyward } from "keyward";
import { memoryStore } from "keyward/memory";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADAPTERS, type AdapterName, documentedResponses, type Running, settingsDocument, start } from "../support/apps.js";
import { createWorld, type Exchange, PREFIX, ROLES, request, type World } from "../support/http.js";

const BASE = "/settings/api-keys";
const RECORD_FIELDS = ["id", "keyPrefix", "label", "scopes", "createdAt", "expiresAt", "revokedAt", "lastUsedAt", "active"];
const KEY_RE = new RegExp(`^${PREFIX}_[0-9A-Za-z]{54}$`);
/** Every answer must be one the OpenAPI document declares (keyward/openapi). */
const documented = documentedResponses();

interface Call {
  user?: string;
  bearer?: string;
  body?: unknown;
  raw?: string;
  /** An unknown route or method: not in the document, answered with a 404. */
  undocumented?: boolean;
}

function api(port: number) {
  return (method: string, path: string, o: Call = {}): Promise<Exchange> => {
    const headers: [string, string][] = [];
    if (o.user) headers.push(["x-test-user", o.user]);
    if (o.bearer) headers.push(["authorization", `Bearer ${o.bearer}`]);
    const body = o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body));
    if (body !== undefined) headers.push(["content-type", "application/json"]);
    const undocumented = o.undocumented === true;
    return request(port, { method, path, headers, undocumented, ...(body !== undefined && { body }) }, documented);
  };
}

type Body = Record<string, unknown>;
const json = (res: Exchange) => res.json as Body;

function expectError(res: Exchange, status: number, error: string): Body {
  expect(res.status).toBe(status);
  expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
  const body = json(res);
  expect(body).toMatchObject({ status, error });
  expect(typeof body.message).toBe("string");
  expect(typeof body.timestamp).toBe("string");
  return body;
}

describe.each(ADAPTERS)("management API over %s", (adapter: AdapterName) => {
  let world: World;
  let mutable: Keyward;
  let server: Running;
  let call: ReturnType<typeof api>;

  beforeAll(async () => {
    world = await createWorld();
    mutable = createKeyward({ store: memoryStore(), prefix: PREFIX, roles: ROLES, mutableScopes: true, now: world.clock.now });
    server = await start(adapter, { kw: world.kw, mutable });
    call = api(server.port);
  });
  afterAll(async () => {
    await server.close();
    await world.kw.close();
    await mutable.close();
  });

  const create = async (label: string, extra: Body = {}, user = "admin") => {
    const res = await call("POST", BASE, { user, body: { label, ...extra } });
    expect(res.status).toBe(201);
    return json(res) as Body & { id: string; rawKey: string };
  };

  it("POST / creates a key: 201, the documented fields plus rawKey, not cacheable", async () => {
    const res = await call("POST", BASE, { user: "admin", body: { label: "Production ATS Integration", scopes: ["jobs:read"] } });
    expect(res.status).toBe(201);
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
    const body = json(res);
    for (const field of [...RECORD_FIELDS, "rawKey"]) expect(body).toHaveProperty(field);
    expect(body).toMatchObject({ label: "Production ATS Integration", scopes: ["jobs:read"], active: true, revokedAt: null });
    expect(body.rawKey).toMatch(KEY_RE);
    expect((body.rawKey as string).startsWith(body.keyPrefix as string)).toBe(true);
    expect(body).not.toHaveProperty("hash");
    expect(body.createdBy).toBe("u_admin");
    const use = await request(
      server.port,
      { path: "/v1/jobs", headers: [["Authorization", `Bearer ${body.rawKey}`]] },
      documented,
    );
    expect(use.status).toBe(200);
  });

  it("ignores an owner in the body: the key belongs to the actor's owner", async () => {
    const key = await create("Smuggled", { owner: "org_b" });
    expect(key.owner).toBe("org_a");
    expectError(await call("GET", `${BASE}/${key.id}`, { user: "other" }), 404, "NOT_FOUND");
    expect(await world.kw.get(key.id)).toMatchObject({ owner: "org_a" });
  });

  it("ignores owner (and createdBy) in a PATCH body: the key stays the actor's owner's", async () => {
    const key = await create("Patched owner");
    const res = await call("PATCH", `${BASE}/${key.id}`, {
      user: "admin",
      body: { owner: "org_b", createdBy: "u_other", label: "Renamed" },
    });
    expect(res.status).toBe(200);
    expect(json(res)).toMatchObject({ id: key.id, owner: "org_a", createdBy: "u_admin", label: "Renamed" });
    expect(await world.kw.get(key.id)).toMatchObject({ owner: "org_a", createdBy: "u_admin" });
    expectError(await call("GET", `${BASE}/${key.id}`, { user: "other" }), 404, "NOT_FOUND");
    expect((json(await call("GET", BASE, { user: "other" })).data as Body[]).map((k) => k.id)).not.toContain(key.id);
  });

  it("rotate by an actor weaker than the key is 403 and leaves the key as it was", async () => {
    const strong = await create("Owner-level key", { role: "owner" }, "owner");
    const denied = await call("POST", `${BASE}/${strong.id}/rotate`, { user: "admin" });
    expectError(denied, 403, "FORBIDDEN");
    expect(await world.kw.get(strong.id)).toMatchObject({ rotatedTo: null, status: "active" });
    const use = await request(
      server.port,
      { path: "/v1/jobs", headers: [["Authorization", `Bearer ${strong.rawKey}`]] },
      documented,
    );
    expect(use.status).toBe(200);
    expect((await call("POST", `${BASE}/${strong.id}/rotate`, { user: "owner" })).status).toBe(201);
  });

  it("error bodies and WWW-Authenticate never echo the input that caused them", async () => {
    const canary = "zqCanary7Xy<script>alert(1)</script>";
    const token = "zqCanary7XyToken0123456789";
    const rawKey = world.keys.valid;
    const key = await create("Echo target");
    const attempts: [string, string, Call][] = [
      [
        "POST",
        BASE,
        {
          user: "admin",
          body: { label: canary.repeat(10), role: canary, scopes: [canary, rawKey], expiresAt: canary, metadata: canary },
        },
      ],
      ["POST", BASE, { user: "admin", body: { label: `${canary}\n`, expiresAt: rawKey } }],
      ["POST", BASE, { user: "admin", raw: `{"label": "${canary}", ${rawKey}` }],
      ["POST", BASE, { user: "admin", raw: JSON.stringify([canary, rawKey]) }],
      [
        "GET",
        `${BASE}?limit=${encodeURIComponent(canary)}&cursor=${rawKey}&status=${encodeURIComponent(canary)}`,
        { user: "admin" },
      ],
      ["PATCH", `${BASE}/${key.id}`, { user: "admin", body: { label: `${canary}\u0000`, metadata: [rawKey] } }],
      ["PATCH", `${BASE}/${key.id}`, { user: "admin", body: { scopes: [canary, rawKey], role: rawKey } }],
      ["POST", `${BASE}/${key.id}/rotate`, { user: "admin", body: { gracePeriod: canary } }],
      ["POST", `${BASE}/${key.id}/rotate`, { user: "admin", body: { gracePeriod: rawKey } }],
      ["GET", BASE, { user: canary.replace(/[<>()/]/g, "") }],
      ["GET", "/integrations/api-keys", { bearer: token }],
      ["GET", "/integrations/api-keys", { bearer: rawKey.slice(0, -1) }],
      ["POST", "/integrations/api-keys", { bearer: world.keys.valid, body: { label: canary } }],
    ];
    for (const [method, path, o] of attempts) {
      const res = await call(method, path, o);
      expect(res.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
      const { path: echoedPath, ...body } = json(res);
      expect(echoedPath).toBe(path.split("?")[0]);
      const visible = JSON.stringify(body) + JSON.stringify(res.headers);
      for (const input of [canary, "<script>", token, rawKey, rawKey.slice(0, -1), rawKey.slice(4, 30)]) {
        expect(visible.includes(input), `${method} ${path} echoed its input`).toBe(false);
      }
    }
  });

  it("GET / pages with { data, nextCursor } and never shows a raw key or a hash", async () => {
    const created = [await create("page a"), await create("page b"), await create("page c")];
    const first = await call("GET", `${BASE}?limit=2`, { user: "admin" });
    expect(first.status).toBe(200);
    expect(first.headers["cache-control"]).toBe("no-store");
    const page1 = json(first) as { data: Body[]; nextCursor: string | null };
    expect(Object.keys(page1).sort()).toEqual(["data", "nextCursor"]);
    expect(page1.data).toHaveLength(2);
    expect(typeof page1.nextCursor).toBe("string");
    const seen = new Set(page1.data.map((k) => k.id));
    let cursor = page1.nextCursor;
    const all: Body[] = [...page1.data];
    while (cursor) {
      const next = json(await call("GET", `${BASE}?limit=2&cursor=${encodeURIComponent(cursor)}`, { user: "admin" })) as {
        data: Body[];
        nextCursor: string | null;
      };
      for (const k of next.data) {
        expect(seen.has(k.id)).toBe(false);
        seen.add(k.id);
      }
      all.push(...next.data);
      cursor = next.nextCursor;
    }
    for (const k of created) expect(seen.has(k.id)).toBe(true);
    for (const k of all) {
      expect(k.owner).toBe("org_a");
      expect(k).not.toHaveProperty("rawKey");
      expect(k).not.toHaveProperty("hash");
    }
    const text = first.text + JSON.stringify(all);
    for (const secret of [...created.map((k) => k.rawKey), world.keys.valid, world.keys.storedHash]) {
      expect(text.includes(secret)).toBe(false);
    }
    const bad = expectError(await call("GET", `${BASE}?limit=lots`, { user: "admin" }), 422, "VALIDATION_ERROR");
    expect(bad.details).toEqual([expect.objectContaining({ field: "limit" })]);
  });

  it("GET /roles lists the roles this actor may grant", async () => {
    const admin = await call("GET", `${BASE}/roles`, { user: "admin" });
    expect(admin.status).toBe(200);
    expect(admin.json).toEqual(["admin", "viewer"]);
    expect(json(await call("GET", `${BASE}/roles`, { user: "owner" }))).toEqual(["owner", "admin", "viewer"]);
  });

  it("GET /:id and PATCH /:id change the label; scopes are immutable (422)", async () => {
    const key = await create("Before");
    const got = await call("GET", `${BASE}/${key.id}`, { user: "admin" });
    expect(got.status).toBe(200);
    expect(json(got)).toMatchObject({ id: key.id, label: "Before" });
    expect(json(got)).not.toHaveProperty("rawKey");
    const renamed = await call("PATCH", `${BASE}/${key.id}`, { user: "admin", body: { label: "After" } });
    expect(renamed.status).toBe(200);
    expect(json(renamed)).toMatchObject({ id: key.id, label: "After" });
    const scopes = expectError(
      await call("PATCH", `${BASE}/${key.id}`, { user: "admin", body: { scopes: ["jobs:write"] } }),
      422,
      "VALIDATION_ERROR",
    );
    expect(scopes.details).toEqual([expect.objectContaining({ field: "scopes" })]);
    expect(await world.kw.get(key.id)).toMatchObject({ scopes: [] });
  });

  it("PATCH /:id edits scopes when mutableScopes is on, still under the ceiling", async () => {
    const res = await call("POST", "/mutable/api-keys", { user: "admin", body: { label: "Editable", scopes: ["jobs:read"] } });
    const key = json(res) as { id: string };
    const edited = await call("PATCH", `/mutable/api-keys/${key.id}`, { user: "admin", body: { scopes: ["jobs:write"] } });
    expect(edited.status).toBe(200);
    expect(json(edited)).toMatchObject({ scopes: ["jobs:write"] });
    const above = await call("PATCH", `/mutable/api-keys/${key.id}`, { user: "admin", body: { scopes: ["*"] } });
    expectError(above, 403, "FORBIDDEN");
  });

  it("disable, enable, rotate, revoke (POST /:id/revoke and DELETE /:id)", async () => {
    const key = await create("Lifecycle", { role: "viewer" });
    const use = (k: string) =>
      request(server.port, { path: "/v1/jobs", headers: [["Authorization", `Bearer ${k}`]] }, documented);

    const disabled = await call("POST", `${BASE}/${key.id}/disable`, { user: "admin" });
    expect(disabled.status).toBe(200);
    expect(json(disabled)).toMatchObject({ status: "disabled", active: false });
    expect((await use(key.rawKey)).status).toBe(401);

    const enabled = await call("POST", `${BASE}/${key.id}/enable`, { user: "admin" });
    expect(enabled.status).toBe(200);
    expect(json(enabled)).toMatchObject({ status: "active", active: true });
    expect((await use(key.rawKey)).status).toBe(200);

    const rotated = await call("POST", `${BASE}/${key.id}/rotate`, { user: "admin" });
    expect(rotated.status).toBe(201);
    expect(rotated.headers["cache-control"]).toBe("no-store");
    const fresh = json(rotated) as Body & { id: string; rawKey: string };
    expect(fresh.rawKey).toMatch(KEY_RE);
    expect(fresh.id).not.toBe(key.id);
    expect(fresh).toMatchObject({ rotatedFrom: key.id, label: "Lifecycle", role: "viewer" });
    expect((await use(fresh.rawKey)).status).toBe(200);
    expect((await use(key.rawKey)).status).toBe(401);
    const badGrace = await call("POST", `${BASE}/${fresh.id}/rotate`, { user: "admin", body: { gracePeriod: "forever" } });
    expect(expectError(badGrace, 422, "VALIDATION_ERROR").details).toEqual([expect.objectContaining({ field: "gracePeriod" })]);

    const revoked = await call("POST", `${BASE}/${fresh.id}/revoke`, { user: "admin" });
    expect(revoked.status).toBe(200);
    expect(json(revoked)).toMatchObject({ status: "revoked", active: false });
    expect((await use(fresh.rawKey)).status).toBe(401);
    expectError(await call("POST", `${BASE}/${fresh.id}/enable`, { user: "admin" }), 409, "CONFLICT");
    expectError(await call("POST", `${BASE}/${fresh.id}/rotate`, { user: "admin" }), 409, "CONFLICT");

    const other = await create("Deleted");
    const deleted = await call("DELETE", `${BASE}/${other.id}`, { user: "admin" });
    expect(deleted.status).toBe(200);
    expect(json(deleted)).toMatchObject({ id: other.id, status: "revoked" });
    expect((await use(other.rawKey)).status).toBe(401);
  });

  it("400 for malformed JSON, 422 with details for a missing or blank label, 413 for an oversized body", async () => {
    const malformed = expectError(await call("POST", BASE, { user: "admin", raw: '{"label": "x",' }), 400, "BAD_REQUEST");
    expect(malformed.message).toBe("Malformed JSON body");
    expectError(await call("POST", BASE, { user: "admin", raw: '["label"]' }), 400, "BAD_REQUEST");
    const missing = expectError(
      await call("POST", BASE, { user: "admin", body: { scopes: ["jobs:read"] } }),
      422,
      "VALIDATION_ERROR",
    );
    expect(missing.details).toEqual([{ field: "label", message: expect.any(String) }]);
    const blank = expectError(await call("POST", BASE, { user: "admin", body: { label: "   " } }), 422, "VALIDATION_ERROR");
    expect(blank.details).toEqual([{ field: "label", message: "must not be blank" }]);
    const unknownRole = expectError(
      await call("POST", BASE, { user: "admin", body: { label: "x", role: "root" } }),
      422,
      "VALIDATION_ERROR",
    );
    expect(unknownRole.details).toEqual([expect.objectContaining({ field: "role" })]);
    const huge = await call("POST", BASE, { user: "admin", body: { label: "x", metadata: { blob: "x".repeat(20_000) } } });
    expect(huge.status).toBe(413);
    expect(json(huge)).toMatchObject({ status: 413 });
    // no Content-Length announced: refused while streaming, before the whole body is buffered
    const streamed = await request(
      server.port,
      {
        method: "POST",
        path: BASE,
        headers: [
          ["x-test-user", "admin"],
          ["content-type", "application/json"],
        ],
        body: JSON.stringify({ label: "x", metadata: { blob: "x".repeat(200_000) } }),
        chunked: true,
      },
      documented,
    );
    expect(streamed.status).toBe(413);
    const small = await request(
      server.port,
      {
        method: "POST",
        path: BASE,
        headers: [
          ["x-test-user", "admin"],
          ["content-type", "application/json"],
        ],
        body: JSON.stringify({ label: "Chunked but small" }),
        chunked: true,
      },
      documented,
    );
    expect(small.status).toBe(201);
  });

  it("another tenant's key is 404 for every operation, and stays untouched", async () => {
    const key = await create("Tenant A only");
    const ops: [string, string, Body?][] = [
      ["GET", ""],
      ["PATCH", "", { label: "Hijacked" }],
      ["POST", "/disable"],
      ["POST", "/enable"],
      ["POST", "/rotate"],
      ["POST", "/revoke"],
      ["DELETE", ""],
    ];
    for (const [method, suffix, body] of ops) {
      const res = await call(method, `${BASE}/${key.id}${suffix}`, { user: "other", ...(body && { body }) });
      expectError(res, 404, "NOT_FOUND");
    }
    expect(await world.kw.get(key.id)).toMatchObject({ label: "Tenant A only", status: "active", rotatedTo: null });
  });

  it("403 for a same-tenant actor without api_keys:manage, on every route", async () => {
    const key = await create("Viewer cannot touch");
    const ops: [string, string, Body?][] = [
      ["GET", ""],
      ["POST", "", { label: "nope" }],
      ["GET", "/roles"],
      ["GET", `/${key.id}`],
      ["PATCH", `/${key.id}`, { label: "nope" }],
      ["POST", `/${key.id}/disable`],
      ["POST", `/${key.id}/rotate`],
      ["DELETE", `/${key.id}`],
    ];
    for (const [method, suffix, body] of ops) {
      expectError(await call(method, `${BASE}${suffix}`, { user: "viewer", ...(body && { body }) }), 403, "FORBIDDEN");
    }
    expect(await world.kw.get(key.id)).toMatchObject({ status: "active" });
  });

  it("the ceiling: an actor cannot mint a key stronger than itself (403)", async () => {
    expectError(await call("POST", BASE, { user: "admin", body: { label: "x", role: "owner" } }), 403, "FORBIDDEN");
    expectError(await call("POST", BASE, { user: "admin", body: { label: "x", scopes: ["*"] } }), 403, "FORBIDDEN");
  });

  it("no actor → 401 with WWW-Authenticate; unknown routes → 404", async () => {
    const res = await call("GET", BASE);
    expectError(res, 401, "UNAUTHORIZED");
    expect(res.headers["www-authenticate"]).toBe('Bearer realm="api"');
    expect(res.headers["cache-control"]).toBe("no-store");
    expectError(await call("GET", `${BASE}/a/b/c`, { user: "admin", undocumented: true }), 404, "NOT_FOUND");
    expectError(await call("PUT", BASE, { user: "admin", undocumented: true }), 404, "NOT_FOUND");
    expectError(await call("GET", `${BASE}/${crypto.randomUUID()}`, { user: "admin" }), 404, "NOT_FOUND");
  });

  it("a failing store gives 503 with Retry-After", async () => {
    world.store.mode = "throw";
    try {
      const res = await call("GET", BASE, { user: "admin" });
      expectError(res, 503, "SERVICE_UNAVAILABLE");
      expect(res.headers["retry-after"]).toBe("5");
    } finally {
      world.store.mode = "ok";
    }
  });

  it("keyActor(keyward): an API key holding api_keys:manage manages its owner's keys, under the ceiling", async () => {
    const base = "/integrations/api-keys";
    const admin = world.keys.admin;
    const listed = await call("GET", base, { bearer: admin });
    expect(listed.status).toBe(200);
    expect((json(listed).data as Body[]).every((k) => k.owner === "org_a")).toBe(true);
    const created = await call("POST", base, { bearer: admin, body: { label: "Made by a key", role: "viewer" } });
    expect(created.status).toBe(201);
    expect(json(created)).toMatchObject({ owner: "org_a", role: "viewer", createdBy: world.records.admin?.id });
    expect(json(await call("GET", `${base}/roles`, { bearer: admin }))).toEqual(["admin", "viewer"]);
    expectError(await call("POST", base, { bearer: admin, body: { label: "x", role: "owner" } }), 403, "FORBIDDEN");
    expectError(await call("GET", base, { bearer: world.keys.valid }), 403, "FORBIDDEN");
    const anonymous = await call("GET", base);
    expectError(anonymous, 401, "UNAUTHORIZED");
    expect(anonymous.headers["www-authenticate"]).toBe('Bearer realm="api"');
    const revoked = await call("GET", base, { bearer: world.keys.revoked });
    expectError(revoked, 401, "UNAUTHORIZED");
    expect(revoked.headers["www-authenticate"]).toBe('Bearer realm="api", error="invalid_token"');
    expect(revoked.text.includes(world.keys.revoked)).toBe(false);
    world.store.mode = "throw";
    try {
      expectError(await call("GET", base, { bearer: admin }), 503, "SERVICE_UNAVAILABLE");
    } finally {
      world.store.mode = "ok";
    }
  });

  it("serves its OpenAPI document at GET /openapi.json, without an actor, when given one", async () => {
    const res = await call("GET", `${BASE}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.json).toEqual(JSON.parse(JSON.stringify(settingsDocument())));
    expect(json(res).paths).toHaveProperty([`${BASE}/openapi.json`, "get", "operationId"], "getOpenApiDocument");
    expectError(await call("POST", `${BASE}/openapi.json`, { user: "admin", undocumented: true }), 404, "NOT_FOUND");
    // a mount not given a document reads the name as a key id: the actor is asked, as for any id
    expectError(await call("GET", "/integrations/api-keys/openapi.json"), 401, "UNAUTHORIZED");
  });

  it("works behind a body parser that already consumed the body", async () => {
    const parsed = await start(adapter, { kw: world.kw, bodyParser: true });
    try {
      const call2 = api(parsed.port);
      const res = await call2("POST", BASE, { user: "admin", body: { label: "Parsed first" } });
      expect(res.status).toBe(201);
      const id = (json(res) as { id: string }).id;
      const patched = await call2("PATCH", `${BASE}/${id}`, { user: "admin", body: { label: "Parsed again" } });
      expect(json(patched)).toMatchObject({ label: "Parsed again" });
      expectError(await call2("POST", BASE, { user: "admin", body: { label: "" } }), 422, "VALIDATION_ERROR");
    } finally {
      await parsed.close();
    }
  });

  it("honours maxBodyBytes", async () => {
    const small = await start(adapter, { kw: world.kw, maxBodyBytes: 64 });
    try {
      const res = await api(small.port)("POST", BASE, { user: "admin", body: { label: "x".repeat(100) } });
      expect(res.status).toBe(413);
      const ok = await api(small.port)("POST", BASE, { user: "admin", body: { label: "short" } });
      expect(ok.status).toBe(201);
    } finally {
      await small.close();
    }
  });
});

/** Replaces ids, keys, prefixes and times so answers of different worlds compare. */
function normalise(res: Exchange): unknown {
  const text = res.text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<id>")
    .replace(new RegExp(`${PREFIX}_[0-9A-Za-z]{54}`, "g"), "<key>")
    .replace(new RegExp(`${PREFIX}_[0-9A-Za-z]{8}`, "g"), "<prefix>")
    .replace(/"last4":"[0-9A-Za-z]{4}"/g, '"last4":"<last4>"')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, "<time>")
    .replace(/"nextCursor":"[^"]+"/g, '"nextCursor":"<cursor>"');
  const h = res.headers;
  return {
    status: res.status,
    headers: [h["content-type"], h["cache-control"], h["www-authenticate"], h["retry-after"]],
    body: text === "" ? null : JSON.parse(text),
  };
}

describe("the management API answers identically on every adapter", () => {
  it("runs one script on each and compares every answer", async () => {
    const transcripts: unknown[][] = [];
    for (const adapter of ADAPTERS) {
      const world = await createWorld();
      const server = await start(adapter, { kw: world.kw });
      const call = api(server.port);
      const out: unknown[] = [];
      try {
        const created = await call("POST", BASE, { user: "admin", body: { label: "Script", role: "viewer" } });
        out.push(normalise(created));
        const id = (json(created) as { id: string }).id;
        const steps: [string, string, Call][] = [
          ["GET", "?limit=1", { user: "admin" }],
          ["GET", "/roles", { user: "admin" }],
          ["GET", `/${id}`, { user: "admin" }],
          ["PATCH", `/${id}`, { user: "admin", body: { label: "Renamed" } }],
          ["PATCH", `/${id}`, { user: "admin", body: { scopes: ["jobs:write"] } }],
          ["POST", `/${id}/disable`, { user: "admin" }],
          ["POST", `/${id}/enable`, { user: "admin" }],
          ["POST", `/${id}/rotate`, { user: "admin" }],
          ["POST", `/${id}/revoke`, { user: "admin" }],
          ["POST", `/${id}/enable`, { user: "admin" }],
          ["DELETE", `/${id}`, { user: "admin" }],
          ["POST", "", { user: "admin", raw: "{nope" }],
          ["POST", "", { user: "admin", body: { label: " " } }],
          ["GET", `/${id}`, { user: "other" }],
          ["GET", "", { user: "viewer" }],
          ["GET", "", {}],
          ["GET", "/x/y/z", { user: "admin", undocumented: true }],
          ["GET", "/openapi.json", {}],
        ];
        for (const [method, suffix, o] of steps) out.push(normalise(await call(method, `${BASE}${suffix}`, o)));
      } finally {
        await server.close();
        await world.kw.close();
      }
      transcripts.push(out);
    }
    expect(transcripts).toHaveLength(ADAPTERS.length);
    for (const transcript of transcripts.slice(1)) expect(transcript).toEqual(transcripts[0]);
  });
});
