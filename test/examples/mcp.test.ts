/**
 * examples/mcp end to end: the real server as a child process, reached with
 * the MCP SDK's own Client over Streamable HTTP, the key sent as a Bearer
 * token as MCP clients send it.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { KEY_PATTERN } from "keyward";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningExample, startExample } from "../support/examples.js";

let server: RunningExample;
let adminKey: string;
let viewerKey: string;
let viewerId: string;
const open: Client[] = [];

async function connect(key?: string): Promise<Client> {
  const client = new Client({ name: "keyward-test", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), {
    ...(key && { requestInit: { headers: { Authorization: `Bearer ${key}` } } }),
  });
  await client.connect(transport);
  open.push(client);
  return client;
}

function textOf(result: unknown): string {
  const content = (result as CallToolResult).content;
  return content.map((part) => (part.type === "text" ? part.text : "")).join("\n");
}

async function manage(path: string, init: { method?: string; body?: unknown } = {}): Promise<Response> {
  return fetch(`${server.url}/settings/api-keys${path}`, {
    method: init.method ?? "GET",
    headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
    ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
  });
}

beforeAll(async () => {
  server = await startExample("examples/mcp/server.ts");
  const printed = await server.waitForOutput(/bootstrap admin key \(shown once\): (\S+)/);
  adminKey = printed[1] as string;
  expect(adminKey).toMatch(KEY_PATTERN);

  // The admin mints a jobs:read-only key for an MCP client, through the management API.
  const res = await manage("", { method: "POST", body: { label: "Claude Desktop (read-only)", role: "viewer" } });
  expect(res.status).toBe(201);
  const created = (await res.json()) as { id: string; rawKey: string };
  viewerKey = created.rawKey;
  viewerId = created.id;
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(open.map((client) => client.close()));
  await server?.stop();
});

describe("examples/mcp", () => {
  it("lists the tools to a client with a valid key, each naming the scope it needs", async () => {
    const client = await connect(viewerKey);
    const { tools } = await client.listTools();
    const byName = new Map(tools.map((tool) => [tool.name, tool]));
    expect([...byName.keys()].sort()).toEqual(["create_job", "list_jobs"]);
    expect(byName.get("list_jobs")?.description).toContain("jobs:read");
    expect(byName.get("create_job")?.description).toContain("jobs:write");
    expect(byName.get("create_job")?.inputSchema.required).toEqual(["title"]);
  });

  it("runs a tool inside the key's scopes", async () => {
    const client = await connect(viewerKey);
    const result = await client.callTool({ name: "list_jobs", arguments: {} });
    expect(result.isError).toBeFalsy();
    expect(JSON.parse(textOf(result))).toEqual(expect.arrayContaining([expect.objectContaining({ title: "Staff engineer" })]));
  });

  it("refuses a jobs:read-only key the jobs:write tool, naming the missing scope, and changes nothing", async () => {
    const client = await connect(viewerKey);
    const refused = await client.callTool({ name: "create_job", arguments: { title: "Should not exist" } });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toContain('requires the "jobs:write" scope');
    expect(textOf(refused)).not.toContain(viewerKey);

    const list = await client.callTool({ name: "list_jobs", arguments: {} });
    expect(textOf(list)).not.toContain("Should not exist");
  });

  it("lets a key with jobs:write create a job that a read-only key of the same organization then sees", async () => {
    const admin = await connect(adminKey);
    const created = await admin.callTool({ name: "create_job", arguments: { title: "MCP engineer", location: "Berlin" } });
    expect(created.isError).toBeFalsy();
    expect(JSON.parse(textOf(created))).toMatchObject({ title: "MCP engineer", location: "Berlin" });

    const viewer = await connect(viewerKey);
    expect(textOf(await viewer.callTool({ name: "list_jobs", arguments: {} }))).toContain("MCP engineer");
  });

  it("refuses to connect without a key: HTTP 401 with a Bearer challenge", async () => {
    await expect(connect()).rejects.toThrow(/401/);

    const res = await fetch(`${server.url}/mcp`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe('Bearer realm="mcp"');
  });

  it("refuses to connect with a forged key (invalid_token), and never echoes it", async () => {
    const forged = `${viewerKey.slice(0, -8)}AAAAAAAA`;
    await expect(connect(forged)).rejects.toThrow(/401/);

    const res = await fetch(`${server.url}/mcp`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${forged}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain('error="invalid_token"');
    expect(await res.text()).not.toContain(forged);
  });

  it("answers GET /mcp with 405 once authenticated (stateless server)", async () => {
    const res = await fetch(`${server.url}/mcp`, {
      headers: { authorization: `Bearer ${viewerKey}`, accept: "text/event-stream" },
    });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
  });

  it("prints the bootstrap key once and no other key", () => {
    expect(server.stdout().match(new RegExp(KEY_PATTERN.source, "g"))).toEqual([adminKey]);
  });

  it("refuses a key as soon as it is revoked", async () => {
    const client = await connect(viewerKey);
    expect((await client.listTools()).tools.length).toBe(2);

    expect((await manage(`/${viewerId}/revoke`, { method: "POST" })).status).toBe(200);
    await expect(client.listTools()).rejects.toThrow(/401/);
    await expect(connect(viewerKey)).rejects.toThrow(/401/);
  });
});
