/**
 * Starts each framework example as a child process (`npx tsx …`) on a free
 * port, sends real requests, and stops it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";

const EXAMPLES = ["express", "hono", "koa"] as const;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

interface Started {
  child: ChildProcess;
  port: number;
  key: string;
  output: () => string;
}

/** Spawns the example in its own process group and waits for its "listening" line. */
async function startExample(name: string): Promise<Started> {
  const port = await freePort();
  const child = spawn("npx", ["tsx", `examples/${name}/index.ts`], {
    cwd: process.cwd(),
    env: { ...process.env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (err += c.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`example ${name} did not start: ${err.slice(0, 500)}`)), 30_000);
    const check = () => {
      if (/listening on http:\/\/127\.0\.0\.1:\d+/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`example ${name} exited with ${code}: ${err.slice(0, 500)}`));
    });
  });
  const key = /bootstrap admin key \(shown once\): (\S+)/.exec(out)?.[1] ?? "";
  return { child, port, key, output: () => out };
}

/** Ends the process group this test started, by its id. */
function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return resolve();
    const timer = setTimeout(() => {
      try {
        process.kill(-(child.pid as number), "SIGKILL");
      } catch {
        // already gone
      }
    }, 5_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      process.kill(-(child.pid as number), "SIGTERM");
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

let running: ChildProcess | undefined;
afterEach(async () => {
  if (running) await stop(running);
  running = undefined;
});

describe.each(EXAMPLES)("examples/%s", (name) => {
  it("serves protected /v1/jobs and the management API", { timeout: 60_000 }, async () => {
    const started = await startExample(name);
    running = started.child;
    const base = `http://127.0.0.1:${started.port}`;
    expect(started.key).toMatch(/^cho_[0-9A-Za-z]{54}$/);
    const auth = (key: string) => ({ authorization: `Bearer ${key}` });

    const anonymous = await fetch(`${base}/v1/jobs`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toBe('Bearer realm="api"');

    const listed = await fetch(`${base}/v1/jobs`, { headers: auth(started.key) });
    expect(listed.status).toBe(200);
    expect(await listed.json()).toEqual({ data: [] });

    const posted = await fetch(`${base}/v1/jobs`, {
      method: "POST",
      headers: { ...auth(started.key), "content-type": "application/json" },
      body: JSON.stringify({ title: "Staff engineer" }),
    });
    expect(posted.status).toBe(201);
    expect(await posted.json()).toEqual({ id: 1, title: "Staff engineer" });

    const created = await fetch(`${base}/settings/api-keys`, {
      method: "POST",
      headers: { ...auth(started.key), "content-type": "application/json" },
      body: JSON.stringify({ label: "CRM sync", role: "viewer" }),
    });
    expect(created.status).toBe(201);
    const record = (await created.json()) as { rawKey: string; label: string; role: string };
    expect(record).toMatchObject({ label: "CRM sync", role: "viewer" });

    const asViewer = await fetch(`${base}/v1/jobs`, { headers: auth(record.rawKey) });
    expect(asViewer.status).toBe(200);
    expect(await asViewer.json()).toEqual({ data: [{ id: 1, title: "Staff engineer" }] });
    const viewerWrites = await fetch(`${base}/v1/jobs`, { method: "POST", headers: auth(record.rawKey) });
    expect(viewerWrites.status).toBe(403);
    expect(viewerWrites.headers.get("www-authenticate")).toContain('error="insufficient_scope"');

    const keys = (await (await fetch(`${base}/settings/api-keys`, { headers: auth(started.key) })).json()) as { data: unknown[] };
    expect(keys.data).toHaveLength(2);
    expect(JSON.stringify(keys)).not.toContain(record.rawKey);

    // the bootstrap key is printed once, and no other key ever
    const out = started.output();
    expect(out.split(started.key).length - 1).toBe(1);
    expect(out).not.toContain(record.rawKey);
  });
});
