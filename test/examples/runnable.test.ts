/**
 * Starts each framework example as a child process on a free port, sends
 * real requests, and stops it.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type RunningExample, startExample } from "../support/examples.js";

const EXAMPLES = ["express", "hono", "koa", "fastify", "fetch"] as const;

let running: RunningExample | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

describe.each(EXAMPLES)("examples/%s", (name) => {
  it("serves protected /v1/jobs and the management API", { timeout: 60_000 }, async () => {
    running = await startExample(`examples/${name}/index.ts`);
    const base = running.url;
    const started = {
      key: /bootstrap admin key \(shown once\): (\S+)/.exec(running.stdout())?.[1] ?? "",
      output: running.stdout,
    };
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
