import expressPkg from "express/package.json" with { type: "json" };
import fastifyPkg from "fastify/package.json" with { type: "json" };
import { Hono } from "hono";
import ioredisPkg from "ioredis/package.json" with { type: "json" };
import * as keyward from "keyward";
import { KeywardError, NotFoundError } from "keyward";
import * as honoAdapter from "keyward/hono";
import * as http from "keyward/http";
import koaPkg from "koa/package.json" with { type: "json" };
import redisPkg from "redis/package.json" with { type: "json" };
import { describe, expect, it } from "vitest";
import { PEER_SETS } from "../../scripts/peer-sets.mjs";

/**
 * Proves what a run exercises: `src` runs the sources with the dev
 * dependencies; `dist-<esm|cjs>-<set>` runs the packed package installed with
 * one peer set (scripts/peer-sets.mjs) and loaded as `import` or `require`.
 */
const underTest = process.env.KEYWARD_UNDER_TEST ?? "src";
const [, format, set] = /^dist-(esm|cjs)-(\w+)$/.exec(underTest) ?? [];
const major = (version: string) => version.split(".")[0];

describe(`what this run tests (${underTest})`, () => {
  it.runIf(set !== undefined)("loads the built package, in the module format of the run", () => {
    // a CommonJS module imported from ESM has a `default` export (module.exports); ESM and the sources do not
    expect("default" in keyward).toBe(format === "cjs");
    // tsup compiles classes to class expressions; the sources keep the declaration
    expect(String(KeywardError).startsWith("class KeywardError")).toBe(false);
  });

  it.runIf(set === undefined)("loads the sources", () => {
    expect(String(KeywardError).startsWith("class KeywardError")).toBe(true);
  });

  it.runIf(set !== undefined)("resolves every peer of the set to the major it names", () => {
    const peers = PEER_SETS[set as keyof typeof PEER_SETS] as Record<string, string>;
    const installed: Record<string, string> = {
      express: expressPkg.version,
      koa: koaPkg.version,
      fastify: fastifyPkg.version,
      ioredis: ioredisPkg.version,
      redis: redisPkg.version,
    };
    for (const [name, wanted] of Object.entries(peers)) {
      if (!(name in installed)) continue;
      expect(`${name}@${major(installed[name] as string)}`).toBe(`${name}@${major(wanted)}`);
    }
  });

  it("shares one core between entry points: errors thrown by the engine are recognised by keyward/http", () => {
    const answer = http.errorResponse(new NotFoundError(), { realm: "api", path: "/keys/1", retryAfter: 5 });
    expect(answer.status).toBe(404);
    expect(http.errorResponse(new keyward.StoreUnavailableError(), { realm: "api", path: "/", retryAfter: 5 }).status).toBe(503);
  });

  it("hands the adapters the same framework copy the application uses", () => {
    const routes = honoAdapter.apiKeyRoutes(keyward.createKeyward({ store: { findByHash: () => null } as never }), {
      actor: () => null,
    });
    expect(routes).toBeInstanceOf(Hono);
  });
});
