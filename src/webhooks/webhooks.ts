import { ConfigError, type KeyStore, type KeywardEvent } from "keyward";
import type { WebhookFailure, Webhooks, WebhooksOptions } from "./api.js";
import { post } from "./delivery.js";
import { ExpiryNotices, isNotice, stillDue } from "./expiry.js";
import { backoff, checkEndpoints, count } from "./options.js";
import { outboxOf, type WebhookMessage } from "./outbox.js";
import { isDelivered, payloadOf } from "./payload.js";

/** Longest a timer may wait (setTimeout's limit). */
const MAX_WAIT = 2_147_483_647;

/**
 * Delivers keyward's events to HTTP endpoints as Standard Webhooks: a
 * JSON `{ type, timestamp, data }` body, signed with each endpoint's secret
 * (`webhook-id`, `webhook-timestamp`, `webhook-signature`), at least once.
 * Each event becomes one message per endpoint in the outbox; a message that
 * fails is retried with exponential backoff and jitter, up to a bounded
 * number of attempts, under the same `webhook-id`. Messages are independent:
 * a failing endpoint or a message that keeps failing never holds up the
 * others. See `docs/webhooks.md`.
 *
 * @example
 * ```ts
 * import { createKeyward } from "keyward";
 * import { webhooks } from "keyward/webhooks";
 *
 * const hooks = webhooks({ endpoints: [{ url: "https://hooks.example.com/keyward", secret: process.env.KEYWARD_WEBHOOK_SECRET! }] });
 * const keyward = createKeyward({ store, prefix: "cho", onEvent: hooks.onEvent });
 * ```
 */
export function webhooks(options: WebhooksOptions): Webhooks {
  const endpoints = checkEndpoints(options?.endpoints);
  const outbox = outboxOf(options.store);
  const send = options.fetch ?? ((...args: Parameters<typeof fetch>) => globalThis.fetch(...args));
  const clock = options.now ?? Date.now;
  const timeout = count(options.timeout, 10_000, "timeout");
  const concurrency = count(options.concurrency, 8, "concurrency");
  const pollInterval = count(options.pollInterval, 30_000, "pollInterval");
  const lease = 2 * timeout + 1_000; // long enough for an attempt and its outbox write
  // a keyward store, when given, lets an expiry notice be checked against its key before it goes out
  const candidate = options.store as Partial<KeyStore> | undefined;
  const keys =
    typeof candidate?.get === "function" && typeof candidate.findByHash === "function" ? (candidate as KeyStore) : null;
  const retry = {
    attempts: count(options.retry?.attempts, 8, "retry.attempts"),
    baseDelay: count(options.retry?.baseDelay, 1_000, "retry.baseDelay"),
    maxDelay: count(options.retry?.maxDelay, 3_600_000, "retry.maxDelay"),
  };
  const report = (failure: WebhookFailure) => {
    try {
      options.onFailure?.(failure);
    } catch {
      // a listener's failure changes nothing
    }
  };

  let closed = false;
  let inFlight = 0;
  const running = new Set<Promise<void>>();
  let pumping: Promise<void> | null = null;
  let again = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timerAt = Number.POSITIVE_INFINITY;
  /** The latest time a message this process queued or retried is due. */
  let horizon = 0;

  async function deliver(message: WebhookMessage): Promise<void> {
    const endpoint = endpoints.get(message.url);
    if (!endpoint) return void (await outbox.ack(message.id)); // an endpoint no longer configured
    if (keys && isNotice(message.type) && !(await stillDue(keys, message))) return void (await outbox.ack(message.id));
    const attempt = message.attempts + 1;
    const { status, error } = await post(send, endpoint, message, Math.floor(clock() / 1000), timeout);
    if (status !== null && status >= 200 && status < 300) return void (await outbox.ack(message.id));
    const final = attempt >= retry.attempts;
    const at = final ? null : clock() + backoff(retry, attempt, Math.random);
    if (at !== null) horizon = Math.max(horizon, at);
    report({ id: message.id, url: message.url, type: message.type, attempt, status, error, final, nextAttemptAt: at });
    if (at === null) await outbox.ack(message.id);
    else await outbox.retry(message.id, at, attempt);
  }

  function start(message: WebhookMessage): void {
    inFlight++;
    const run = deliver(message)
      .catch(() => undefined) // an outbox that fails: the lease runs out and the message is claimed again
      .finally(() => {
        inFlight--;
        running.delete(run);
        kick();
      });
    running.add(run);
  }

  function kick(): void {
    if (closed) return;
    if (pumping) {
      again = true;
      return;
    }
    pumping = pump()
      .catch(() => schedule(clock() + 1_000)) // the outbox failed: try again shortly
      .finally(() => {
        pumping = null;
        if (again) kick();
      });
  }

  async function pump(): Promise<void> {
    do {
      again = false;
      const free = concurrency - inFlight;
      if (free <= 0 || closed) return;
      // a claimer that dies leaves its lease to run out
      const batch = await outbox.claim(clock(), free, lease);
      for (const message of batch) start(message);
      if (batch.length === free) again = true;
    } while (again && !closed);
    const next = await outbox.next();
    schedule(Math.min(next ?? Number.POSITIVE_INFINITY, clock() + pollInterval));
  }

  function schedule(at: number): void {
    if (closed || at >= timerAt) return;
    if (timer) clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(
      () => {
        timer = undefined;
        timerAt = Number.POSITIVE_INFINITY;
        kick();
      },
      Math.min(MAX_WAIT, Math.max(0, at - clock())),
    );
    (timer as { unref?: () => void }).unref?.();
  }

  const enqueuing = new Set<Promise<void>>();
  /** Notice writes run one after another, so a revocation's drop never overtakes the notices it drops. */
  let noticeWrites: Promise<void> = Promise.resolve();

  /** Stores `messages` (after `before`, when given); what the outbox refuses is reported, never thrown. */
  function queue(messages: WebhookMessage[], before?: Promise<void>): Promise<void> {
    const queued = (before ?? Promise.resolve())
      .then(() => outbox.enqueue(messages))
      .catch((error: unknown) => {
        // the outbox refused them: nothing will be sent, and onFailure says so
        const text = String((error as Error)?.message ?? error).slice(0, 200);
        for (const m of messages) {
          report({ id: m.id, url: m.url, type: m.type, attempt: 0, status: null, error: text, final: true, nextAttemptAt: null });
        }
      })
      .finally(() => {
        enqueuing.delete(queued);
        kick();
      });
    enqueuing.add(queued);
    return queued;
  }

  function enqueue(event: KeywardEvent): void {
    if (!isDelivered(event.type)) return;
    const body = payloadOf(event);
    const now = clock();
    const messages: WebhookMessage[] = [];
    for (const endpoint of endpoints.values()) {
      if (endpoint.events && !endpoint.events.has(event.type)) continue;
      messages.push({
        id: `msg_${crypto.randomUUID()}`,
        url: endpoint.url,
        type: event.type,
        body,
        attempts: 0,
        nextAttemptAt: now,
      });
    }
    if (messages.length === 0) return;
    horizon = Math.max(horizon, now);
    queue(messages);
  }

  const expiringBefore = options.expiringBefore ?? 7 * 86_400_000;
  if (!(Number.isSafeInteger(expiringBefore) && expiringBefore >= 0)) {
    throw new ConfigError("webhooks: `expiringBefore` must be a whole number of ms, 0 or more");
  }
  const notices = new ExpiryNotices(expiringBefore, endpoints);

  /** Adds and drops the expiry notices `event` calls for. */
  function scheduleNotices(event: KeywardEvent): void {
    const { add, drop } = notices.plan(event, clock());
    if (drop.length > 0) {
      noticeWrites = noticeWrites
        .then(() => Promise.all(drop.map((id) => outbox.ack(id))))
        .then(
          () => undefined,
          () => undefined, // a notice that stays is checked against its key (with a store) before it goes out
        );
    }
    if (add.length > 0) noticeWrites = queue(add, noticeWrites);
  }

  kick(); // messages a stopped process left behind

  return {
    onEvent(event) {
      if (closed || !event) return;
      scheduleNotices(event);
      enqueue(event);
    },

    async flush() {
      const started = clock();
      for (;;) {
        await Promise.all([...enqueuing, ...running, pumping, noticeWrites]);
        // what is due by now, within one lease (a stopped claimer's), or by this process's last retry;
        // notices scheduled later are not waited for
        const next = await outbox.next();
        const idle = inFlight === 0 && enqueuing.size === 0;
        if (closed || (idle && (next === null || next > Math.max(horizon, started + lease)))) return;
        kick();
        const wait = next === null ? 5 : Math.min(Math.max(next - clock(), 1), 100);
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    },

    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await Promise.all([...enqueuing, ...running, pumping]);
    },
  };
}
