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
    const waiting = deadlinesOf(timeout).add(reject);
    const failed = (error: unknown): void => {
      if (waiting.reject === null) return; // already timed out
      waiting.reject = null;
      reject(new StoreUnavailableError(error));
    };
    try {
      pending.then((result) => {
        waiting.reject = null;
        resolve(result);
      }, failed);
    } catch (error) {
      failed(error); // a promise whose own `then` throws
    }
  });
}

/** A store call waiting on its deadline; `reject` is cleared once it settles. */
interface Waiting {
  readonly at: number;
  reject: ((error: unknown) => void) | null;
}

/**
 * The deadlines of the store calls that share one timeout, in one queue:
 * they come due in the order they were added, so one timer, armed for the
 * oldest call still waiting, serves them all (no timer per call).
 */
class Deadlines {
  private queue: Waiting[] = [];
  private head = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly timeout: number) {}

  add(reject: (error: unknown) => void): Waiting {
    const waiting: Waiting = { at: Date.now() + this.timeout, reject };
    this.dropSettled();
    this.queue.push(waiting);
    if (this.timer === undefined) this.arm(waiting.at);
    return waiting;
  }

  /** Rejects the calls past their deadline, then waits for the next one. */
  private fire(): void {
    this.timer = undefined;
    const now = Date.now();
    const { queue } = this;
    while (this.head < queue.length) {
      const waiting = queue[this.head] as Waiting;
      const reject = waiting.reject;
      if (reject !== null && waiting.at > now) break;
      this.head++;
      if (reject !== null) {
        waiting.reject = null;
        reject(new StoreUnavailableError(new Error(`store call timed out after ${this.timeout} ms`)));
      }
    }
    this.dropSettled();
    const next = this.queue[this.head];
    if (next !== undefined) this.arm(next.at);
  }

  /** Forgets the settled calls at the front (most calls settle long before their deadline). */
  private dropSettled(): void {
    const { queue } = this;
    while (this.head < queue.length && (queue[this.head] as Waiting).reject === null) this.head++;
    if (this.head === queue.length) {
      queue.length = 0;
      this.head = 0;
    } else if (this.head > 1_024 && this.head * 2 > queue.length) {
      this.queue = queue.slice(this.head);
      this.head = 0;
    }
  }

  private arm(at: number): void {
    this.timer = setTimeout(() => this.fire(), Math.max(0, at - Date.now()));
    (this.timer as { unref?: () => void }).unref?.();
  }
}

/** One queue per timeout value in use (a handful: one per configured `storeTimeout`). */
const DEADLINES = new Map<number, Deadlines>();

function deadlinesOf(timeout: number): Deadlines {
  let deadlines = DEADLINES.get(timeout);
  if (deadlines === undefined) {
    deadlines = new Deadlines(timeout);
    DEADLINES.set(timeout, deadlines);
  }
  return deadlines;
}
