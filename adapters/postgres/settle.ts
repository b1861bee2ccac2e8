import type { FeedHandle } from "./sources.js";

/** The outcome of a promise, as a value. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Waits for `promise` at most `ms`; never rejects. A timeout is reported as
 * an error; the promise itself keeps running (the caller cleans up after it).
 * The timer never keeps the process alive.
 *
 * @example
 * ```ts
 * const outcome = await settle(pool.connect(), 5_000);
 * if (!outcome.ok) report(outcome.error);
 * ```
 */
export function settle<T>(promise: Promise<T>, ms: number): Promise<Settled<T>> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ ok: false, error: new Error(`timed out after ${ms} ms`) }), ms);
    timer.unref?.();
    promise.then(
      (value) => (clearTimeout(timer), resolve({ ok: true, value })),
      (error: unknown) => (clearTimeout(timer), resolve({ ok: false, error })),
    );
  });
}

/**
 * Closes a feed handle, ignoring any error.
 *
 * @example
 * ```ts
 * await closeQuietly(handle);
 * ```
 */
export function closeQuietly(handle: FeedHandle): Promise<void> {
  return handle.close().catch(() => undefined);
}
