import { windowUsed } from "./consume.js";
import type { RateLimit, RateWindow } from "./types.js";

/**
 * A key's rate-limit state after a verification, as `verify` reports it and
 * the HTTP layer turns into `RateLimit` headers: the limit, how many more
 * verifications the sliding window admits now, and in how many ms more
 * become available (the current window rolls over, or, when none is left,
 * the earliest moment the next one passes).
 *
 * @example
 * ```ts
 * const result = await keyward.verify(key);
 * if (result.ok && result.ratelimit) {
 *   const { limit, remaining, reset }: RateLimitState = result.ratelimit;
 *   console.log(`${remaining}/${limit}, more in ${Math.ceil(reset / 1000)} s`);
 * }
 * ```
 */
export interface RateLimitState {
  /** Verifications allowed per window. */
  limit: number;
  /** Window length in ms. */
  window: number;
  /** Verifications the window admits now (0 when the next one would be refused). */
  remaining: number;
  /** Milliseconds until more verifications become available. */
  reset: number;
}

/**
 * Milliseconds from `now` until a window that refuses the next verification
 * admits one again (at least 1).
 */
function untilAdmitted(window: RateWindow, limit: RateLimit, now: number): number {
  const length = limit.window;
  const room = limit.limit - 1 - window.count;
  let at: number;
  if (room >= 0) {
    // ceil(prev * (length - e) / length) <= room  <=>  e >= length - floor(room * length / prev)
    at = window.prev === 0 ? now : window.start + length - Math.floor((room * length) / window.prev);
  } else {
    // after the roll-over this window's count is the previous one's
    at = window.start + 2 * length - Math.floor(((limit.limit - 1) * length) / window.count);
  }
  return Math.max(1, at - now);
}

/**
 * The {@link RateLimitState} of `window` (a window as a store's `consume`
 * answered it) at `now`.
 *
 * @example
 * ```ts
 * rateLimitState({ limit: 10, window: 1_000 }, { start: 0, count: 10, prev: 0 }, 400);
 * // { limit: 10, window: 1_000, remaining: 0, reset: 700 } (the next one passes at 1 100, when the weighted count has room)
 * ```
 */
export function rateLimitState(limit: RateLimit, window: RateWindow, now: number): RateLimitState {
  const used = windowUsed(window, now, limit.window);
  const remaining = Math.max(0, limit.limit - used);
  const reset = remaining > 0 ? Math.max(1, window.start + limit.window - now) : untilAdmitted(window, limit, now);
  return { limit: limit.limit, window: limit.window, remaining, reset };
}
