/**
 * What a user writes with `exactOptionalPropertyTypes: true` in their
 * tsconfig: every optional option of the public API accepts a value that may
 * be `undefined`, such as `process.env.X`. exact-optional.test.ts compiles
 * this file with that flag on; `npm run typecheck` compiles it as well.
 * Never run.
 */
import { type Actor, createKeyward, keyActor } from "keyward";
import * as ex from "keyward/express";
import * as fa from "keyward/fastify";
import * as fe from "keyward/fetch";
import * as ho from "keyward/hono";
import { createAuthenticator, createManagementHandler } from "keyward/http";
import { jwtActor } from "keyward/jwt";
import * as ko from "keyward/koa";
import { memoryStore } from "keyward/memory";
import { postgresStore } from "keyward/postgres";
import { redisStore } from "keyward/redis";

/** A value the compiler cannot prove present. */
declare function maybe<T>(value: T): T | undefined;

export async function everyOptionMayBeUndefined(): Promise<void> {
  const env = process.env;
  const keyward = createKeyward({
    store: memoryStore({ records: maybe([]) }),
    prefix: env.KEYWARD_PREFIX,
    pepper: env.KEYWARD_PEPPER,
    roles: maybe({ admin: ["*"] }),
    scopes: maybe(["jobs:read"]),
    mutableScopes: maybe(true),
    cache: { ttl: maybe(30_000), max: maybe(10_000) },
    onEvent: maybe(() => {}),
    managePermission: env.KEYWARD_MANAGE_PERMISSION,
    lastUsed: { window: maybe(60_000), flushDelay: maybe(1_000), timeout: maybe(2_000) },
    storeTimeout: maybe(2_000),
    maxGracePeriod: maybe(86_400_000),
    now: maybe(Date.now),
  });
  createKeyward({ store: memoryStore(), lastUsed: maybe(false), cache: maybe({}) });

  const actor: Actor | undefined = maybe({ id: "u_1", owner: "org_1" });
  const { apiKey } = await keyward.create(
    {
      owner: env.OWNER,
      label: "CI",
      role: env.ROLE,
      scopes: maybe(["jobs:read"]),
      expiresAt: env.EXPIRES_AT,
      metadata: maybe({}),
    },
    { actor },
  );
  await keyward.update(apiKey.id, { label: env.LABEL, metadata: maybe({}), scopes: maybe([]), role: env.ROLE }, { actor });
  await keyward.list("org_1", { limit: maybe(10), cursor: env.CURSOR, status: maybe("active" as const), actor });
  await keyward.rotate(apiKey.id, { gracePeriod: maybe(60_000), actor });
  await keyward.verify("cho_…", { scopes: maybe(["jobs:read"]) });

  const realm = env.REALM;
  const header = env.KEY_HEADER;
  keyActor(keyward, { header });
  createAuthenticator(keyward, { realm, header, scopes: maybe(["jobs:read"]), retryAfterSeconds: maybe(5) });
  createManagementHandler(keyward, { actor: () => null, realm, maxBodyBytes: maybe(8_192) });
  ex.apiKeyAuth(keyward, { realm, header });
  ex.apiKeyRoutes(keyward, { actor: () => null, realm, maxBodyBytes: maybe(8_192) });
  ho.apiKeyAuth(keyward, { realm, header });
  ho.apiKeyRoutes(keyward, { actor: () => null, realm, maxBodyBytes: maybe(8_192) });
  ko.apiKeyAuth(keyward, { realm, header });
  ko.apiKeyRoutes(keyward, { actor: () => null, prefix: env.KEYS_PATH, realm });
  fa.apiKeyAuth(keyward, { realm, header });
  fa.apiKeyRoutes(keyward, { actor: () => null, realm, maxBodyBytes: maybe(8_192) });
  fe.apiKeyAuth(keyward, { realm, header });
  fe.apiKeyRoutes(keyward, { actor: () => null, prefix: env.KEYS_PATH, realm });

  jwtActor({
    jwks: env.JWKS_URL ?? "https://auth.example.com/.well-known/jwks.json",
    issuer: env.JWT_ISSUER,
    audience: env.JWT_AUDIENCE,
    algorithms: maybe(["RS256"]),
    clockToleranceMs: env.JWT_CLOCK_TOLERANCE,
    requiredClaims: maybe(["sub"]),
    cooldownDuration: maybe(30_000),
    cacheMaxAge: maybe(600_000),
    timeoutDuration: maybe(5_000),
    toActor: () => null,
  });
  jwtActor({ secret: env.JWT_SECRET ?? "", issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE, toActor: () => null });

  postgresStore({
    client: { query: async () => ({ rows: [] }) },
    table: env.KEYWARD_TABLE,
    schema: env.KEYWARD_SCHEMA,
    channel: env.KEYWARD_CHANNEL,
    listen: maybe(false),
    autoMigrate: maybe(false),
  });
  redisStore({ sendCommand: async () => null, namespace: env.KEYWARD_REDIS_NAMESPACE });

  // @ts-expect-error a value of the wrong type is still refused
  createKeyward({ store: memoryStore(), pepper: 42 });
}
