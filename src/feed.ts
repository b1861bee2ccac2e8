import type { VerificationCache } from "./cache.js";
import { describeError, type EventListener, emitEvent, type StoreOperation } from "./events.js";
import type { KeyStore, MaybePromise } from "./store.js";

/** Reports a failed background store call to `onEvent` as `store.error`; never throws. */
export type StoreErrorReporter = (operation: StoreOperation, error: unknown) => void;

/** The reporter of an instance: a `store.error` event per failure, or nothing without a listener. */
export function storeErrorReporter(onEvent: EventListener | undefined, clock: () => number): StoreErrorReporter {
  return (operation, error) => {
    if (!onEvent) return;
    const time = new Date(clock()).toISOString();
    emitEvent(onEvent, {
      type: "store.error",
      time,
      keyId: null,
      owner: null,
      actor: null,
      operation,
      error: describeError(error),
    });
  };
}

/**
 * Keeps the verification cache fresh from the store's change feed: a change
 * evicts its record, a reset clears the cache, a feed that drops makes the
 * cache stand aside until the next reset. A feed that cannot be subscribed
 * to makes it stand aside for good (changes made elsewhere would go unseen).
 * Failures are reported, never thrown. Resolves the unsubscribe function.
 */
export function watchChanges(
  store: KeyStore,
  cache: VerificationCache,
  report: StoreErrorReporter,
): Promise<(() => MaybePromise<void>) | undefined> {
  const listener = {
    onChange: (id: string) => cache.evict(id),
    onReset: () => cache.resume(),
    onDown: (cause?: unknown) => {
      cache.suspend();
      report("feed", cause ?? new Error("The change feed is down: verifications read the store until it is back"));
    },
  };
  cache.suspend(); // feeds start down: nothing is served from the cache until the feed proves itself live (onReset)
  return (async () => {
    try {
      return await store.watch?.(listener);
    } catch (error) {
      cache.suspend();
      report("watch", error);
      return undefined;
    }
  })();
}
