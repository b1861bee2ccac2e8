import { ConfigError, type KeyStore, type KeywardEvent } from "keyward";
import { post } from "./delivery.js";
import { ExpiryNotices } from "./expiry.js";
import { backoff, checkEndpoints, count, type WebhookEndpoint, type WebhookRetry } from "./options.js";
import { outboxOf, type WebhookMessage, type WebhookOutbox } from "./outbox.js";
import { isDelivered, payloadOf } from "./payload.js";

/**
 * Options of {@link webhooks}.
 *
 * @example
 * ```ts
 * const options: WebhooksOptions = {
 *   endpoints: [{ url: "https://hooks.example.com/keyward", secret: process.env.KEYWARD_WEBHOOK_SECRET! }],
 *   retry: { attempts: 10 },
 *   onFailure: (f) => console.warn(`webhook ${f.id} to ${f.url}: attempt ${f.attempt} failed (${f.status ?? f.error})`),
 * };
 * ```
 */
export interface WebhooksOptions {
  endpoints: readonly WebhookEndpoint[];
  /**
   * Where messages wait until delivered: a {@link WebhookOutbox}
   * (`memoryOutbox()`, `postgresOutbox()`, `redisOutbox()`, your own), or your
   * keyward store, whose `webhookOutbox()` is used (`postgresStore` and
   * `redisStore` keep one beside the keys; a store without one, such as
   * `memoryStore`, gets the in-memory outbox). Default: {@link memoryOutbox}
   * (this process only).
   */
  store?: WebhookOutbox | KeyStore | OutboxHolder | undefined;
  /** The `fetch` deliveries use. Default: the global `fetch`. */
  fetch?: typeof fetch | undefined;
  retry?: WebhookRetry | undefined;
  /** Deadline of one delivery attempt, in ms (then it counts as failed). Default 10 000. */
  timeout?: number | undefined;
  /** Most deliveries in flight at once. Default 8. */
  concurrency?: number | undefined;
  /**
   * Told about every failed attempt (and the last one, `final: true`), and
   * about messages the outbox refused to store (`attempt: 0`, `final: true`).
   * Its throws are swallowed.
   */
  onFailure?: ((failure: WebhookFailure) => void) | undefined;
  /**
   * How long before a key's `expiresAt` `key.expiring` is sent, in ms
   * (`key.expired` follows at `expiresAt`). Both are scheduled in this
   * process from the management events it sees. Default 7 days.
   */
  expiringBefore?: number | undefined;
  /** Clock in epoch ms (tests). Default `Date.now`. */
  now?: (() => number) | undefined;
}

/**
 * A store that keeps a webhook outbox beside its keys (`postgresStore`, `redisStore`).
 *
 * @example
 * ```ts
 * const holder: OutboxHolder = postgresStore({ client: pool });
 * webhooks({ endpoints, store: holder }); // uses holder.webhookOutbox()
 * ```
 */
export interface OutboxHolder {
  /** The store's outbox, the same object on every call. */
  webhookOutbox(): WebhookOutbox;
}

/**
 * A failed delivery attempt, as `onFailure` receives it. Never holds the
 * secret; `error` is the network error's message, cut to 200 characters.
 *
 * @example
 * ```ts
 * const onFailure = (f: WebhookFailure) => {
 *   if (f.final) alerts.page(`webhook ${f.id} (${f.type}) to ${f.url} given up after ${f.attempt} attempts`);
 * };
 * ```
 */
export interface WebhookFailure {
  id: string;
  url: string;
  type: string;
  /** Which attempt failed, from 1; 0 when the outbox could not store the message. */
  attempt: number;
  /** The HTTP status, or null when there was no answer (network error, timeout). */
  status: number | null;
  error: string | null;
  /** True when no further attempt will be made. */
  final: boolean;
  /** When the next attempt is due (epoch ms), or null when final. */
  nextAttemptAt: number | null;
}

/**
 * What {@link webhooks} returns: `onEvent` for `createKeyward`, `flush()` and `close()`.
 *
 * @example
 * ```ts
 * const hooks: Webhooks = webhooks({ endpoints });
 * const keyward = createKeyward({ store, onEvent: hooks.onEvent });
 * process.on("SIGTERM", async () => { await hooks.flush(); await hooks.close(); });
 * ```
 */
export interface Webhooks {
  /** The event listener to pass to `createKeyward({ onEvent })` (or to call from your own listener). */
  onEvent: (event: KeywardEvent) => void;
  /** Resolves once everything queued so far has been delivered or given up on (retries included). */
  flush(): Promise<void>;
  /** Stops delivering: no new attempt starts; resolves when those in flight have ended. Undelivered messages stay in the outbox. */
  close(): Promise<void>;
}

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

  async function deliver(message: WebhookMessage): Promise<void> {
    const endpoint = endpoints.get(message.url);
    if (!endpoint) return void (await outbox.ack(message.id)); // an endpoint no longer configured
    const attempt = message.attempts + 1;
    const { status, error } = await post(send, endpoint, message, Math.floor(clock() / 1000), timeout);
    if (status !== null && status >= 200 && status < 300) return void (await outbox.ack(message.id));
    const final = attempt >= retry.attempts;
    const at = final ? null : clock() + backoff(retry, attempt, Math.random);
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
      // long enough for the attempt and its outbox write; a claimer that dies leaves it to run out
      const batch = await outbox.claim(clock(), free, 2 * timeout + 1_000);
      for (const message of batch) start(message);
      if (batch.length === free) again = true;
    } while (again && !closed);
    const next = await outbox.next();
    if (next !== null) schedule(next);
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
      Math.max(0, at - clock()),
    );
    (timer as { unref?: () => void }).unref?.();
  }

  const enqueuing = new Set<Promise<void>>();

  function enqueue(event: KeywardEvent): void {
    if (closed || !event || !isDelivered(event.type)) return;
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
    const queued = Promise.resolve()
      .then(() => outbox.enqueue(messages))
      .catch((error: unknown) => {
        // the outbox refused them: nothing will be sent, and onFailure says so
        const text = String((error as Error)?.message ?? error).slice(0, 200);
        for (const m of messages) {
          report({
            id: m.id,
            url: m.url,
            type: m.type,
            attempt: 0,
            status: null,
            error: text,
            final: true,
            nextAttemptAt: null,
          });
        }
      })
      .finally(() => {
        enqueuing.delete(queued);
        kick();
      });
    enqueuing.add(queued);
  }

  const expiringBefore = options.expiringBefore ?? 7 * 86_400_000;
  if (!(Number.isSafeInteger(expiringBefore) && expiringBefore >= 0)) {
    throw new ConfigError("webhooks: `expiringBefore` must be a whole number of ms, 0 or more");
  }
  const notices = new ExpiryNotices(expiringBefore, clock, enqueue);

  return {
    onEvent(event) {
      if (closed || !event) return;
      notices.see(event);
      enqueue(event);
    },

    async flush() {
      for (;;) {
        await Promise.all([...enqueuing, ...running, pumping]);
        if (closed || (inFlight === 0 && enqueuing.size === 0 && (await outbox.next()) === null)) return;
        kick();
        const next = await outbox.next();
        const wait = next === null ? 5 : Math.min(Math.max(next - clock(), 1), 100);
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    },

    async close() {
      closed = true;
      notices.close();
      if (timer) clearTimeout(timer);
      await Promise.all([...enqueuing, ...running, pumping]);
    },
  };
}
