import type { VerificationFailure } from "../events.js";
import { type VerifyResult, verifyError } from "../verify-result.js";

/** A failure's shared frozen result and its resolved promise. */
export interface Failure {
  readonly reason: VerificationFailure;
  readonly result: VerifyResult;
  readonly promise: Promise<VerifyResult>;
}

/** One frozen failure per reason, with its resolved promise: a failed verification allocates nothing. */
const FAILURES = new Map<VerificationFailure, Failure>();

export function failure(reason: VerificationFailure): Failure {
  let f = FAILURES.get(reason);
  if (f === undefined) {
    const result: VerifyResult = Object.freeze({ ok: false as const, error: Object.freeze(verifyError(reason)) });
    // frozen: one caller must not be able to change the answer every later caller is handed
    f = { reason, result, promise: Object.freeze(Promise.resolve(result)) };
    FAILURES.set(reason, f);
  }
  return f;
}

/** The resolved promise of a result: the shared one for a shared failure, else a new one. */
export function promiseOf(result: VerifyResult | Promise<VerifyResult>): Promise<VerifyResult> {
  if (result instanceof Promise) return result;
  if (!result.ok) {
    const f = FAILURES.get(result.error.code);
    if (f !== undefined && f.result === result) return f.promise;
  }
  return Promise.resolve(result);
}

export function deepFreeze<T extends object>(value: T): T {
  for (const v of Object.values(value)) if (v !== null && typeof v === "object") deepFreeze(v);
  return Object.freeze(value);
}
