import { Hono } from "hono";
import { createKeyward } from "keyward";
import { apiKeyRoutes } from "keyward/hono";
import { jwtActor } from "keyward/jwt";
import { memoryStore } from "keyward/memory";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  AUDIENCE,
  ISSUER,
  type JwksServer,
  jwksOf,
  makeKey,
  type SigningKey,
  sign,
  startJwksServer,
  toActor,
} from "../support/jwt.js";

let key: SigningKey;
let server: JwksServer | undefined;
beforeAll(async () => {
  key = await makeKey("k1");
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function appWith(jwks: string) {
  const keyward = createKeyward({ store: memoryStore(), prefix: "kw", lastUsed: false });
  const actor = jwtActor({ jwks, issuer: ISSUER, audience: AUDIENCE, toActor });
  const app = new Hono();
  app.route("/settings/api-keys", apiKeyRoutes(keyward, { actor }));
  return app;
}

const call = (app: Hono, method: string, token: string | undefined, body?: unknown) =>
  app.request("/settings/api-keys", {
    method,
    headers: {
      ...(token && { authorization: `Bearer ${token}` }),
      ...(body !== undefined && { "content-type": "application/json" }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });

describe("jwtActor with the Hono adapter, end to end", () => {
  it("creates and lists keys for the token's organisation", async () => {
    server = await startJwksServer(jwksOf(key));
    const app = appWith(server.url);
    const token = await sign(key);
    const created = await call(app, "POST", token, { label: "CI", scopes: ["keys:read"] });
    expect(created.status).toBe(201);
    const record = (await created.json()) as { rawKey: string; label: string };
    expect(record).toMatchObject({ label: "CI", scopes: ["keys:read"] });
    expect(record.rawKey).toMatch(/^kw_/);

    const other = await sign(key, { claims: { org_id: "org_2" } });
    const listed = (await (await call(app, "GET", token)).json()) as { data: unknown[] };
    const foreign = (await (await call(app, "GET", other)).json()) as { data: unknown[] };
    expect(listed.data).toHaveLength(1);
    expect(foreign.data).toHaveLength(0);
  });

  it("answers 401 for a missing, expired or wrongly addressed token, without echoing it", async () => {
    server = await startJwksServer(jwksOf(key));
    const app = appWith(server.url);
    const expired = await sign(key, { expiresIn: Math.floor(Date.now() / 1000) - 5 });
    const wrongAudience = await sign(key, { audience: "https://other.example.test" });
    for (const token of [undefined, expired, wrongAudience]) {
      const res = await call(app, "GET", token);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer /);
      const text = await res.text();
      if (token) expect(text).not.toContain(token);
    }
  });

  it("answers 403 when the token lacks api_keys:manage", async () => {
    server = await startJwksServer(jwksOf(key));
    const res = await call(appWith(server.url), "GET", await sign(key, { claims: { scope: "keys:read" } }));
    expect(res.status).toBe(403);
  });

  it("answers 503 with Retry-After when the JWKS cannot be fetched", async () => {
    server = await startJwksServer(jwksOf(key));
    server.setMode("error");
    const res = await call(appWith(server.url), "GET", await sign(key));
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBeTruthy();
  });
});
