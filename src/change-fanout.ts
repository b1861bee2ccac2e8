import type { ChangeListener } from "./store.js";

/**
 * Options of {@link ChangeFanout}.
 *
 * @example
 * ```ts
 * const listeners = new ChangeFanout({ onError: (error) => log.warn({ error }, "a change listener threw") });
 * ```
 */
export interface ChangeFanoutOptions {
  /** Receives what a listener threw; the other listeners are told regardless. Default: ignored. */
  onError?: ((error: unknown) => void) | undefined;
}

/**
 * The listeners of one store's change feed, and the fan-out to them: the
 * part of {@link KeyStore.watch} every store shares. The store adds each
 * listener `watch` receives (`add` returns the function that removes it) and
 * tells the fan-out what its feed saw; every listener then hears it, in the
 * order they were added. A listener that throws never stops the others.
 * Adding a listener twice has no further effect.
 *
 * A listener from untyped code that lacks `onDown` is reset instead when the
 * feed goes down: dropping a cache is always safe, keeping one is not.
 *
 * @example
 * ```ts
 * const listeners = new ChangeFanout();
 * const store: KeyStore = {
 *   // …the other methods, each calling listeners.onChange(id) after a change…
 *   watch: (listener) => listeners.add(listener),
 * };
 * subscription.on("message", (id) => listeners.onChange(id));
 * subscription.on("reconnected", () => listeners.onReset());
 * subscription.on("lost", () => listeners.onDown());
 * ```
 */
export class ChangeFanout implements ChangeListener {
  private readonly listeners = new Set<ChangeListener>();
  private readonly onError: (error: unknown) => void;

  constructor(options: ChangeFanoutOptions = {}) {
    this.onError = options.onError ?? (() => {});
  }

  /** Number of listeners. */
  get size(): number {
    return this.listeners.size;
  }

  /**
   * Adds a listener; returns the function that removes it (safe to call more
   * than once). Throws `TypeError` unless `onChange` and `onReset` are functions.
   */
  add(listener: ChangeListener): () => void {
    if (typeof listener?.onChange !== "function" || typeof listener.onReset !== "function") {
      throw new TypeError("a change listener needs onChange(id), onReset() and onDown() methods");
    }
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Tell every listener that record `id` changed. */
  onChange(id: string): void {
    this.each((l) => l.onChange(id));
  }

  /** Tell every listener that changes may have been missed. */
  onReset(): void {
    this.each((l) => l.onReset());
  }

  /** Tell every listener that the feed is down (a listener without `onDown` is reset). */
  onDown(): void {
    this.each((l) => (typeof l.onDown === "function" ? l.onDown() : l.onReset()));
  }

  private each(tell: (listener: ChangeListener) => void): void {
    // a snapshot: a listener added or removed while telling does not change who hears this call
    for (const listener of [...this.listeners]) {
      try {
        tell(listener);
      } catch (error) {
        try {
          this.onError(error);
        } catch {
          // reporting never stops the fan-out either
        }
      }
    }
  }
}
