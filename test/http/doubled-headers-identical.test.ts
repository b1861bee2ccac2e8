/**
 * SECURITY 9, compared across adapters: every adapter hands `keyward/http`
 * the request's headers from its raw form (Node's `rawHeaders`; Hono on
 * `@hono/node-server` too), so a doubled header reads the same everywhere and
 * the three adapters give the very same answer — status, challenge, every
 * keyward header and body — on protected routes and on the management
 * routes alike.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADAPTERS, type AdapterName, type Running, start } from "../support/apps.js";
import { createWorld, type Exchange, request, type World } from "../support/http.js";

type Header = readonly [string, string];

let world: World;
const servers = new Map<AdapterName, Running>();
beforeAll(async () => {
  world = await createWorld();
  for (const adapter of ADAPTERS) servers.set(adapter, await start(adapter, { kw: world.kw }));
});
afterAll(async () => {
  for (const server of servers.values()) await server.close();
  await world.kw.close();
});

/** What the client sees, without what legitimately differs between frameworks (date, connection, the body's timestamp). */
function answer(res: Exchange) {
  const keep = ["www-authenticate", "retry-after", "cache-control", "content-type"];
  const headers = Object.fromEntries(keep.filter((h) => res.headers[h] !== undefined).map((h) => [h, res.headers[h]]));
  const body = res.json && typeof res.json === "object" ? { ...(res.json as Record<string, unknown>), timestamp: "…" } : res.text;
  return { status: res.status, headers, body };
}

function cases(): [string, { method?: string; path: string; headers: Header[]; body?: string }, number][] {
  const { valid, admin } = world.keys;
  const json: Header = ["content-type", "application/json"];
  return [
    [
      "protected: two Authorization headers",
      {
        path: "/v1/jobs",
        headers: [
          ["authorization", `Bearer ${valid}`],
          ["authorization", `Bearer ${valid}`],
        ],
      },
      400,
    ],
    [
      "protected: Authorization and X-API-Key",
      {
        path: "/x/jobs",
        headers: [
          ["authorization", `Bearer ${valid}`],
          ["x-api-key", valid],
        ],
      },
      400,
    ],
    [
      "protected: two X-API-Key headers",
      {
        path: "/x/jobs",
        headers: [
          ["x-api-key", valid],
          ["X-Api-Key", valid],
        ],
      },
      400,
    ],
    [
      "protected: one comma-joined Authorization",
      { path: "/v1/jobs", headers: [["authorization", `Bearer ${valid}, Bearer ${valid}`]] },
      400,
    ],
    [
      "protected: Basic, then Bearer",
      {
        path: "/v1/jobs",
        headers: [
          ["authorization", "Basic dXNlcjpwYXNz"],
          ["authorization", `Bearer ${valid}`],
        ],
      },
      400,
    ],
    [
      "management (session actor): two Authorization headers",
      {
        path: "/settings/api-keys",
        headers: [
          ["authorization", `Bearer ${admin}`],
          ["authorization", `Bearer ${admin}`],
        ],
      },
      400,
    ],
    [
      "management (keyActor): two Authorization headers",
      {
        path: "/integrations/api-keys",
        headers: [
          ["authorization", `Bearer ${admin}`],
          ["Authorization", `Bearer ${valid}`],
        ],
      },
      400,
    ],
    [
      "management (keyActor): Basic, then Bearer",
      {
        path: "/integrations/api-keys",
        headers: [
          ["authorization", "Basic dXNlcjpwYXNz"],
          ["authorization", `Bearer ${admin}`],
        ],
      },
      400,
    ],
    [
      "management: a doubled session header (the resolver sees both values, takes the first)",
      {
        path: "/settings/api-keys/roles",
        headers: [
          ["x-test-user", "viewer"],
          ["x-test-user", "admin"],
        ],
      },
      403,
    ],
    [
      "management: two Content-Type headers on a POST",
      {
        method: "POST",
        path: "/integrations/api-keys",
        headers: [["authorization", `Bearer ${admin}`], json, ["content-type", "text/plain"]],
        body: '{"label":"x"}',
      },
      415,
    ],
  ];
}

describe("a doubled header gets the same answer from every adapter", () => {
  it("on protected routes and management routes, whatever the resolver", async () => {
    for (const [name, req, status] of cases()) {
      const answers = new Map<AdapterName, ReturnType<typeof answer>>();
      for (const adapter of ADAPTERS) {
        world.reset();
        answers.set(adapter, answer(await request((servers.get(adapter) as Running).port, req)));
        expect(world.store.lookups, `${adapter}, ${name}: nothing looked up`).toBe(0);
      }
      const express = answers.get("express");
      expect(express?.status, name).toBe(status);
      expect(answers.get("hono"), `hono, ${name}`).toEqual(express);
      expect(answers.get("koa"), `koa, ${name}`).toEqual(express);
    }
  });
});
