import { createKeyward, type KeywardEvent } from "keyward";
import { memoryStore } from "keyward/memory";
import { generateWebhookSecret, memoryOutbox, verifyWebhook, type WebhookFailure, webhooks } from "keyward/webhooks";
import { afterEach, describe, expect, it } from "vitest";
import { type Receiver, receiver } from "../support/webhook-receiver.js";

const FAST = { attempts: 30, baseDelay: 20, maxDelay: 200 };
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

async function started(port?: number): Promise<Receiver> {
  const r = await receiver(port);
  await r.start();
  open.push({ close: () => r.stop() });
  return r;
}

function ids(r: Receiver): string[] {
  return r.received.map((got) => got.headers["webhook-id"] as string);
}

describe("webhooks: at-least-once delivery", () => {
  it("a receiver that is down, then up: every event is delivered, each signature verifies", async () => {
    const secret = generateWebhookSecret();
    const r = await receiver(); // not started: connections are refused
    open.push({ close: () => r.stop() });
    const failures: WebhookFailure[] = [];
    const hooks = webhooks({ endpoints: [{ url: r.url, secret }], retry: FAST, onFailure: (f) => failures.push(f) });
    open.push(hooks);
    const kw = createKeyward({ store: memoryStore(), prefix: "cho", onEvent: hooks.onEvent });
    const created = [];
    for (let i = 0; i < 20; i++) created.push(await kw.create({ owner: "org_1", label: `k${i}` }));
    await kw.revoke(created[0]!.apiKey.id);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(failures.length).toBeGreaterThan(0);
    await r.start();
    await hooks.flush();

    const unique = new Set(ids(r));
    expect(unique.size).toBe(21);
    const payloads = r.received.map((got) => verifyWebhook(secret, got.headers, got.body));
    expect(
      payloads
        .filter((p) => p.type === "key.created")
        .map((p) => p.data.keyId)
        .sort(),
    ).toEqual(created.map((c) => c.apiKey.id).sort());
    expect(payloads.find((p) => p.type === "key.revoked")?.data).toMatchObject({ keyId: created[0]!.apiKey.id, owner: "org_1" });
    // the ids that failed are the ones delivered later: the same webhook-id across attempts
    for (const f of failures) expect(unique.has(f.id)).toBe(true);
    const body = r.received.map((got) => got.body).join("\n");
    for (const c of created) expect(body).not.toContain(c.key.slice(4));
  });

  it("a retried message keeps its webhook-id and body; each attempt is signed anew and verifies", async () => {
    const secret = generateWebhookSecret();
    const r = await started();
    const seen = new Map<string, number>();
    r.answer = (got) => {
      const id = got.headers["webhook-id"] as string;
      seen.set(id, (seen.get(id) ?? 0) + 1);
      return (seen.get(id) as number) <= 2 ? 500 : 204;
    };
    const hooks = webhooks({ endpoints: [{ url: r.url, secret }], retry: FAST });
    open.push(hooks);
    const kw = createKeyward({ store: memoryStore(), prefix: "cho", onEvent: hooks.onEvent });
    await kw.create({ owner: "o", label: "a" });
    await kw.create({ owner: "o", label: "b" });
    await hooks.flush();
    expect([...seen.values()]).toEqual([3, 3]);
    for (const id of seen.keys()) {
      const attempts = r.received.filter((got) => got.headers["webhook-id"] === id);
      expect(new Set(attempts.map((a) => a.body)).size).toBe(1);
      for (const a of attempts) expect(verifyWebhook(secret, a.headers, a.body).type).toBe("key.created");
    }
  });

  it("a poison message and a dead endpoint never block the rest; they are given up on after the attempt bound", async () => {
    const good = await started();
    const dead = await started();
    dead.answer = () => 500;
    let poisonKey = "";
    good.answer = (got) => (got.body.includes(poisonKey) ? 400 : 200);
    const failures: WebhookFailure[] = [];
    const secret = generateWebhookSecret();
    const hooks = webhooks({
      endpoints: [
        { url: good.url, secret },
        { url: dead.url, secret },
      ],
      retry: { attempts: 3, baseDelay: 20, maxDelay: 50 },
      onFailure: (f) => failures.push(f),
    });
    open.push(hooks);
    const kw = createKeyward({ store: memoryStore(), prefix: "cho", onEvent: hooks.onEvent });
    const poison = await kw.create({ owner: "o", label: "poison" });
    poisonKey = poison.apiKey.id;
    for (let i = 0; i < 10; i++) await kw.create({ owner: "o", label: `ok${i}` });
    await hooks.flush();

    const delivered = good.received.filter((got) => !got.body.includes(poisonKey));
    expect(new Set(delivered.map((got) => got.headers["webhook-id"])).size).toBe(10);
    expect(good.received.filter((got) => got.body.includes(poisonKey))).toHaveLength(3);
    expect(dead.received).toHaveLength(11 * 3);
    const finals = failures.filter((f) => f.final);
    expect(finals).toHaveLength(12);
    expect(finals.every((f) => f.attempt === 3 && f.nextAttemptAt === null)).toBe(true);
  });

  it("an endpoint receives only the event types it lists; verification failures are never delivered", async () => {
    const r = await started();
    const secret = generateWebhookSecret();
    const hooks = webhooks({ endpoints: [{ url: r.url, secret, events: ["key.revoked", "key.leaked"] }] });
    open.push(hooks);
    const kw = createKeyward({ store: memoryStore(), prefix: "cho", onEvent: hooks.onEvent });
    const { key } = await kw.create({ owner: "o", label: "a" });
    await kw.verify(`${key}x`);
    await kw.reportLeak(key, { source: "test", url: "https://example.com/x" });
    await hooks.flush();
    const types = r.received.map((got) => verifyWebhook(secret, got.headers, got.body).type);
    expect(types.sort()).toEqual(["key.leaked", "key.revoked"]);
    const leaked = r.received.map((got) => JSON.parse(got.body)).find((p) => p.type === "key.leaked");
    expect(leaked.data).toMatchObject({ url: "https://example.com/x", source: "test", action: "revoke" });
  });

  it("close() stops deliveries; events after it are ignored", async () => {
    const r = await started();
    const hooks = webhooks({ endpoints: [{ url: r.url, secret: generateWebhookSecret() }] });
    await hooks.close();
    hooks.onEvent({ type: "key.created", time: new Date().toISOString(), keyId: "k", owner: "o", actor: null } as KeywardEvent);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(r.received).toHaveLength(0);
  });

  it("bad endpoints are a ConfigError at configuration time", () => {
    const secret = generateWebhookSecret();
    expect(() => webhooks({ endpoints: [] })).toThrow(/endpoints/);
    expect(() => webhooks({ endpoints: [{ url: "ftp://x", secret }] })).toThrow(/http/);
    expect(() => webhooks({ endpoints: [{ url: "https://x.example", secret: "hunter2" }] })).toThrow(/whsec_/);
    expect(() =>
      webhooks({ endpoints: [{ url: "https://x.example", secret, events: ["key.verification_failed" as "key.created"] }] }),
    ).toThrow(/events/);
  });
});

describe("webhooks: an outbox that fails", () => {
  it("a message the outbox cannot store is reported to onFailure (attempt 0, final), and flush() still settles", async () => {
    const failures: WebhookFailure[] = [];
    const broken = memoryOutbox();
    broken.enqueue = () => Promise.reject(new Error("outbox down"));
    const hooks = webhooks({
      endpoints: [{ url: "http://127.0.0.1:9/hooks", secret: generateWebhookSecret() }],
      store: broken,
      onFailure: (f) => failures.push(f),
    });
    open.push(hooks);
    hooks.onEvent({ type: "key.revoked", time: new Date().toISOString(), keyId: "k1", owner: "o", actor: null });
    await hooks.flush();
    expect(failures).toEqual([expect.objectContaining({ type: "key.revoked", attempt: 0, final: true, error: "outbox down" })]);
  });
});
