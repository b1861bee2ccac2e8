import type { RateLimit, RateWindow, StoredCredits, UsageOutcome, UsageRequest } from "./types.js";

/**
 * The window as it stands at `now`: rolled forward once (the current count
 * becomes `prev`) after one window, reset after two. A window never starts
 * before it is first used, so a key's first `limit` requests always pass. A
 * `now` before the window's start (another instance's clock a little ahead)
 * counts in the current window, so clock skew between instances never resets
 * a count.
 *
 * @example
 * ```ts
 * const w = slideWindow({ start: 0, count: 7, prev: 0 }, 1_500, 1_000); // { start: 1_000, count: 0, prev: 7 }
 * ```
 */
export function slideWindow(window: RateWindow | null, now: number, length: number): RateWindow {
  if (window === null || now - window.start >= 2 * length) return { start: now, count: 0, prev: 0 };
  if (now - window.start >= length) return { start: window.start + length, count: 0, prev: window.count };
  return window;
}

/**
 * Requests counted against the limit at `now` in a window from
 * {@link slideWindow}: this window's count plus the previous window's,
 * weighted by how much of it the sliding window still covers, rounded up
 * (so the estimate never admits more than the limit).
 *
 * @example
 * ```ts
 * windowUsed({ start: 1_000, count: 10, prev: 100 }, 1_250, 1_000); // 10 + ceil(100 * 750 / 1000) = 85
 * ```
 */
export function windowUsed(window: RateWindow, now: number, length: number): number {
  const left = length - Math.max(0, now - window.start);
  return window.count + Math.ceil((window.prev * left) / length);
}

/**
 * Credits as they stand at `now`: when a refill is due (`interval` has
 * passed since the last one), `remaining` becomes `amount` and `refilledAt`
 * moves forward by whole intervals, so exactly one refill happens per
 * interval however many verifications race for it.
 *
 * @example
 * ```ts
 * refillCredits({ remaining: 0, refill: { amount: 10, interval: 1_000 }, refilledAt: 0 }, 2_500);
 * // { remaining: 10, refill: { amount: 10, interval: 1_000 }, refilledAt: 2_000 }
 * ```
 */
export function refillCredits(credits: StoredCredits, now: number): StoredCredits {
  const refill = credits.refill;
  if (refill === null || credits.refilledAt === null || now - credits.refilledAt < refill.interval) return credits;
  const periods = Math.floor((now - credits.refilledAt) / refill.interval);
  return { remaining: refill.amount, refill, refilledAt: credits.refilledAt + periods * refill.interval };
}

/** The balance part of stored credits, as an outcome reports it. */
function view(c: StoredCredits | null): UsageOutcome["credits"] {
  return c === null ? null : { remaining: c.remaining, refilledAt: c.refilledAt };
}

/**
 * The reference semantics of {@link KeyStore.consume}, pure: given a key's
 * stored credits and rate window, decide one verification and return the
 * outcome with the state to store. The rate limit is checked first, then
 * credits; a refused verification changes nothing but a due refill. Stores
 * must give exactly these answers (the conformance suite compares them).
 *
 * @example
 * ```ts
 * const { outcome, window, credits } = consumeUsage(record.credits ?? null, windows.get(hash) ?? null, request);
 * ```
 */
export function consumeUsage(
  credits: StoredCredits | null,
  window: RateWindow | null,
  request: UsageRequest,
): { outcome: UsageOutcome; window: RateWindow | null; credits: StoredCredits | null } {
  const { now, cost } = request;
  const limit: RateLimit | null = request.ratelimit;
  const slid = limit === null ? null : slideWindow(window, now, limit.window);
  const current = credits === null ? null : refillCredits(credits, now);
  if (limit !== null && slid !== null && windowUsed(slid, now, limit.window) + 1 > limit.limit) {
    return {
      outcome: { ok: false, reason: "rate_limited", window: slid, credits: view(current) },
      window: slid,
      credits: current,
    };
  }
  if (current !== null && current.remaining < cost) {
    return {
      outcome: { ok: false, reason: "usage_exceeded", window: slid, credits: view(current) },
      window: slid,
      credits: current,
    };
  }
  const counted = slid === null ? null : { start: slid.start, count: slid.count + 1, prev: slid.prev };
  const spent = current === null ? null : { ...current, remaining: current.remaining - cost };
  return { outcome: { ok: true, reason: null, window: counted, credits: view(spent) }, window: counted, credits: spent };
}
