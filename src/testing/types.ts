import type { KeyStore, MaybePromise } from "keyward";

/**
 * The subset of vitest (or a compatible runner) the suite uses.
 *
 * @example
 * ```ts
 * import { describe, expect, it } from "vitest";
 * const api: TestApi = { describe, it, expect };
 * storeConformance({ name: "my store", store: () => myStore(), ...api });
 * ```
 */
export interface TestApi {
  /** Groups tests, as vitest's `describe`. */
  describe: (name: string, body: () => void) => void;
  /** Declares one test, as vitest's `it`. */
  it: (name: string, body: () => Promise<void> | void, timeout?: number) => void;
  /** Makes assertions, as vitest's `expect`. */
  // biome-ignore lint/suspicious/noExplicitAny: any runner's expect
  expect: (value: unknown) => any;
}

/**
 * Options of `storeConformance`.
 *
 * @example
 * ```ts
 * const options: ConformanceOptions = { name: "sqlite store", store: () => sqliteStore(db), describe, it, expect };
 * storeConformance(options);
 * ```
 */
export interface ConformanceOptions extends TestApi {
  /** Shown in the suite name. */
  name: string;
  /**
   * Returns the store under test. Called once per test; may return the same
   * instance every time (tests use unique owners, ids and hashes).
   */
  store: () => MaybePromise<KeyStore>;
}
