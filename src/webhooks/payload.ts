import type { KeywardEvent, KeywardEventType } from "keyward";

/**
 * The event types webhooks deliver: every key lifecycle event, leaks
 * included; not `key.verification_failed` (one per refused request) nor
 * `store.error` (operational, for your logs).
 *
 * @example
 * ```ts
 * const events: WebhookEventType[] = ["key.revoked", "key.leaked"];
 * webhooks({ endpoints: [{ url, secret, events }] });
 * ```
 */
export type WebhookEventType = Exclude<KeywardEventType, "key.verification_failed" | "store.error">;

/** The types never delivered. */
const NOT_DELIVERED: ReadonlySet<string> = new Set(["key.verification_failed", "store.error"]);

/**
 * The JSON body of a webhook: `{ type, timestamp, data }`, `data` holding the
 * event's fields (`keyId`, `owner`, `actor`, and per type `rotatedTo`,
 * `url`, `source`, `action`, …), never a raw key.
 *
 * @example
 * ```ts
 * const payload: WebhookPayload = verifyWebhook(secret, headers, body);
 * if (payload.type === "key.revoked") await sessions.dropKey(payload.data.keyId);
 * ```
 */
export interface WebhookPayload {
  type: WebhookEventType;
  /** ISO-8601 time of the event. */
  timestamp: string;
  data: Omit<KeywardEvent, "type" | "time">;
}

/** Whether webhooks deliver events of `type`. */
export function isDelivered(type: string): type is WebhookEventType {
  return typeof type === "string" && type.startsWith("key.") && !NOT_DELIVERED.has(type);
}

/** The serialised payload of `event` (its fields, minus type and time, which lead). */
export function payloadOf(event: KeywardEvent): string {
  const { type, time, ...data } = event;
  return JSON.stringify({ type, timestamp: time, data });
}
