/**
 * `pepper: process.env.X` (and every other optional option given a value
 * that may be undefined) compiles in a project that turns on
 * `exactOptionalPropertyTypes`.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { typeErrors } from "./compile.js";

const FIXTURE = "test/types/exact-optional.ts";
const EXACT = { exactOptionalPropertyTypes: true, strict: true };

describe("public options under exactOptionalPropertyTypes", () => {
  it("every optional option accepts a maybe-undefined value (process.env.X included)", () => {
    const text = readFileSync(new URL("./exact-optional.ts", import.meta.url), "utf8");
    expect(typeErrors({ [FIXTURE]: text }, EXACT)).toEqual([]);
  }, 60_000);

  it("the check has teeth: an option declared without `| undefined` is refused under the flag", () => {
    const text = [
      "interface WithoutUndefined { pepper?: string | readonly string[] }",
      "export const options: WithoutUndefined = { pepper: process.env.KEYWARD_PEPPER };",
    ].join("\n");
    const errors = typeErrors({ "test/types/virtual-control.ts": text }, EXACT);
    expect(errors).toEqual([expect.stringMatching(/virtual-control\.ts:2:14 TS2375 .*exactOptionalPropertyTypes/)]);
    expect(typeErrors({ "test/types/virtual-control.ts": text }, { exactOptionalPropertyTypes: false })).toEqual([]);
  }, 60_000);
});

describe("an option given as undefined behaves as if it were left out", () => {
  it("createKeyward, the middleware, jwtActor and the stores take explicit undefined and use their defaults", async () => {
    const { createKeyward, keyActor } = await import("keyward");
    const { memoryStore } = await import("keyward/memory");
    const { jwtActor } = await import("keyward/jwt");
    const { postgresStore } = await import("keyward/postgres");
    const { redisStore } = await import("keyward/redis");
    const ko = await import("keyward/koa");
    const ex = await import("keyward/express");
    const u = undefined;
    const keyward = createKeyward({
      store: memoryStore({ records: u }),
      prefix: u,
      pepper: u,
      roles: u,
      scopes: u,
      mutableScopes: u,
      cache: u,
      onEvent: u,
      managePermission: u,
      lastUsed: { window: u, flushDelay: u, timeout: u },
      storeTimeout: u,
      maxGracePeriod: u,
      now: u,
    });
    expect(keyward.prefix).toBe("kw");
    expect(keyward.managePermission).toBe("api_keys:manage");
    const { key, apiKey } = await keyward.create({ owner: "org_1", label: "x", role: u, scopes: u, expiresAt: u, metadata: u });
    expect(apiKey).toMatchObject({ role: null, scopes: [], expiresAt: null, metadata: {} });
    expect((await keyward.verify(key, { scopes: u })).ok).toBe(true);
    expect((await keyward.list("org_1", { limit: u, cursor: u, status: u, actor: u })).data).toHaveLength(1);
    expect((await keyward.rotate(apiKey.id, { gracePeriod: u, actor: u })).apiKey.rotatedFrom).toBe(apiKey.id);
    await keyward.close();

    expect(() => keyActor(keyward, { header: u })).not.toThrow();
    expect(() => ex.apiKeyAuth(keyward, { realm: u, header: u, scopes: u, retryAfterSeconds: u, retryAfter: u })).not.toThrow();
    expect(() => ko.apiKeyRoutes(keyward, { actor: () => null, prefix: u, realm: u, maxBodyBytes: u })).not.toThrow();
    expect(() =>
      jwtActor({
        jwks: "https://auth.example.com/.well-known/jwks.json",
        issuer: u,
        audience: u,
        algorithms: u,
        clockTolerance: u,
        clockToleranceMs: u,
        requiredClaims: u,
        cooldownDuration: u,
        cacheMaxAge: u,
        timeoutDuration: u,
        toActor: () => null,
      }),
    ).not.toThrow();
    expect(() =>
      jwtActor({ jwks: { keys: [{ kty: "EC", crv: "P-256", x: "x", y: "y" }] }, issuer: u, toActor: () => null }),
    ).not.toThrow();
    const pg = postgresStore({
      client: { query: async () => ({ rows: [] }) },
      table: u,
      schema: u,
      channel: u,
      listen: u,
      feed: u,
      autoMigrate: u,
    });
    expect(pg.table).toBe('"public"."keyward_keys"');
    expect(redisStore({ sendCommand: async () => null, namespace: u, prefix: u, subscriber: u }).namespace).toBe("keyward");
  });
});
