import { ConfigError, type KeyStore } from "keyward";

/**
 * One webhook waiting for delivery to one endpoint.
 *
 * @example
 * ```ts
 * const message: WebhookMessage = {
 *   id: "msg_2b1f…", url: "https://hooks.example.com/keyward", type: "key.revoked",
 *   body: '{"type":"key.revoked",…}', attempts: 0, nextAttemptAt: Date.now(),
 * };
 * ```
 */
export interface WebhookMessage {
  /** The `webhook-id`: the same on every attempt, so receivers can deduplicate. */
  id: string;
  /** The endpoint it goes to (its secret stays in the configuration, never in the outbox). */
  url: string;
  type: string;
  /** The exact JSON body, signed anew at each attempt. */
  body: string;
  /** Attempts made so far. */
  attempts: number;
  /** Epoch ms of the next attempt. */
  nextAttemptAt: number;
}

/**
 * Where webhooks wait until delivered: the at-least-once guarantee lives
 * here. `webhooks()` keeps it in memory by default; a durable outbox (a
 * database table, a stream) survives a restart. Every method may return a
 * value or a Promise. See `docs/webhooks.md` for the contract.
 *
 * @example
 * ```ts
 * const outbox: WebhookOutbox = memoryOutbox();
 * const hooks = webhooks({ endpoints, store: outbox });
 * ```
 */
export interface WebhookOutbox {
  /**
   * Adds messages, every field kept exactly. Ids are unique: adding a known
   * id again (in the same batch or later, claimed, leased or retried)
   * changes nothing.
   */
  enqueue(messages: readonly WebhookMessage[]): Promise<void> | void;
  /**
   * Up to `limit` messages due at `now` (`nextAttemptAt <= now`) and not
   * leased (a lease ending at `now` has ended), earliest `nextAttemptAt`
   * first and those due at the same time in the order they were enqueued,
   * each leased until `now + lease` so no other claimer takes it meanwhile.
   * A message whose lease ran out (its claimer died) is due again.
   */
  claim(now: number, limit: number, lease: number): Promise<WebhookMessage[]> | WebhookMessage[];
  /** Removes a message: delivered, or given up on. An unknown id changes nothing. */
  ack(id: string): Promise<void> | void;
  /**
   * Releases a message (its lease ends) for another attempt at `at`,
   * recording `attempts` and `at` as its `nextAttemptAt`. An unknown id
   * changes nothing.
   */
  retry(id: string, at: number, attempts: number): Promise<void> | void;
  /**
   * When the next message becomes claimable: the earliest, over all
   * messages, of its due time or (while leased) its lease's end if later.
   * It may be in the past; null when none waits.
   */
  next(): Promise<number | null> | number | null;
}

interface Held {
  message: WebhookMessage;
  leasedUntil: number;
}

/**
 * The embedded outbox: messages in a `Map`, in this process only (a restart
 * loses what was not delivered yet; use a durable outbox for that).
 *
 * @example
 * ```ts
 * import { memoryOutbox, webhooks } from "keyward/webhooks";
 *
 * const outbox = memoryOutbox();
 * const hooks = webhooks({ endpoints: [{ url, secret }], store: outbox });
 * ```
 */
export function memoryOutbox(): WebhookOutbox {
  const held = new Map<string, Held>();
  return {
    enqueue(messages) {
      for (const message of messages)
        if (!held.has(message.id)) held.set(message.id, { message: { ...message }, leasedUntil: 0 });
    },
    claim(now, limit, lease) {
      const due: Held[] = [];
      for (const entry of held.values()) if (entry.message.nextAttemptAt <= now && entry.leasedUntil <= now) due.push(entry);
      // a stable sort: messages due at the same time keep the order they were enqueued in
      due.sort((a, b) => a.message.nextAttemptAt - b.message.nextAttemptAt);
      return due.slice(0, Math.max(0, limit)).map((entry) => {
        entry.leasedUntil = now + lease;
        return { ...entry.message };
      });
    },
    ack(id) {
      held.delete(id);
    },
    retry(id, at, attempts) {
      const entry = held.get(id);
      if (!entry) return;
      entry.message.nextAttemptAt = at;
      entry.message.attempts = attempts;
      entry.leasedUntil = 0;
    },
    next() {
      let first: number | null = null;
      for (const { message, leasedUntil } of held.values()) {
        const at = Math.max(message.nextAttemptAt, leasedUntil);
        if (first === null || at < first) first = at;
      }
      return first;
    },
  };
}

/** The outbox `store` names: an outbox itself, a store's own, or the in-memory one. */
export function outboxOf(store: unknown): WebhookOutbox {
  if (store === undefined || store === null) return memoryOutbox();
  const candidate = store as Partial<WebhookOutbox> & { webhookOutbox?: () => WebhookOutbox };
  if (typeof candidate.claim === "function" && typeof candidate.enqueue === "function") return candidate as WebhookOutbox;
  if (typeof candidate.webhookOutbox === "function") return candidate.webhookOutbox();
  if (typeof (store as KeyStore).findByHash === "function") return memoryOutbox();
  throw new ConfigError("webhooks: `store` must be a WebhookOutbox (enqueue, claim, ack, retry, next) or a keyward store");
}
