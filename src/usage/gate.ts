import { type EventListener, emitEvent, type VerificationFailure } from "../events.js";
import { withDeadline } from "../internal/store-call.js";
import type { KeyStore } from "../store.js";
import type { ApiKey, KeyRecord } from "../types.js";
import { type VerifyResult, verifyError } from "../verify-result.js";
import { ipAllowed } from "./ip.js";
import { rateLimitState } from "./state.js";
import type { RateLimit, RateWindow, UsageOutcome } from "./types.js";

/** At most one `key.rate_limited` / `key.usage_exceeded` event per key per this many ms. */
const EVENT_EVERY_MS = 1_000;
/** Keys whose last refusal event is remembered (beyond it the memory starts over). */
const EVENT_MEMORY = 10_000;

type Success = Extract<VerifyResult, { ok: true }>;

/** What the gate needs from the verifier. */
export interface GateOptions {
  store: KeyStore;
  timeout: number;
  defaultRateLimit: RateLimit | null;
  onEvent: EventListener | undefined;
  /** A failed result (and its `key.verification_failed` event). */
  fail: (reason: VerificationFailure, record: KeyRecord | null) => VerifyResult;
  /** Records a successful use (last-used). */
  used: (record: KeyRecord, now: number) => void;
}

/**
 * Usage control on the verification path, after the status, expiry and scope
 * checks passed: the IP allowlist, then one `consume` call for a rate limit
 * or credits. Keys without any of them never reach it.
 */
export class UsageGate {
  private readonly refusals = new Map<string, { at: number; count: number }>();

  constructor(private readonly options: GateOptions) {}

  /** Whether verifying `record` involves the gate at all. */
  applies(record: KeyRecord): boolean {
    return (
      record.allowedIps != null || record.ratelimit != null || record.credits != null || this.options.defaultRateLimit !== null
    );
  }

  check(record: KeyRecord, base: Success, ip: unknown, cost: number, now: number): VerifyResult | Promise<VerifyResult> {
    const { fail, store } = this.options;
    const allowed = record.allowedIps;
    if (allowed != null && (typeof ip !== "string" || !ipAllowed(allowed, ip))) return fail("ip_not_allowed", record);
    const limit = record.ratelimit ?? this.options.defaultRateLimit;
    if (limit === null && record.credits == null) {
      this.options.used(record, now);
      return base;
    }
    if (typeof store.consume !== "function") return fail("unavailable", record);
    let answer: unknown;
    try {
      answer = withDeadline(store.consume(record.hash, { now, cost, ratelimit: limit }), this.options.timeout);
    } catch {
      return fail("unavailable", record);
    }
    if (answer instanceof Promise) {
      return answer.then(
        (outcome: unknown) => this.judge(outcome, record, base, limit, now),
        () => fail("unavailable", record),
      );
    }
    return this.judge(answer, record, base, limit, now);
  }

  /** The verification's result from the store's `consume` answer; a malformed answer fails closed. */
  private judge(answer: unknown, record: KeyRecord, base: Success, limit: RateLimit | null, now: number): VerifyResult {
    const { fail } = this.options;
    if (answer === null) return fail("invalid", record); // the record is gone
    const outcome = checkedOutcome(answer, limit !== null, record.credits != null);
    if (outcome === null) return fail("unavailable", record);
    const state = limit !== null && outcome.window !== null ? rateLimitState(limit, outcome.window, now) : undefined;
    if (!outcome.ok) {
      const reason = outcome.reason as "rate_limited" | "usage_exceeded";
      const error = verifyError(reason);
      const retryAfter = reason === "rate_limited" ? state?.reset : untilRefill(record, outcome, now);
      if (retryAfter !== undefined) error.retryAfter = retryAfter;
      this.refused(reason === "rate_limited" ? "key.rate_limited" : "key.usage_exceeded", record, now);
      return state === undefined ? { ok: false, error } : { ok: false, error, ratelimit: state };
    }
    this.options.used(record, now);
    let key: ApiKey = base.key;
    const credits = outcome.credits;
    if (credits !== null && record.credits != null) {
      const refill = record.credits.refill;
      // this verification's own copy (the shared, frozen one holds the balance it was built with)
      key = {
        ...key,
        remaining: credits.remaining,
        credits: { remaining: credits.remaining, refill, refilledAt: credits.refilledAt },
      };
    }
    const result: Success = { ok: true, key, scopes: base.scopes };
    if (state !== undefined) result.ratelimit = state;
    return result;
  }

  /** Emits a refusal event, at most one per key per second; `refused` counts what it stands for. */
  private refused(type: "key.rate_limited" | "key.usage_exceeded", record: KeyRecord, now: number): void {
    const onEvent = this.options.onEvent;
    if (onEvent === undefined) return;
    const id = `${type}:${record.id}`;
    const last = this.refusals.get(id);
    if (last !== undefined && now - last.at < EVENT_EVERY_MS && now >= last.at) {
      last.count++;
      return;
    }
    if (this.refusals.size >= EVENT_MEMORY) this.refusals.clear();
    const refused = (last?.count ?? 0) + 1;
    this.refusals.set(id, { at: now, count: 0 });
    emitEvent(onEvent, {
      type,
      time: new Date(now).toISOString(),
      keyId: record.id,
      owner: record.owner,
      actor: null,
      refused,
    });
  }
}

/** Ms until the key's next refill, or undefined when it has none. */
function untilRefill(record: KeyRecord, outcome: UsageOutcome, now: number): number | undefined {
  const refill = record.credits?.refill;
  const at = outcome.credits?.refilledAt;
  if (refill == null || at == null) return undefined;
  return Math.max(1, at + refill.interval - now);
}

const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/** A well-formed copy of a `consume` answer, or null. */
function checkedOutcome(value: unknown, limited: boolean, metered: boolean): UsageOutcome | null {
  try {
    if (value === null || typeof value !== "object") return null;
    const { ok, reason, window, credits } = value as Record<string, unknown>;
    if (ok !== true && ok !== false) return null;
    if (ok ? reason !== null : reason !== "rate_limited" && reason !== "usage_exceeded") return null;
    let w: RateWindow | null = null;
    if (limited) {
      if (window === null || typeof window !== "object") return null;
      const { start, count, prev } = window as Record<string, unknown>;
      if (typeof start !== "number" || !Number.isFinite(start) || !isCount(count) || !isCount(prev)) return null;
      w = { start, count, prev };
    }
    let c: UsageOutcome["credits"] = null;
    // null for a metered key: its credits were removed since it was read (an update raced this verification)
    if (metered && credits !== null) {
      if (typeof credits !== "object") return null;
      const { remaining, refilledAt } = credits as Record<string, unknown>;
      if (!isCount(remaining) || !(refilledAt === null || (typeof refilledAt === "number" && Number.isFinite(refilledAt)))) {
        return null;
      }
      c = { remaining, refilledAt };
    }
    return { ok, reason: reason as UsageOutcome["reason"], window: w, credits: c };
  } catch {
    return null;
  }
}
