/** The behaviour every webhook outbox shares, run against each implementation. */
import type { WebhookMessage, WebhookOutbox } from "keyward/webhooks";
import { describe, expect, it } from "vitest";

const message = (id: string, nextAttemptAt = 0): WebhookMessage => ({
  id,
  url: "http://127.0.0.1/hooks",
  type: "key.created",
  body: `{"id":"${id}"}`,
  attempts: 0,
  nextAttemptAt,
});

export function outboxContract(name: string, make: () => Promise<WebhookOutbox>): void {
  describe(`${name}: the webhook outbox contract`, () => {
    it("hands out due messages once per lease, again after the lease ends, and forgets acknowledged ones", async () => {
      const outbox = await make();
      await outbox.enqueue([message("m1", 0), message("m2", 0), message("later", 1_000)]);
      await outbox.enqueue([message("m1", 0)]); // a known id changes nothing
      const first = await outbox.claim(10, 10, 100);
      expect(first.map((m) => m.id).sort()).toEqual(["m1", "m2"]);
      expect(first.find((m) => m.id === "m1")).toMatchObject({ body: '{"id":"m1"}', attempts: 0, url: "http://127.0.0.1/hooks" });
      expect(await outbox.claim(50, 10, 100)).toEqual([]);
      expect(await outbox.next()).toBe(110);
      await outbox.ack("m2");
      expect((await outbox.claim(110, 10, 100)).map((m) => m.id)).toEqual(["m1"]);
      await outbox.retry("m1", 500, 1);
      expect(await outbox.claim(499, 10, 100)).toEqual([]);
      expect((await outbox.claim(1_000, 10, 100)).map((m) => [m.id, m.attempts])).toEqual(
        expect.arrayContaining([
          ["m1", 1],
          ["later", 0],
        ]),
      );
      await outbox.ack("m1");
      await outbox.ack("later");
      expect(await outbox.next()).toBeNull();
    });

    it("claims at most `limit`, and two concurrent claimers never get the same message", async () => {
      const outbox = await make();
      await outbox.enqueue(Array.from({ length: 30 }, (_, i) => message(`c${i}`)));
      expect(await outbox.claim(1, 4, 1_000)).toHaveLength(4);
      const [a, b] = await Promise.all([outbox.claim(2, 20, 1_000), outbox.claim(2, 20, 1_000)]);
      const ids = [...(a ?? []), ...(b ?? [])].map((m) => m.id);
      expect(ids).toHaveLength(26);
      expect(new Set(ids).size).toBe(26);
    });
  });
}
