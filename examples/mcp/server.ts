/**
 * keyward MCP example: an MCP server over Streamable HTTP whose callers
 * authenticate with keyward API keys, sent as a Bearer token the way
 * Claude Desktop and other MCP clients send one. Express, in-memory store.
 *
 *   npx tsx examples/mcp/server.ts      # PORT (default 3005), HOST (default 127.0.0.1)
 *
 * - POST /mcp: the MCP endpoint (stateless: one server and transport per
 *   request). Without a valid key: 401 with `WWW-Authenticate: Bearer …`.
 * - Each tool needs a scope (`list_jobs` → jobs:read, `create_job` →
 *   jobs:write). Every tool is listed to every key, each description naming
 *   its scope; calling one the key lacks the scope for returns an MCP error
 *   result (`isError: true`) that names the missing scope.
 * - /settings/api-keys: the management API, authenticated by a key holding
 *   `api_keys:manage` (`keyActor`), so the bootstrap admin key printed at
 *   start can mint narrower keys for MCP clients.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { localhostHostValidation } from "@modelcontextprotocol/sdk/server/middleware/hostHeaderValidation.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import express, { type Request, type Response } from "express";
import { createKeyward, keyActor } from "keyward";
import { apiKeyAuth, apiKeyRoutes, type Principal } from "keyward/express";
import { memoryStore } from "keyward/memory";
import { z } from "zod";

const ROLES = {
  owner: ["*"],
  admin: ["jobs:*", "api_keys:manage"],
  viewer: ["jobs:read"],
};

const keyward = createKeyward({ store: memoryStore(), prefix: "cho", roles: ROLES });

// --- the application's data: job postings per organization (the key's owner) ---
interface Job {
  id: string;
  title: string;
  location: string;
}
const jobsByOwner = new Map<string, Job[]>();
function jobsOf(owner: string): Job[] {
  let jobs = jobsByOwner.get(owner);
  if (!jobs) {
    jobs = [{ id: "job_1", title: "Staff engineer", location: "Remote" }];
    jobsByOwner.set(owner, jobs);
  }
  return jobs;
}

// --- tools, each guarded by a scope ---

const text = (value: string): CallToolResult => ({ content: [{ type: "text", text: value }] });

/**
 * Runs `run` only when the key holds `scope`; otherwise answers the tool call
 * with an error result naming the missing scope (the MCP session stays up, and
 * the model can tell the user what to ask for).
 */
function requireScope<A>(principal: Principal, tool: string, scope: string, run: (args: A) => CallToolResult) {
  const apiKey = principal.apiKey;
  return async (args: A): Promise<CallToolResult> => {
    // effective scopes (own ∪ role) as apiKeyAuth resolved them for this request
    if (principal.has(scope)) return run(args);
    return {
      isError: true,
      content: [
        {
          type: "text",
          text:
            `Forbidden: ${tool} requires the "${scope}" scope, and this API key (${apiKey.keyPrefix}…) does not have it. ` +
            `Ask an admin for a key whose role grants "${scope}".`,
        },
      ],
    };
  };
}

/** The MCP server for one request, acting for the key that authenticated it. */
function mcpServerFor(principal: Principal): McpServer {
  const apiKey = principal.apiKey;
  const server = new McpServer({ name: "keyward-jobs", version: "1.0.0" });

  server.registerTool(
    "list_jobs",
    {
      title: "List job postings",
      description: "Lists your organization's job postings. Requires the jobs:read scope.",
      annotations: { readOnlyHint: true },
    },
    requireScope(principal, "list_jobs", "jobs:read", () => text(JSON.stringify(jobsOf(apiKey.owner), null, 2))),
  );

  server.registerTool(
    "create_job",
    {
      title: "Create a job posting",
      description: "Creates a job posting in your organization. Requires the jobs:write scope.",
      inputSchema: { title: z.string().trim().min(1).max(200), location: z.string().trim().max(100).optional() },
      annotations: { readOnlyHint: false, destructiveHint: false },
    },
    requireScope(principal, "create_job", "jobs:write", (args: { title: string; location?: string | undefined }) => {
      const jobs = jobsOf(apiKey.owner);
      const job = { id: `job_${jobs.length + 1}`, title: args.title, location: args.location ?? "Remote" };
      jobs.push(job);
      return text(JSON.stringify(job, null, 2));
    }),
  );

  return server;
}

// --- HTTP ---

const port = Number(process.env.PORT ?? 3005);
const host = process.env.HOST ?? "127.0.0.1";

const app = express();
// Refuse DNS-rebinding requests (a Host other than localhost) while bound to localhost.
if (["127.0.0.1", "localhost", "::1"].includes(host)) app.use(localhostHostValidation());

app.use("/settings/api-keys", apiKeyRoutes(keyward, { actor: keyActor(keyward) }));

// Every method on /mcp needs a valid key first: 401 + WWW-Authenticate without one.
app.use("/mcp", apiKeyAuth(keyward, { realm: "mcp" }));

app.post("/mcp", express.json({ limit: "1mb" }), async (req: Request, res: Response) => {
  const server = mcpServerFor(req.principal as Principal);
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  res.on("close", () => {
    void transport.close();
    void server.close();
  });
  try {
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  } catch {
    if (!res.headersSent) res.status(500).json({ jsonrpc: "2.0", error: { code: -32603, message: "Internal error" }, id: null });
  }
});

// Stateless: no server-to-client stream (GET) and no session to end (DELETE).
app.all("/mcp", (_req, res) => {
  res
    .status(405)
    .set("allow", "POST")
    .json({
      jsonrpc: "2.0",
      error: { code: -32000, message: "Method not allowed: this server is stateless, use POST" },
      id: null,
    });
});

const bootstrap = await keyward.create({ owner: "org_acme", label: "Bootstrap admin", role: "admin" });

const httpServer = app.listen(port, host, () => {
  const address = httpServer.address();
  const base = `http://${host}:${typeof address === "object" && address ? address.port : port}`;
  console.log(`keyward MCP server listening on ${base}/mcp`);
  console.log(`bootstrap admin key (shown once): ${bootstrap.key}`);
  console.log("\nMint a read-only key for an MCP client:");
  console.log(`  curl -s -X POST ${base}/settings/api-keys -H "Authorization: Bearer <bootstrap key>" \\`);
  console.log(`    -H "Content-Type: application/json" -d '{"label":"Claude Desktop","role":"viewer"}'`);
  console.log(`Then point the client at ${base}/mcp with the header "Authorization: Bearer <that key>".`);
});

let closing = false;
async function shutdown(): Promise<void> {
  if (closing) return;
  closing = true;
  httpServer.close();
  await keyward.close();
  process.exit(0);
}
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
