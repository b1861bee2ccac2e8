import { ForbiddenError } from "../errors.js";
import type { Actor } from "../types.js";
import { ipRangeWithin } from "./ip.js";
import type { RateLimit, StoredCredits } from "./types.js";

/**
 * A key's usage controls: its own rate limit, its credits and its IP
 * allowlist (null: none).
 *
 * @example
 * ```ts
 * const controls: UsageControls = { ratelimit: { limit: 100, window: 60_000 }, credits: null, allowedIps: ["203.0.113.0/24"] };
 * ```
 */
export interface UsageControls {
  ratelimit: RateLimit | null;
  credits: StoredCredits | null;
  allowedIps: string[] | null;
}

/**
 * A usage control an actor may only narrow.
 *
 * @example
 * ```ts
 * const usagePolicy = (change: UsageChange) => change.widened.every((c: UsageControl) => c === "allowedIps");
 * ```
 */
export type UsageControl = "ratelimit" | "credits" | "allowedIps";

/**
 * A change of usage controls asked for by an actor (through the management
 * API, or server code passing `{ actor }`) that does not only narrow them:
 * what the `usagePolicy` hook of `createKeyward` decides on.
 *
 * @example
 * ```ts
 * const usagePolicy = (change: UsageChange) =>
 *   change.widened.every((c) => c === "ratelimit") && (change.after.ratelimit?.limit ?? Infinity) <= plans[change.owner].limit;
 * ```
 */
export interface UsageChange {
  actor: Actor;
  /** `create`, or `update` of the key `keyId`. */
  operation: "create" | "update";
  keyId: string | null;
  owner: string;
  /** The controls before the change (null on create). */
  before: UsageControls | null;
  /** The controls the change would leave. */
  after: UsageControls;
  /** The controls the change widens (never empty when the hook is asked). */
  widened: UsageControl[];
}

/**
 * Decides whether an actor may make a change that widens a key's usage
 * controls (raise a limit, add credits, widen or remove an allowlist).
 * Returning anything but `true`, or throwing, refuses it (403).
 *
 * @example
 * ```ts
 * const usagePolicy: UsagePolicy = (change) => change.actor.role === "billing-admin";
 * const keyward = createKeyward({ store, usagePolicy });
 * ```
 */
export type UsagePolicy = (change: UsageChange) => boolean;

/** Whether limit `next` admits no more than `prev` (null: unlimited). */
function narrowerLimit(next: RateLimit | null, prev: RateLimit | null): boolean {
  if (prev === null) return true;
  if (next === null) return false;
  return next.limit <= prev.limit && next.window >= prev.window;
}

/** Whether credits `next` grant nothing beyond `prev` (null: unmetered; a new balance counts as a grant). */
function narrowerCredits(next: StoredCredits | null, prev: StoredCredits | null): boolean {
  if (next === null) return prev === null;
  if (prev === null) return next.remaining === 0 && next.refill === null;
  if (next.remaining > prev.remaining) return false;
  if (next.refill === null) return true;
  const old = prev.refill;
  return old !== null && next.refill.amount <= old.amount && next.refill.interval >= old.interval;
}

/** Whether allowlist `next` admits no address `prev` refuses (null: anywhere). */
function narrowerIps(next: string[] | null, prev: string[] | null): boolean {
  if (prev === null) return true;
  if (next === null) return false;
  return next.every((entry) => prev.some((old) => ipRangeWithin(entry, old)));
}

/**
 * The controls a change from `before` to `after` widens. Rate limits are
 * compared as they apply (a key without its own limit has `fallback`, the
 * configured default): narrower means no higher `limit` and no shorter
 * `window`. Credits: lowering the balance or the refill narrows; a new
 * balance, a higher one, a bigger or faster refill, or removing metering
 * widens. Allowlists: narrower when every new entry lies inside an old one.
 *
 * @internal
 */
export function widenedControls(
  before: UsageControls,
  after: UsageControls,
  fallback: RateLimit | null,
  changed: ReadonlySet<UsageControl>,
): UsageControl[] {
  const out: UsageControl[] = [];
  if (changed.has("ratelimit") && !narrowerLimit(after.ratelimit ?? fallback, before.ratelimit ?? fallback))
    out.push("ratelimit");
  if (changed.has("credits") && !narrowerCredits(after.credits, before.credits)) out.push("credits");
  if (changed.has("allowedIps") && !narrowerIps(after.allowedIps, before.allowedIps)) out.push("allowedIps");
  return out;
}

/**
 * Refuses (403) a change by an actor that widens a usage control, unless
 * `policy` returns true for it. `base` is what the change is measured
 * against (a new key is measured against one without controls).
 *
 * @internal
 */
export function requireNarrowing(
  change: Omit<UsageChange, "widened">,
  base: UsageControls,
  changed: ReadonlySet<UsageControl>,
  fallback: RateLimit | null,
  policy: UsagePolicy | undefined,
): void {
  const widened = widenedControls(base, change.after, fallback, changed);
  if (widened.length === 0) return;
  let allowed = false;
  if (policy) {
    try {
      allowed = policy({ ...change, widened }) === true;
    } catch {
      allowed = false;
    }
  }
  if (!allowed) throw new ForbiddenError(`Only server code may raise a key's usage controls (${widened.join(", ")})`);
}
