import type { RateLimitState } from "keyward";

/** Whole seconds, at least 1, for a positive number of ms. */
export function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/**
 * The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers)
 * for a key's rate-limit state: `RateLimit-Policy` names the quota
 * (`q` requests per `w` seconds) and `RateLimit` what is left of it now
 * (`r` requests, more in `t` seconds). Sent on a 429 and on every success
 * of a key with a rate limit.
 *
 * @example
 * ```ts
 * rateLimitHeaders({ limit: 100, window: 60_000, remaining: 42, reset: 12_400 });
 * // { "ratelimit-policy": '"default";q=100;w=60', ratelimit: '"default";r=42;t=13' }
 * ```
 */
export function rateLimitHeaders(state: RateLimitState): Record<string, string> {
  return {
    "ratelimit-policy": policyOf(state.limit, state.window),
    ratelimit: `"default";r=${state.remaining};t=${seconds(state.reset)}`,
  };
}

// the policy of the last key seen: a server's keys mostly share a few plans, and it is the same on every request of a key
let lastLimit = 0;
let lastWindow = 0;
let lastPolicy = "";

function policyOf(limit: number, window: number): string {
  if (limit !== lastLimit || window !== lastWindow) {
    lastPolicy = `"default";q=${limit};w=${seconds(window)}`;
    lastLimit = limit;
    lastWindow = window;
  }
  return lastPolicy;
}
