import { createKeyward } from "keyward";
import { memoryStore } from "keyward/memory";
import { generateWebhookSecret, verifyWebhook, webhooks } from "keyward/webhooks";
import { afterEach, describe, expect, it } from "vitest";
import { type Receiver, receiver } from "../support/webhook-receiver.js";

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

async function started(): Promise<Receiver> {
  const r = await receiver();
  await r.start();
  open.push({ close: () => r.stop() });
  return r;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("webhooks: key.expiring and key.expired", () => {
  it("each fires once, expiring `expiringBefore` ahead and expired at expiresAt; a revoked key gets neither", async () => {
    const secret = generateWebhookSecret();
    const r = await started();
    const hooks = webhooks({ endpoints: [{ url: r.url, secret, events: ["key.expiring", "key.expired"] }], expiringBefore: 300 });
    open.push(hooks);
    const kw = createKeyward({ store: memoryStore(), prefix: "cho", onEvent: hooks.onEvent });
    const soon = Date.now() + 600;
    const expiring = await kw.create({ owner: "org_1", label: "short-lived", expiresAt: soon });
    const revoked = await kw.create({ owner: "org_1", label: "revoked first", expiresAt: soon });
    const never = await kw.create({ owner: "org_1", label: "no expiry" });
    await kw.update(expiring.apiKey.id, { label: "short-lived (renamed)" }); // the same expiry: nothing moves
    await kw.revoke(revoked.apiKey.id);
    await sleep(1_000);
    await hooks.flush();

    const got = r.received.map((m) => ({ at: m.at, event: verifyWebhook(secret, m.headers, m.body) }));
    expect(got.map((g) => [g.event.type, g.event.data.keyId])).toEqual([
      ["key.expiring", expiring.apiKey.id],
      ["key.expired", expiring.apiKey.id],
    ]);
    const [warned, expired] = got;
    expect(warned?.event.data.expiresAt).toBe(new Date(soon).toISOString());
    expect(warned!.at).toBeLessThan(soon);
    expect(expired!.at).toBeGreaterThanOrEqual(soon);
    expect(got.some((g) => g.event.data.keyId === never.apiKey.id)).toBe(false);
  });

  it("a rotation's grace period moves the old key's expiry, and management events carry expiresAt", async () => {
    const secret = generateWebhookSecret();
    const r = await started();
    const hooks = webhooks({ endpoints: [{ url: r.url, secret }], expiringBefore: 0 });
    open.push(hooks);
    const kw = createKeyward({ store: memoryStore(), prefix: "cho", onEvent: hooks.onEvent });
    const key = await kw.create({ owner: "org_1", label: "rotated" });
    await kw.rotate(key.apiKey.id, { gracePeriod: 300 });
    await sleep(700);
    await hooks.flush();
    const events = r.received.map((m) => verifyWebhook(secret, m.headers, m.body));
    const rotated = events.find((e) => e.type === "key.rotated");
    expect(rotated?.data.expiresAt).toEqual(expect.any(String));
    expect(events.find((e) => e.type === "key.created")?.data.expiresAt).toBeNull();
    expect(events.filter((e) => e.type === "key.expired").map((e) => e.data.keyId)).toEqual([key.apiKey.id]);
  });

  it("refuses an expiringBefore that is not a whole number of ms, and a pollInterval below 1 ms", () => {
    expect(() =>
      webhooks({ endpoints: [{ url: "https://example.com/h", secret: generateWebhookSecret() }], expiringBefore: -1 }),
    ).toThrow(/expiringBefore/);
    expect(() =>
      webhooks({ endpoints: [{ url: "https://example.com/h", secret: generateWebhookSecret() }], pollInterval: 0 }),
    ).toThrow(/pollInterval/);
  });
});
