import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { KeywardError, timingSafeEqual } from "keyward";
import type { WebhookPayload } from "./payload.js";

/**
 * A webhook that did not verify: a missing header, a timestamp outside the
 * tolerance, no matching signature, or a body that is not JSON. Its message
 * says which, never quoting the body. Status 401, for a receiver that
 * answers with it.
 *
 * @example
 * ```ts
 * try {
 *   verifyWebhook(secret, req.headers, rawBody);
 * } catch (error) {
 *   if (error instanceof WebhookVerificationError) return res.status(401).end();
 *   throw error;
 * }
 * ```
 */
export class WebhookVerificationError extends KeywardError {
  constructor(message: string) {
    super("webhook_verification_failed", 401, message);
  }
}

/** The HMAC key of a `whsec_<base64>` secret; throws `TypeError` for anything else. */
export function secretBytes(secret: unknown, where = "webhooks"): Uint8Array {
  const text = typeof secret === "string" && secret.startsWith("whsec_") ? secret.slice(6) : null;
  const bytes = text !== null && /^[A-Za-z0-9+/]+={0,2}$/.test(text) ? decode(text) : null;
  if (!bytes || bytes.length < 16) {
    throw new TypeError(`${where}: a secret must be "whsec_" followed by the base64 of at least 16 random bytes`);
  }
  return bytes;
}

function decode(base64: string): Uint8Array | null {
  try {
    const binary = atob(base64);
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

function encode(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`: the Standard Webhooks signature. */
export function signWebhook(key: Uint8Array, id: string, timestamp: number, body: string): string {
  return `v1,${encode(hmac(sha256, key, new TextEncoder().encode(`${id}.${timestamp}.${body}`)))}`;
}

/**
 * Generates a new endpoint secret, `whsec_` and the base64 of 24 random bytes.
 *
 * @example
 * ```ts
 * const secret = generateWebhookSecret(); // store it with the endpoint, show it once to the receiver
 * const hooks = webhooks({ endpoints: [{ url: "https://hooks.example.com/keyward", secret }] });
 * ```
 */
export function generateWebhookSecret(): string {
  return `whsec_${encode(crypto.getRandomValues(new Uint8Array(24)))}`;
}

/**
 * The request headers a receiver got: a Fetch `Headers`, or a plain object
 * such as Node's `req.headers` (lowercase names; an array value counts as
 * its first entry).
 *
 * @example
 * ```ts
 * const headers: WebhookHeaders = req.headers; // Node, Express, Koa (ctx.headers)
 * const fromFetch: WebhookHeaders = request.headers; // Hono c.req.raw, Workers, Deno, Bun
 * ```
 */
export type WebhookHeaders = FetchLikeHeaders | Record<string, string | string[] | undefined>;

/**
 * Headers read through `get(name)`, as a Fetch `Headers` is.
 *
 * @example
 * ```ts
 * const headers: FetchLikeHeaders = new Headers({ "webhook-id": "msg_1" });
 * ```
 */
export interface FetchLikeHeaders {
  /** The value of header `name` (any case), or null. */
  get(name: string): string | null;
}

/**
 * Options of {@link verifyWebhook}.
 *
 * @example
 * ```ts
 * const options: VerifyWebhookOptions = { tolerance: 60_000 }; // refuse anything older than a minute
 * ```
 */
export interface VerifyWebhookOptions {
  /** How far `webhook-timestamp` may be from now, either way, in ms. Default 5 minutes. */
  tolerance?: number | undefined;
  /** Clock in epoch ms (tests). Default `Date.now`. */
  now?: (() => number) | undefined;
}

function header(headers: WebhookHeaders, name: string): string | null {
  if (typeof (headers as { get?: unknown }).get === "function") return (headers as { get(n: string): string | null }).get(name);
  const value = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

/**
 * Checks a webhook keyward sent, as its receiver: the Standard Webhooks
 * signature (`webhook-signature`, HMAC-SHA256 of `id.timestamp.body` with
 * the endpoint's secret, compared in constant time; any of several
 * space-separated signatures may match, for secret rotation) and the
 * timestamp (within 5 minutes), over the **raw** body. Returns the parsed
 * payload, or throws {@link WebhookVerificationError}. Deduplicate on
 * `webhook-id`: delivery is at least once.
 *
 * @example
 * ```ts
 * import { verifyWebhook } from "keyward/webhooks";
 *
 * app.post("/hooks/keyward", express.text({ type: "application/json" }), (req, res) => {
 *   const event = verifyWebhook(process.env.KEYWARD_WEBHOOK_SECRET!, req.headers, req.body);
 *   if (event.type === "key.leaked") alertOnCall(event.data.keyId);
 *   res.sendStatus(204);
 * });
 * ```
 */
export function verifyWebhook(
  secret: string,
  headers: WebhookHeaders,
  body: string | Uint8Array,
  options: VerifyWebhookOptions = {},
): WebhookPayload {
  const key = secretBytes(secret, "verifyWebhook");
  const id = header(headers, "webhook-id");
  const stamp = header(headers, "webhook-timestamp");
  const signatures = header(headers, "webhook-signature");
  if (!id || !stamp || !signatures)
    throw new WebhookVerificationError("Missing webhook-id, webhook-timestamp or webhook-signature");
  const timestamp = /^\d{1,12}$/.test(stamp) ? Number(stamp) : Number.NaN;
  const now = (options.now ?? Date.now)();
  const tolerance = options.tolerance ?? 5 * 60_000;
  if (!Number.isFinite(timestamp) || Math.abs(now - timestamp * 1000) > tolerance) {
    throw new WebhookVerificationError("Webhook timestamp is outside the tolerance");
  }
  const text = typeof body === "string" ? body : new TextDecoder().decode(body);
  const expected = signWebhook(key, id, timestamp, text);
  let match = false;
  for (const candidate of signatures.split(" ")) match = timingSafeEqual(candidate, expected) || match;
  if (!match) throw new WebhookVerificationError("No matching webhook signature");
  try {
    return JSON.parse(text) as WebhookPayload;
  } catch {
    throw new WebhookVerificationError("Webhook body is not JSON");
  }
}
