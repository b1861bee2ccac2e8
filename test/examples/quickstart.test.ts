/**
 * examples/quickstart end to end: `npm start` as a child process, exercised
 * with the requests its printed curl lines suggest.
 */
import { readFileSync } from "node:fs";
import { KEY_PATTERN } from "keyward";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningExample, startExample } from "../support/examples.js";
import { runTs } from "../support/spawn.js";

let server: RunningExample;
let adminKey: string;

beforeAll(async () => {
  server = await startExample("examples/quickstart/index.ts");
  adminKey = (await server.waitForOutput(/bootstrap admin key \(shown once\): (\S+)/))[1] as string;
  expect(adminKey).toMatch(KEY_PATTERN);
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

const call = (path: string, key?: string, init: { method?: string; body?: unknown } = {}) =>
  fetch(`${server.url}${path}`, {
    method: init.method ?? "GET",
    headers: {
      ...(key && { authorization: `Bearer ${key}` }),
      ...(init.body !== undefined && { "content-type": "application/json" }),
    },
    ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
  });

describe("examples/quickstart", () => {
  it("runs the in-process lifecycle demo before serving", () => {
    const out = server.stdout();
    expect(out).toMatch(/verify +jobs:read +→ ok/);
    expect(out).toMatch(/verify +jobs:write → insufficient_scope \(403\)/);
    expect(out).toMatch(/revoke +then verify → revoked \(401\)/);
  });

  it("protects /v1/jobs: 401 with a Bearer challenge without a key, 200 with the bootstrap key", async () => {
    const anonymous = await call("/v1/jobs");
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toMatch(/^Bearer realm=/);

    const ok = await call("/v1/jobs", adminKey);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ owner: "org_acme" });
  });

  it("mints a viewer key through the management API that can read but not write, until revoked", async () => {
    const roles = await call("/settings/api-keys/roles", adminKey);
    expect(await roles.json()).not.toContain("owner");

    const res = await call("/settings/api-keys", adminKey, { method: "POST", body: { label: "CRM sync", role: "viewer" } });
    expect(res.status).toBe(201);
    const { id, rawKey } = (await res.json()) as { id: string; rawKey: string };

    expect((await call("/v1/jobs", rawKey)).status).toBe(200);
    const write = await call("/v1/jobs", rawKey, { method: "POST" });
    expect(write.status).toBe(403);
    expect(write.headers.get("www-authenticate")).toContain('error="insufficient_scope"');

    const listed = (await (await call("/settings/api-keys", adminKey)).json()) as { data: Record<string, unknown>[] };
    expect(JSON.stringify(listed)).not.toContain(rawKey);
    expect(listed.data.map((k) => k.label)).toContain("CRM sync");

    expect((await call(`/settings/api-keys/${id}/revoke`, adminKey, { method: "POST" })).status).toBe(200);
    expect((await call("/v1/jobs", rawKey)).status).toBe(401);
    expect(server.stdout()).not.toContain(rawKey);
  });
});

describe("what README promises about npm start", () => {
  it("README keeps its two commands and says the demo is a server stopped with Ctrl-C", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const block = /## Try it\n\n```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
    expect(block.trim().split("\n")).toEqual(["npm ci && npm start", "npm test"]);
    expect(readme).toMatch(/starts a local server/);
    expect(readme).toMatch(/Ctrl-C/);
    expect(readme).toMatch(/npm start -- --once/);
  });

  it("the running demo says how to stop it", () => {
    expect(server.stdout()).toMatch(/press Ctrl-C to stop it/);
  });

  it("npm start -- --once runs the terminal part and exits 0 without serving", async () => {
    const once = await runTs("examples/quickstart/index.ts", { args: ["--once"], timeout: 60_000 });
    expect(once.code).toBe(0);
    expect(once.stdout).toMatch(/revoke +then verify → revoked \(401\)/);
    expect(once.stdout).not.toMatch(/listening on/);
  }, 60_000);
});
