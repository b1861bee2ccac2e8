import { consumeUsage, type RateWindow } from "keyward";
import { describe, expect, it } from "vitest";

describe("rate limit across instances whose clocks disagree", () => {
  it("a verification stamped before the window's start counts in that window instead of resetting it", () => {
    const ratelimit = { limit: 3, window: 1_000 };
    let window: RateWindow | null = null;
    const accepted: boolean[] = [];
    // instance A's clock runs 50 ms ahead of instance B's; they alternate
    for (let i = 0; i < 6; i++) {
      const now = 10_000 + i * 10 + (i % 2 === 0 ? 50 : 0);
      const step = consumeUsage(null, window, { now, cost: 1, ratelimit });
      window = step.window;
      accepted.push(step.outcome.ok);
    }
    expect(accepted).toEqual([true, true, true, false, false, false]);
  });

  it("the previous window weighs fully (never more) when now is before the start", () => {
    const step = consumeUsage(
      null,
      { start: 5_000, count: 0, prev: 2 },
      { now: 4_990, cost: 1, ratelimit: { limit: 3, window: 1_000 } },
    );
    expect(step.outcome.ok).toBe(true);
    expect(step.window).toEqual({ start: 5_000, count: 1, prev: 2 });
    const next = consumeUsage(null, step.window, { now: 4_995, cost: 1, ratelimit: { limit: 3, window: 1_000 } });
    expect(next.outcome).toMatchObject({ ok: false, reason: "rate_limited" });
  });
});
