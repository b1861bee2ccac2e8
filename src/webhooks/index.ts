/**
 * `keyward/webhooks`: delivers keyward's events to HTTP endpoints, signed
 * per the Standard Webhooks spec and at least once ({@link webhooks}), and
 * checks them on the receiving side ({@link verifyWebhook}). See
 * `docs/webhooks.md`.
 *
 * @example
 * ```ts
 * import { createKeyward } from "keyward";
 * import { memoryStore } from "keyward/memory";
 * import { webhooks } from "keyward/webhooks";
 *
 * const hooks = webhooks({ endpoints: [{ url: "https://hooks.example.com/keyward", secret: process.env.KEYWARD_WEBHOOK_SECRET! }] });
 * const keyward = createKeyward({ store: memoryStore(), prefix: "cho", onEvent: hooks.onEvent });
 * ```
 *
 * @module keyward/webhooks
 */

export type { OutboxHolder, WebhookFailure, Webhooks, WebhooksOptions } from "./api.js";
export type { WebhookEndpoint, WebhookRetry } from "./options.js";
export { memoryOutbox, type WebhookMessage, type WebhookOutbox } from "./outbox.js";
export type { WebhookEventType, WebhookPayload } from "./payload.js";
export {
  type FetchLikeHeaders,
  generateWebhookSecret,
  type VerifyWebhookOptions,
  verifyWebhook,
  type WebhookHeaders,
  WebhookVerificationError,
} from "./signing.js";
export { webhooks } from "./webhooks.js";
