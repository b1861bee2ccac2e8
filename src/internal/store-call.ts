import { StoreUnavailableError } from "../errors.js";
import type { MaybePromise } from "../store.js";

/**
 * Runs a store call with a deadline (see {@link withDeadline}); a synchronous
 * throw becomes {@link StoreUnavailableError}.
 */
export function callStore<T>(timeout: number, call: () => MaybePromise<T>): T | Promise<T> {
  let value: MaybePromise<T>;
  try {
    value = call();
  } catch (error) {
    throw new StoreUnavailableError(error);
  }
  return withDeadline(value, timeout);
}

/**
 * Puts a deadline on a store answer. Synchronous answers pass straight
 * through (no timer, no allocation); a rejection, a promise still pending
 * after `timeout` ms, or an answer that throws when inspected becomes
 * {@link StoreUnavailableError}. Never throws.
 */
export function withDeadline<T>(value: MaybePromise<T>, timeout: number): T | Promise<T> {
  if (value === null || typeof value !== "object") return value;
  try {
    if (!(value instanceof Promise)) {
      if (typeof (value as { then?: unknown }).then !== "function") return value;
      value = Promise.resolve(value); // a foreign thenable
    }
  } catch (error) {
    return Promise.reject(new StoreUnavailableError(error)); // a proxy or getter that throws when looked at
  }
  const pending = value;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new StoreUnavailableError(new Error(`store call timed out after ${timeout} ms`))),
      timeout,
    );
    (timer as { unref?: () => void }).unref?.();
    const failed = (error: unknown): void => {
      clearTimeout(timer);
      reject(new StoreUnavailableError(error));
    };
    try {
      pending.then((result) => {
        clearTimeout(timer);
        resolve(result);
      }, failed);
    } catch (error) {
      failed(error); // a promise whose own `then` throws
    }
  });
}
