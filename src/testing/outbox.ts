import type { MaybePromise } from "keyward";
import type { WebhookMessage, WebhookOutbox } from "keyward/webhooks";
import type { TestApi } from "./types.js";

/**
 * Options of {@link webhookOutboxConformance}.
 *
 * @example
 * ```ts
 * const options: WebhookOutboxConformanceOptions = { name: "sqlite outbox", outbox: () => sqliteOutbox(db), describe, it, expect };
 * webhookOutboxConformance(options);
 * ```
 */
export interface WebhookOutboxConformanceOptions extends TestApi {
  /** Shown in the suite name. */
  name: string;
  /** Returns a fresh, empty outbox. Called once per test. */
  outbox: () => MaybePromise<WebhookOutbox>;
}

const LEASE = 1_000;

const message = (id: string, nextAttemptAt = 0, extra: Partial<WebhookMessage> = {}): WebhookMessage => ({
  id,
  url: "https://hooks.example.com/keyward",
  type: "key.created",
  body: JSON.stringify({ type: "key.created", data: { keyId: id } }),
  attempts: 0,
  nextAttemptAt,
  ...extra,
});

/** 64 KiB of JSON, one- to four-byte characters, quotes and escapes included. */
function bigBody(): string {
  const chunk = `{"s":"ascii \\"quoted\\" \\\\ back\\nslash","u":"é 漢字 👩‍💻 \u0301 שלום"}`;
  const body = chunk.repeat(Math.floor(65_536 / chunk.length));
  return body + "x".repeat(65_536 - body.length); // never a lone half of a surrogate pair
}

/**
 * The webhook outbox conformance suite: run it from your own test file to
 * prove a custom {@link keyward/webhooks!WebhookOutbox | WebhookOutbox} keeps
 * the contract `webhooks()` relies on for at-least-once delivery: exact
 * round-trips (unicode, quotes, a 64 KiB body), idempotent `enqueue` (a known
 * id changes nothing, even once claimed or retried), `claim` in due-time
 * order (ties in enqueue order) and at most `limit`, leases (never handed out
 * twice while leased, due again when the lease ends), `retry` recording the
 * attempt count and due time, `ack` and `retry` of an unknown id changing
 * nothing, `next()` reporting the earliest due time or lease end (null when
 * empty), and 8 concurrent claimers never getting the same message.
 *
 * @example
 * ```ts
 * import { describe, it, expect } from "vitest";
 * import { webhookOutboxConformance } from "keyward/testing";
 * import { myOutbox } from "../src/my-outbox.js";
 *
 * webhookOutboxConformance({ name: "my outbox", outbox: () => myOutbox(), describe, it, expect });
 * ```
 */
export function webhookOutboxConformance({ name, outbox, describe, it, expect }: WebhookOutboxConformanceOptions): void {
  const ids = (messages: readonly WebhookMessage[]) => messages.map((m) => m.id);

  describe(`keyward webhook outbox conformance: ${name}`, () => {
    it("hands back every field exactly as enqueued: unicode, quotes, escapes, a 64 KiB body", async () => {
      const o = await outbox();
      const sent = [
        message("plain", 10),
        message("unicode-é-漢字-👩‍💻", 20, {
          url: "https://hooks.example.com/ünï/漢字?q=%20a&b='x'#frag",
          type: 'key.créé "quoted" \\ 👩‍💻',
          body: '{"emoji":"👩‍💻🇫🇷","rtl":"שלום","nul":"\\u0000","tab":"\t","nl":"\n","q":"\\"\'"}',
          attempts: 2,
        }),
        message("big", 30, { body: bigBody() }),
      ];
      const copies = sent.map((m) => ({ ...m }));
      await o.enqueue(sent);
      for (const m of sent) m.body = "changed after enqueue";
      const claimed = await o.claim(100, 10, LEASE);
      expect(claimed).toEqual(copies);
      expect(claimed.find((m) => m.id === "big")?.body.length).toBe(65_536);
    });

    it("enqueue is idempotent: a known id changes nothing, in one batch or later, claimed or retried", async () => {
      const o = await outbox();
      await o.enqueue([message("a", 0, { body: "first" }), message("a", 5, { body: "second" })]);
      await o.enqueue([message("a", 50, { body: "third", attempts: 7 })]);
      expect(await o.claim(10, 10, LEASE)).toEqual([message("a", 0, { body: "first" })]);
      await o.enqueue([message("a", 0)]); // while leased
      expect(await o.claim(20, 10, LEASE)).toEqual([]);
      expect(await o.next()).toBe(10 + LEASE);
      await o.retry("a", 5_000, 3);
      await o.enqueue([message("a", 0, { attempts: 0 })]); // once retried
      expect(await o.claim(4_999, 10, LEASE)).toEqual([]);
      expect(await o.claim(5_000, 10, LEASE)).toEqual([message("a", 5_000, { body: "first", attempts: 3 })]);
    });

    it("claims due messages earliest first, those due together in enqueue order, at most `limit`", async () => {
      const o = await outbox();
      await o.enqueue([message("z-30", 30), message("y-10", 10), message("x-20", 20)]);
      await o.enqueue([message("w-10", 10), message("v-future", 1_000), message("u-10", 10)]);
      expect(await o.claim(9, 10, LEASE)).toEqual([]);
      expect(ids(await o.claim(100, 2, LEASE))).toEqual(["y-10", "w-10"]);
      expect(ids(await o.claim(100, 1, LEASE))).toEqual(["u-10"]);
      expect(ids(await o.claim(100, 10, LEASE))).toEqual(["x-20", "z-30"]);
      expect(await o.claim(999, 10, LEASE)).toEqual([]);
      expect(ids(await o.claim(1_000, 10, LEASE))).toEqual(["v-future"]); // due at exactly nextAttemptAt
      for (const id of ["w-10", "u-10", "x-20"]) await o.ack(id);
      await o.retry("y-10", 5_000, 1);
      await o.retry("z-30", 5_000, 1); // retried later, enqueued earlier
      expect(ids(await o.claim(5_000, 10, LEASE))).toEqual(["v-future", "z-30", "y-10"]);
    });

    it("never hands out a leased message; it is due again, unchanged, once the lease runs out", async () => {
      const o = await outbox();
      await o.enqueue([message("a", 0), message("b", 0)]);
      expect(ids(await o.claim(100, 1, 50))).toEqual(["a"]);
      expect(ids(await o.claim(100, 10, 50))).toEqual(["b"]);
      expect(await o.claim(149, 10, 50)).toEqual([]);
      expect(await o.next()).toBe(150);
      const again = await o.claim(150, 10, 50); // their claimers died
      expect(again.map(({ nextAttemptAt: _, ...m }) => m)).toEqual(
        [message("a"), message("b")].map(({ nextAttemptAt: _, ...m }) => m),
      );
      expect(await o.claim(199, 10, 50)).toEqual([]);
    });

    it("retry releases the lease and records the attempts and the next due time", async () => {
      const o = await outbox();
      await o.enqueue([message("a", 0), message("b", 0)]);
      await o.claim(100, 10, LEASE);
      await o.retry("a", 400, 1);
      expect(await o.next()).toBe(400);
      expect(await o.claim(399, 10, LEASE)).toEqual([]);
      expect(await o.claim(400, 10, LEASE)).toEqual([message("a", 400, { attempts: 1 })]);
      await o.retry("b", 200, 4); // earlier than its lease's end: the lease is gone
      expect(await o.claim(200, 10, LEASE)).toEqual([message("b", 200, { attempts: 4 })]);
    });

    it("ack forgets a message, leased or not; ack and retry of an unknown id change nothing", async () => {
      const o = await outbox();
      await o.enqueue([message("a", 0), message("b", 0), message("c", 500)]);
      await o.claim(100, 1, LEASE);
      await o.ack("a"); // leased
      await o.ack("c"); // waiting
      await o.ack("a"); // again
      await o.ack("never-enqueued");
      await o.retry("never-enqueued", 0, 1);
      await o.retry("a", 0, 1); // acknowledged
      expect(await o.claim(10_000, 10, LEASE)).toEqual([message("b")]);
      await o.ack("b");
      expect(await o.next()).toBeNull();
      expect(await o.claim(20_000, 10, LEASE)).toEqual([]);
    });

    it("next() is the earliest due time or lease end, even in the past, and null when empty", async () => {
      const o = await outbox();
      expect(await o.next()).toBeNull();
      await o.enqueue([message("late", 300), message("early", 200)]);
      expect(await o.next()).toBe(200);
      await o.enqueue([message("past", 0)]);
      expect(await o.next()).toBe(0);
      await o.claim(250, 10, 1_000); // leases "past" and "early" until 1 250
      expect(await o.next()).toBe(300);
      await o.ack("late");
      expect(await o.next()).toBe(1_250);
      await o.ack("past");
      await o.ack("early");
      expect(await o.next()).toBeNull();
    });

    it("8 concurrent claimers over 50 messages never get the same one, and none is lost", async () => {
      const o = await outbox();
      const all = Array.from({ length: 50 }, (_, i) => message(`c${String(i).padStart(2, "0")}`, i));
      await o.enqueue(all);
      const rounds = await Promise.all(Array.from({ length: 8 }, () => o.claim(100, 7, LEASE)));
      for (const got of rounds) expect(got.length).toBeLessThanOrEqual(7);
      const rest = await o.claim(100, 50, LEASE);
      const seen = [...rounds.flat(), ...rest].map((m) => m.id);
      expect(seen).toHaveLength(50);
      expect(new Set(seen).size).toBe(50);
      expect(await o.claim(100, 50, LEASE)).toEqual([]);
    });
  });
}
