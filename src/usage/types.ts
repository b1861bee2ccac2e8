/**
 * A per-key rate limit: at most `limit` successful verifications per
 * `window` milliseconds (sliding window, see {@link consumeUsage}).
 *
 * @example
 * ```ts
 * const ratelimit: RateLimit = { limit: 100, window: 60_000 }; // 100 per minute
 * await keyward.create({ owner: "org_1", label: "CRM sync", ratelimit });
 * ```
 */
export interface RateLimit {
  /** Requests allowed per window (a positive integer). */
  limit: number;
  /** Window length in ms (a positive integer). */
  window: number;
}

/**
 * How a key's credits come back: `remaining` is set to `amount` once per
 * `interval` milliseconds.
 *
 * @example
 * ```ts
 * const refill: CreditRefill = { amount: 1_000, interval: 86_400_000 }; // 1,000 a day
 * ```
 */
export interface CreditRefill {
  amount: number;
  interval: number;
}

/**
 * A key's credits as a store keeps them: what is left, how it refills, and
 * when it last refilled (epoch ms; the refill clock starts at creation).
 *
 * @example
 * ```ts
 * const credits: StoredCredits = { remaining: 500, refill: { amount: 500, interval: 3_600_000 }, refilledAt: Date.now() };
 * ```
 */
export interface StoredCredits {
  remaining: number;
  refill: CreditRefill | null;
  refilledAt: number | null;
}

/**
 * The sliding-window counter of one key's rate limit, as a store keeps it
 * beside the record: the current window's start (epoch ms), the successes
 * counted in it, and the count of the window before.
 *
 * @example
 * ```ts
 * const fresh: RateWindow = { start: Date.now(), count: 0, prev: 0 };
 * ```
 */
export interface RateWindow {
  start: number;
  count: number;
  prev: number;
}

/**
 * What {@link KeyStore.consume} is asked to do for one verification that
 * passed every other check.
 *
 * @example
 * ```ts
 * const request: UsageRequest = { now: Date.now(), cost: 1, ratelimit: { limit: 100, window: 60_000 } };
 * const outcome = await store.consume?.(record.hash, request);
 * ```
 */
export interface UsageRequest {
  /** Epoch ms of the verification. */
  now: number;
  /** Credits this verification spends if the key has credits (a non-negative integer). */
  cost: number;
  /** The limit to apply: the key's own, else the configured default; null for none. */
  ratelimit: RateLimit | null;
}

/**
 * Why usage control refused a verification.
 *
 * @example
 * ```ts
 * const reason: UsageRefusal = "rate_limited"; // or "usage_exceeded"
 * ```
 */
export type UsageRefusal = "rate_limited" | "usage_exceeded";

/**
 * What {@link KeyStore.consume} answers: whether the verification may pass,
 * and the key's usage state after the call (nothing is spent or counted when
 * it is refused, but a due refill is kept).
 *
 * @example
 * ```ts
 * const outcome: UsageOutcome = { ok: false, reason: "usage_exceeded", window: null, credits: { remaining: 0, refilledAt: null } };
 * ```
 */
export interface UsageOutcome {
  ok: boolean;
  /** Why it was refused; null when `ok`. */
  reason: UsageRefusal | null;
  /** The rate-limit window after the call; null when no limit applied. */
  window: RateWindow | null;
  /** The key's credits after the call; null when the key has none. */
  credits: { remaining: number; refilledAt: number | null } | null;
}
