import { StoreUnavailableError } from "../errors.js";
import type { MaybePromise } from "../store.js";

/**
 * Runs a store call with a deadline. Synchronous answers pass straight
 * through (no timer, no allocation); a rejection, a throw or a promise still
 * pending after `timeout` ms becomes {@link StoreUnavailableError}.
 */
export function callStore<T>(timeout: number, call: () => MaybePromise<T>): T | Promise<T> {
  let value: MaybePromise<T>;
  try {
    value = call();
  } catch (error) {
    throw new StoreUnavailableError(error);
  }
  if (!isThenable(value)) return value;
  if (!(value instanceof Promise)) value = Promise.resolve(value);
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new StoreUnavailableError(new Error(`store call timed out after ${timeout} ms`))),
      timeout,
    );
    (timer as { unref?: () => void }).unref?.();
    value.then(
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

function isThenable<T>(value: MaybePromise<T>): value is Promise<T> {
  if (value instanceof Promise) return true;
  return (
    value !== null &&
    typeof value === "object" &&
    !Object.isFrozen(value) &&
    typeof (value as { then?: unknown }).then === "function"
  );
}
