import { createHmac } from "node:crypto";
import {
  generateWebhookSecret,
  memoryOutbox,
  verifyWebhook,
  type WebhookMessage,
  WebhookVerificationError,
} from "keyward/webhooks";
import { describe, expect, it } from "vitest";

const secret = generateWebhookSecret();
const body = JSON.stringify({ type: "key.revoked", timestamp: "2030-01-01T00:00:00.000Z", data: { keyId: "k1", owner: "o" } });
const NOW = Date.UTC(2030, 0, 1);

/** A Standard Webhooks signature made with node:crypto, independently of the code under test. */
function sign(s: string, id: string, ts: number, text: string): string {
  const key = Buffer.from(s.slice("whsec_".length), "base64");
  return `v1,${createHmac("sha256", key).update(`${id}.${ts}.${text}`).digest("base64")}`;
}

function headers(overrides: Record<string, string> = {}) {
  const ts = Math.floor(NOW / 1000);
  return {
    "webhook-id": "msg_1",
    "webhook-timestamp": String(ts),
    "webhook-signature": sign(secret, "msg_1", ts, body),
    ...overrides,
  };
}

const now = () => NOW;

describe("verifyWebhook", () => {
  it("returns the payload of a correctly signed webhook (plain object or Fetch Headers)", () => {
    expect(verifyWebhook(secret, headers(), body, { now })).toMatchObject({ type: "key.revoked", data: { keyId: "k1" } });
    expect(verifyWebhook(secret, new Headers(headers()), new TextEncoder().encode(body), { now }).type).toBe("key.revoked");
  });

  it("accepts any matching signature of a space-separated list (secret rotation)", () => {
    const ts = Math.floor(NOW / 1000);
    const list = `${sign(generateWebhookSecret(), "msg_1", ts, body)} ${sign(secret, "msg_1", ts, body)}`;
    expect(verifyWebhook(secret, headers({ "webhook-signature": list }), body, { now }).type).toBe("key.revoked");
  });

  const refused: [string, () => unknown][] = [
    ["a changed body", () => verifyWebhook(secret, headers(), body.replace("k1", "k2"), { now })],
    ["another secret", () => verifyWebhook(generateWebhookSecret(), headers(), body, { now })],
    ["another id", () => verifyWebhook(secret, headers({ "webhook-id": "msg_2" }), body, { now })],
    ["a timestamp 6 minutes old", () => verifyWebhook(secret, headers(), body, { now: () => NOW + 6 * 60_000 })],
    ["a timestamp 6 minutes ahead", () => verifyWebhook(secret, headers(), body, { now: () => NOW - 6 * 60_000 })],
    ["no signature", () => verifyWebhook(secret, { "webhook-id": "msg_1", "webhook-timestamp": "1" }, body, { now })],
    ["a signature of another scheme", () => verifyWebhook(secret, headers({ "webhook-signature": "v1a,abc" }), body, { now })],
  ];
  it.each(refused)("throws WebhookVerificationError for %s", (_name, run) => {
    expect(run).toThrow(WebhookVerificationError);
  });

  it("a secret that is not whsec_<base64> is a TypeError", () => {
    expect(() => verifyWebhook("secret", headers(), body)).toThrow(TypeError);
  });
});

describe("memoryOutbox", () => {
  it("leases what it hands out until the lease ends, then hands it out again", () => {
    const outbox = memoryOutbox();
    outbox.enqueue([{ id: "m1", url: "http://x", type: "key.created", body: "{}", attempts: 0, nextAttemptAt: 0 }]);
    expect(outbox.claim(10, 5, 100)).toHaveLength(1);
    expect(outbox.claim(50, 5, 100)).toHaveLength(0);
    expect(outbox.next()).toBe(110);
    expect(outbox.claim(110, 5, 100)).toHaveLength(1);
    outbox.retry("m1", 500, 1);
    expect(outbox.claim(499, 5, 100)).toHaveLength(0);
    expect((outbox.claim(500, 5, 100) as WebhookMessage[])[0]).toMatchObject({ id: "m1", attempts: 1 });
    outbox.ack("m1");
    expect(outbox.next()).toBeNull();
  });
});
