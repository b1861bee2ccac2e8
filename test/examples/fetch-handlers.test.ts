/**
 * The keyward/fetch examples other than the Node server (examples/fetch):
 * the Next.js route handlers and the Worker's `fetch` export, called in
 * process with a `Request`, the way their runtimes call them.
 */
import { describe, expect, it } from "vitest";
import { bootstrapKey } from "../../examples/fetch/app.js";
import * as keysRoute from "../../examples/fetch/nextjs/api-keys-route.js";
import * as jobsRoute from "../../examples/fetch/nextjs/route.js";
import worker from "../../examples/fetch/worker.js";

describe("examples/fetch in process", () => {
  it("Next.js route handlers: GET /v1/jobs behind a key, the management API in a catch-all route", async () => {
    const admin = await bootstrapKey();
    const anonymous = await jobsRoute.GET(new Request("http://localhost/v1/jobs"));
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toBe('Bearer realm="api"');
    const auth = { authorization: `Bearer ${admin}` };
    const mine = await jobsRoute.GET(new Request("http://localhost/v1/jobs", { headers: auth }));
    expect(await mine.json()).toMatchObject({ owner: "org_demo", scopes: expect.arrayContaining(["jobs:*"]) });

    const created = await keysRoute.POST(
      new Request("http://localhost/settings/api-keys", {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({ label: "From Next.js", role: "viewer" }),
      }),
    );
    expect(created.status).toBe(201);
    const { id, rawKey } = (await created.json()) as { id: string; rawKey: string };
    expect(keysRoute.GET).toBe(keysRoute.DELETE);
    const revoked = await keysRoute.DELETE(
      new Request(`http://localhost/settings/api-keys/${id}`, { method: "DELETE", headers: auth }),
    );
    expect(await revoked.json()).toMatchObject({ id, status: "revoked" });
    const dead = await jobsRoute.GET(new Request("http://localhost/v1/jobs", { headers: { authorization: `Bearer ${rawKey}` } }));
    expect(dead.status).toBe(401);
  });

  it("the Worker's fetch export answers like the server", async () => {
    const admin = await bootstrapKey();
    const res = await worker.fetch(new Request("http://localhost/v1/jobs", { headers: { authorization: `Bearer ${admin}` } }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: [] });
    expect((await worker.fetch(new Request("http://localhost/nowhere"))).status).toBe(404);
  });
});
