/**
 * Option names and units of the HTTP layer: `apiKeyAuth({ header })` takes a
 * header name (`true` is a deprecated alias of `"x-api-key"`),
 * `retryAfterSeconds` says its unit (`retryAfter` is its deprecated alias),
 * the grace-period limit is the core's (`createKeyward({ maxGracePeriod })`),
 * and the deprecated `headerValues` reads standard request shapes only.
 */
import { createKeyward, type KeyStore } from "keyward";
import * as ex from "keyward/express";
import * as fa from "keyward/fastify";
import * as fe from "keyward/fetch";
import * as ho from "keyward/hono";
import type { AuthOptions } from "keyward/http";
import { createAuthenticator, createManagementHandler, headersFromFetch, headersFromRaw, headerValues } from "keyward/http";
import * as ko from "keyward/koa";
import { memoryStore } from "keyward/memory";
import { describe, expect, it } from "vitest";

/** What every adapter exports, typed loosely enough to call each one the same way. */
interface Factories {
  apiKeyAuth(keyward: unknown, options?: AuthOptions): { readonly name: string };
  requireScopes(...scopes: string[]): { readonly name: string };
  // biome-ignore lint/suspicious/noExplicitAny: each adapter's routes options differ only in its own extras
  apiKeyRoutes(keyward: unknown, options: any): unknown;
}
const ADAPTERS: Record<string, Factories> = { express: ex, hono: ho, koa: ko, fastify: fa, fetch: fe };
const ROLES = { admin: ["*"] };

async function withKey() {
  const kw = createKeyward({ store: memoryStore(), prefix: "cho", roles: ROLES });
  const { key } = await kw.create({ owner: "org_1", label: "k", role: "admin" });
  return { kw, key };
}

describe("apiKeyAuth({ header })", () => {
  it("takes a header name, any case; `true` still means x-api-key; false or nothing means Bearer only", async () => {
    const { kw, key } = await withKey();
    const read = (name: string | boolean | undefined) =>
      createAuthenticator(kw, name === undefined ? {} : { header: name as string }).authenticate(
        headersFromRaw(["X-Api-Key", key]).values,
        "/",
      );
    for (const name of ["x-api-key", "X-API-Key", true]) expect((await read(name)).ok, String(name)).toBe(true);
    expect(createAuthenticator(kw, { header: "X-Key" }).header).toBe("x-key");
    for (const name of [false, undefined, ""]) {
      const outcome = await read(name);
      expect(outcome.ok).toBe(false);
      if (!outcome.ok) expect(outcome.response.status).toBe(401);
    }
  });

  it.each(Object.entries(ADAPTERS))(
    "%s: a header that cannot be a header name, or Authorization itself, is a ConfigError",
    async (_n, a) => {
      const { kw } = await withKey();
      for (const header of ["x api key", "x-api-key\n", "authorization", "Authorization", 42]) {
        expect(() => a.apiKeyAuth(kw, { header: header as string }), String(header)).toThrow(/`header` must be a header name/);
      }
    },
  );
});

describe("retryAfterSeconds", () => {
  const down = (): KeyStore => ({ ...memoryStore(), findByHash: () => Promise.reject(new Error("down")) });

  it("sets Retry-After of a 503 in seconds; the deprecated retryAfter does the same; default 5", async () => {
    const { key } = await withKey();
    const kw = createKeyward({ store: down(), prefix: "cho" });
    const retryOf = async (options: object) => {
      const outcome = await createAuthenticator(kw, options).authenticate(
        headersFromRaw(["authorization", `Bearer ${key}`]).values,
        "/",
      );
      return outcome.ok ? undefined : [outcome.response.status, outcome.response.headers["retry-after"]];
    };
    expect(await retryOf({ retryAfterSeconds: 30 })).toEqual([503, "30"]);
    expect(await retryOf({ retryAfter: 12 })).toEqual([503, "12"]);
    expect(await retryOf({ retryAfterSeconds: 7, retryAfter: 7 })).toEqual([503, "7"]);
    expect(await retryOf({})).toEqual([503, "5"]);
    const auth = createAuthenticator(kw, { retryAfter: 9 });
    expect([auth.retryAfterSeconds, auth.retryAfter]).toEqual([9, 9]);
  });

  it("must be a whole number of seconds, and given once", async () => {
    const { kw } = await withKey();
    for (const bad of [2.5, -1, 86_401, Number.NaN, "5"]) {
      expect(() => ex.apiKeyAuth(kw, { retryAfterSeconds: bad as number }), String(bad)).toThrow(/whole number of seconds/);
    }
    expect(() => ho.apiKeyAuth(kw, { retryAfterSeconds: 5, retryAfter: 10 })).toThrow(/retryAfterSeconds/);
  });
});

describe("the grace-period limit is the core's", () => {
  it("apiKeyRoutes refuses maxGracePeriod with a ConfigError naming createKeyward", async () => {
    const { kw } = await withKey();
    for (const a of Object.values(ADAPTERS)) {
      expect(() => a.apiKeyRoutes(kw, { actor: () => null, maxGracePeriod: 1000 } as never)).toThrow(
        /createKeyward\(\{ maxGracePeriod \}\)/,
      );
    }
  });

  it("POST /:id/rotate answers 422 on gracePeriod beyond createKeyward's maxGracePeriod", async () => {
    const kw = createKeyward({ store: memoryStore(), prefix: "cho", roles: ROLES, maxGracePeriod: 60_000 });
    const { apiKey } = await kw.create({ owner: "org_1", label: "k" });
    const app = ho.apiKeyRoutes(kw, { actor: () => ({ id: "u", owner: "org_1", role: "admin" }) });
    const rotate = (gracePeriod: unknown) =>
      app.request(`/${apiKey.id}/rotate`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ gracePeriod }),
      });
    const refused = await rotate(60_001);
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({
      error: "VALIDATION_ERROR",
      details: [{ field: "gracePeriod", message: "must be a number of ms from 0 to 60000" }],
    });
    expect((await rotate(60_000)).status).toBe(201);
  });
});

describe("headerValues (deprecated) reads standard request shapes only", () => {
  it("a Node IncomingMessage (rawHeaders, doubled headers kept), a Fetch Request, a Fetch Headers", () => {
    expect(headerValues({ rawHeaders: ["X-Key", "a", "x-key", "b"] }, "X-KEY")).toEqual(["a", "b"]);
    expect(headerValues(new Request("http://h/", { headers: { "x-key": "a" } }), "x-key")).toEqual(["a"]);
    expect(headerValues(new Headers({ "x-key": "a" }), "X-Key")).toEqual(["a"]);
    expect(headerValues(new Headers(), "x-key")).toEqual([]);
  });

  it("a framework object (Koa ctx, Hono c) or anything else: a TypeError naming the fix", () => {
    const koaLike = { req: { rawHeaders: ["x-key", "a"] }, headers: { "x-key": "a" }, get: () => "a" };
    const honoLike = { req: { raw: new Request("http://h/", { headers: { "x-key": "a" } }), header: () => "a" } };
    for (const value of [koaLike, honoLike, {}, null, "x-key: a"]) {
      expect(() => headerValues(value, "x-key")).toThrow(/context\.header\(name\)/);
    }
  });
});

describe("createManagementHandler", () => {
  it("reads the headers it is handed (raw or Fetch), and without them a standard native request (deprecated)", async () => {
    const { kw, key } = await withKey();
    const handle = createManagementHandler(kw, {
      actor: (_req, context) => (context.header("x-user")[0] === "u" ? { id: "u", owner: "org_1", role: "admin" } : null),
    });
    const base = { method: "GET", route: "/roles", path: "/keys/roles", query: new URLSearchParams(), readBody: async () => "" };
    const raw = headersFromRaw(["x-user", "u"]);
    const fetched = headersFromFetch(new Headers({ "x-user": "u" }));
    expect((await handle({ ...base, headers: raw, native: {} })).body).toEqual(["admin"]);
    expect((await handle({ ...base, headers: fetched, native: {} })).body).toEqual(["admin"]);
    const native = new Request("http://h/keys/roles", { headers: { "x-user": "u" } });
    expect((await handle({ ...base, native } as never)).body).toEqual(["admin"]);
    await expect(handle({ ...base, native: { get: () => key } } as never)).rejects.toThrow(TypeError);
  });
});
