import type { KeyStore, KeywardEvent } from "keyward";
import type { WebhookEndpoint, WebhookRetry } from "./options.js";
import type { WebhookOutbox } from "./outbox.js";

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
   * (`key.expired` follows at `expiresAt`); 0 sends no `key.expiring`. Both
   * wait in the outbox from the management event that set the expiry.
   * Default 7 days.
   */
  expiringBefore?: number | undefined;
  /**
   * How often, in ms, the outbox is checked for messages this process was
   * not told about: left by a process that stopped, or due later (expiry
   * notices). Default 30 000.
   */
  pollInterval?: number | undefined;
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
  /**
   * Resolves once everything queued so far has been delivered or given up on
   * (retries included). Expiry notices due later are not waited for.
   */
  flush(): Promise<void>;
  /** Stops delivering: no new attempt starts; resolves when those in flight have ended. Undelivered messages stay in the outbox. */
  close(): Promise<void>;
}
