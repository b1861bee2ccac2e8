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
 * through (no timer, no allocation); a rejection or a promise still pending
 * after `timeout` ms becomes {@link StoreUnavailableError}.
 */
export function withDeadline<T>(value: MaybePromise<T>, timeout: number): T | Promise<T> {
  if (!(value instanceof Promise)) {
    if (value === null || typeof value !== "object" || typeof (value as { then?: unknown }).then !== "function") return value;
    value = Promise.resolve(value); // a foreign thenable
  }
  const pending = value;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new StoreUnavailableError(new Error(`store call timed out after ${timeout} ms`))),
      timeout,
    );
    (timer as { unref?: () => void }).unref?.();
    pending.then(
      (result) => {
        clearTimeout(timer);
        resolve(result);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(new StoreUnavailableError(error));
      },
    );
  });
}
