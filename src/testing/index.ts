import type { KeyStore, MaybePromise } from "../store.js";
import { lifecycleSuite } from "./lifecycle.js";
import { listSuite } from "./list.js";
import { recordSuite } from "./records.js";

export { makeRecord, uniq } from "./fixtures.js";

/** The subset of vitest (or a compatible runner) the suite uses. */
export interface TestApi {
  describe: (name: string, body: () => void) => void;
  it: (name: string, body: () => Promise<void> | void, timeout?: number) => void;
  // biome-ignore lint/suspicious/noExplicitAny: any runner's expect
  expect: (value: unknown) => any;
}

/** Options of {@link storeConformance}. */
export interface ConformanceOptions extends TestApi {
  /** Shown in the suite name. */
  name: string;
  /**
   * Returns the store under test. Called once per test; may return the same
   * instance every time (tests use unique owners, ids and hashes).
   */
  store: () => MaybePromise<KeyStore>;
}

/**
 * The store conformance suite. Run it from your own test file to prove a
 * custom store keeps the contract keyward relies on: exact round-trips,
 * newest-first keyset pagination, atomic transitions (a revoke is never
 * undone), atomic rotation, monotonic last-used writes, and the change feed
 * when the store has one.
 *
 * @example
 * ```ts
 * import { describe, it, expect } from "vitest";
 * import { storeConformance } from "keyward/testing";
 * import { myStore } from "../src/my-store";
 *
 * storeConformance({ name: "my store", store: () => myStore(), describe, it, expect });
 * ```
 */
export function storeConformance(options: ConformanceOptions): void {
  options.describe(`keyward store conformance: ${options.name}`, () => {
    recordSuite(options);
    listSuite(options);
    lifecycleSuite(options);
  });
}
