import type { Endpoint } from "./options.js";
import type { WebhookMessage } from "./outbox.js";
import { signWebhook } from "./signing.js";

/** The outcome of one attempt: the HTTP status, or the network error's message. */
export interface Attempt {
  status: number | null;
  error: string | null;
}

/**
 * One delivery attempt: POSTs the message's body to its endpoint with the
 * Standard Webhooks headers, signed for `timestamp` (seconds), within
 * `timeout` ms. Never throws; redirects are not followed.
 */
export async function post(
  send: typeof fetch,
  endpoint: Endpoint,
  message: WebhookMessage,
  timestamp: number,
  timeout: number,
): Promise<Attempt> {
  try {
    const res = await send(endpoint.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "keyward-webhooks",
        "webhook-id": message.id,
        "webhook-timestamp": String(timestamp),
        "webhook-signature": signWebhook(endpoint.key, message.id, timestamp, message.body),
      },
      body: message.body,
      redirect: "manual",
      signal: AbortSignal.timeout(timeout),
    });
    await res.body?.cancel().catch(() => undefined);
    return { status: res.status, error: null };
  } catch (error) {
    return { status: null, error: String((error as Error)?.message ?? error).slice(0, 200) };
  }
}
