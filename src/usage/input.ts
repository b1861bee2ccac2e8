import { ConfigError } from "../errors.js";
import type { Checker } from "../validate.js";
import { normalizeIpRange } from "./ip.js";
import type { CreditRefill, RateLimit, StoredCredits } from "./types.js";

/** Largest `limit`, `remaining` or refill `amount` accepted. */
export const MAX_USAGE_COUNT = 1_000_000_000_000;
/** Longest rate window or refill interval accepted, in ms (ten years). */
export const MAX_USAGE_INTERVAL = 3650 * 24 * 3600_000;
/** Most entries one allowlist may hold. */
export const MAX_ALLOWED_IPS = 100;

/**
 * Credits as `create` and `update` take them: what the key may spend, and
 * optionally how it refills. The refill clock starts when they are set.
 *
 * @example
 * ```ts
 * const credits: CreditsInput = { remaining: 1_000, refill: { amount: 1_000, interval: 86_400_000 } };
 * await keyward.create({ owner: "org_1", label: "Metered", credits });
 * ```
 */
export interface CreditsInput {
  remaining: number;
  refill?: CreditRefill | null | undefined;
}

const isCount = (v: unknown, min: number): v is number =>
  typeof v === "number" && Number.isInteger(v) && v >= min && v <= MAX_USAGE_COUNT;
const isInterval = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= MAX_USAGE_INTERVAL;

function onlyKeys(value: object, keys: readonly string[]): boolean {
  return Object.keys(value).every((k) => keys.includes(k));
}

/** Why `value` is not a rate limit, or null when it is one. */
function rateLimitProblem(value: unknown): string | null {
  if (value === null || typeof value !== "object" || Array.isArray(value) || !onlyKeys(value, ["limit", "window"])) {
    return "must be { limit, window } (null for none)";
  }
  const { limit, window } = value as Record<string, unknown>;
  if (!isCount(limit, 1)) return "limit must be a positive integer";
  if (!isInterval(window)) return "window must be a positive integer of ms, at most ten years";
  return null;
}

/** Validates `ratelimit` (undefined: not given; null: none). */
export function checkRateLimit(c: Checker, value: unknown): RateLimit | null | undefined {
  if (value === undefined || value === null) return value;
  const problem = rateLimitProblem(value);
  if (problem) return (c.fail("ratelimit", problem), undefined);
  const { limit, window } = value as RateLimit;
  return { limit, window };
}

/** Validates `credits` into what the store keeps (the refill clock starts at `now`). */
export function checkCredits(c: Checker, value: unknown, now: number): StoredCredits | null | undefined {
  if (value === undefined || value === null) return value;
  if (typeof value !== "object" || Array.isArray(value) || !onlyKeys(value, ["remaining", "refill"])) {
    return (c.fail("credits", "must be { remaining, refill? } (null for unmetered)"), undefined);
  }
  const { remaining, refill } = value as Record<string, unknown>;
  if (!isCount(remaining, 0)) return (c.fail("credits.remaining", "must be a non-negative integer"), undefined);
  if (refill === undefined || refill === null) return { remaining, refill: null, refilledAt: null };
  if (typeof refill !== "object" || Array.isArray(refill) || !onlyKeys(refill, ["amount", "interval"])) {
    return (c.fail("credits.refill", "must be { amount, interval } (null for none)"), undefined);
  }
  const { amount, interval } = refill as Record<string, unknown>;
  if (!isCount(amount, 1)) return (c.fail("credits.refill.amount", "must be a positive integer"), undefined);
  if (!isInterval(interval)) {
    return (c.fail("credits.refill.interval", "must be a positive integer of ms, at most ten years"), undefined);
  }
  return { remaining, refill: { amount, interval }, refilledAt: now };
}

/** Validates `allowedIps` into normalised, distinct entries (undefined: not given; null: anywhere). */
export function checkAllowedIps(c: Checker, value: unknown): string[] | null | undefined {
  if (value === undefined || value === null) return value;
  if (!Array.isArray(value)) return (c.fail("allowedIps", "must be an array of IP addresses or CIDR ranges"), undefined);
  if (value.length === 0) return (c.fail("allowedIps", "must hold at least one entry (null allows any address)"), undefined);
  if (value.length > MAX_ALLOWED_IPS) return (c.fail("allowedIps", `must hold at most ${MAX_ALLOWED_IPS} entries`), undefined);
  const out: string[] = [];
  let bad = false;
  value.forEach((entry, i) => {
    const normal = typeof entry === "string" ? normalizeIpRange(entry) : null;
    if (normal === null) {
      bad = true;
      c.fail(`allowedIps[${i}]`, "is not an IPv4 or IPv6 address or CIDR range");
    } else if (!out.includes(normal)) out.push(normal);
  });
  return bad ? undefined : out;
}

/**
 * The `ratelimit` option of `createKeyward`, checked at configuration time.
 *
 * @internal
 */
export function configRateLimit(value: unknown): RateLimit | null {
  if (value === undefined || value === null) return null;
  const problem = rateLimitProblem(value);
  if (problem) throw new ConfigError(`ratelimit ${problem}`);
  const { limit, window } = value as RateLimit;
  return Object.freeze({ limit, window });
}
