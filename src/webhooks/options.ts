import { ConfigError } from "keyward";
import { isDelivered, type WebhookEventType } from "./payload.js";
import { secretBytes } from "./signing.js";

/**
 * One receiver of webhooks.
 *
 * @example
 * ```ts
 * const endpoint: WebhookEndpoint = {
 *   url: "https://hooks.example.com/keyward",
 *   secret: process.env.KEYWARD_WEBHOOK_SECRET!, // whsec_…
 *   events: ["key.revoked", "key.leaked"],
 * };
 * ```
 */
export interface WebhookEndpoint {
  /** An `https:` URL (`http:` too, for local receivers). */
  url: string;
  /** `whsec_` followed by the base64 of the signing key (see `generateWebhookSecret`). */
  secret: string;
  /** The event types it receives. Default: every delivered type. */
  events?: readonly WebhookEventType[] | undefined;
}

/**
 * How failed deliveries are retried: attempt `n` (from 1) waits about
 * `baseDelay · 2^(n-1)` ms, capped at `maxDelay`, with jitter (between half
 * and all of it); after `attempts` attempts the message is given up on.
 *
 * @example
 * ```ts
 * const retry: WebhookRetry = { attempts: 10, baseDelay: 5_000, maxDelay: 3_600_000 }; // 5 s, 10 s, 20 s, … up to an hour
 * ```
 */
export interface WebhookRetry {
  /** Attempts in all, the first included. Default 8. */
  attempts?: number | undefined;
  /** Wait before the second attempt, in ms. Default 1 000. */
  baseDelay?: number | undefined;
  /** Longest wait between two attempts, in ms. Default 1 hour. */
  maxDelay?: number | undefined;
}

/** An endpoint, checked. */
export interface Endpoint {
  url: string;
  key: Uint8Array;
  events: ReadonlySet<string> | null;
}

/** Checks the endpoints once, at configuration time. */
export function checkEndpoints(endpoints: unknown): Map<string, Endpoint> {
  if (!Array.isArray(endpoints) || endpoints.length === 0) {
    throw new ConfigError("webhooks: `endpoints` must be a non-empty list of { url, secret, events? }");
  }
  const out = new Map<string, Endpoint>();
  for (const e of endpoints as WebhookEndpoint[]) {
    let url: URL;
    try {
      url = new URL(e?.url);
    } catch {
      throw new ConfigError("webhooks: every endpoint needs an absolute http(s) `url`");
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new ConfigError("webhooks: endpoint URLs must be http(s)");
    if (out.has(e.url)) throw new ConfigError("webhooks: an endpoint URL is listed twice");
    let key: Uint8Array;
    try {
      key = secretBytes(e.secret);
    } catch (error) {
      throw new ConfigError((error as Error).message);
    }
    if (e.events !== undefined && (!Array.isArray(e.events) || !e.events.every(isDelivered))) {
      throw new ConfigError('webhooks: `events` must list delivered event types, e.g. ["key.revoked", "key.leaked"]');
    }
    out.set(e.url, { url: e.url, key, events: e.events ? new Set(e.events) : null });
  }
  return out;
}

/** A positive safe integer option, or its default. */
export function count(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
    throw new ConfigError(`webhooks: \`${name}\` must be a positive integer`);
  }
  return value;
}

/** The wait before attempt `attempts + 1`, with jitter. */
export function backoff(retry: Required<WebhookRetry>, attempts: number, random: () => number): number {
  const full = Math.min(retry.maxDelay, retry.baseDelay * 2 ** Math.min(attempts - 1, 40));
  return Math.round(full / 2 + (random() * full) / 2);
}
