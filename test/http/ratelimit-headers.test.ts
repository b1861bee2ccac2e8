/**
 * The IETF RateLimit fields of a key's rate-limit state: every call answers
 * for its own state, whatever limits came before it.
 */
import { rateLimitHeaders } from "keyward/http";
import { describe, expect, it } from "vitest";

describe("rateLimitHeaders", () => {
  it("names the quota and what is left of it, in whole seconds rounded up", () => {
    expect(rateLimitHeaders({ limit: 100, window: 60_000, remaining: 42, reset: 12_400 })).toEqual({
      "ratelimit-policy": '"default";q=100;w=60',
      ratelimit: '"default";r=42;t=13',
    });
    expect(rateLimitHeaders({ limit: 3, window: 500, remaining: 0, reset: 1 })).toEqual({
      "ratelimit-policy": '"default";q=3;w=1',
      ratelimit: '"default";r=0;t=1',
    });
  });

  it("answers for each key's own limit when keys of different plans alternate", () => {
    const plans = [
      { limit: 100, window: 60_000, policy: '"default";q=100;w=60' },
      { limit: 100, window: 1_000, policy: '"default";q=100;w=1' },
      { limit: 5, window: 60_000, policy: '"default";q=5;w=60' },
      { limit: 1_000_000, window: 3_600_000, policy: '"default";q=1000000;w=3600' },
    ];
    for (let i = 0; i < 20; i++) {
      const plan = plans[(i * 7) % plans.length] as (typeof plans)[number];
      const fields = rateLimitHeaders({ limit: plan.limit, window: plan.window, remaining: i, reset: 2_000 });
      expect(fields["ratelimit-policy"]).toBe(plan.policy);
      expect(fields.ratelimit).toBe(`"default";r=${i};t=2`);
    }
  });
});
