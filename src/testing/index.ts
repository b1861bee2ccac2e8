/**
 * `keyward/testing`: the store and webhook outbox conformance suites, and record fixtures.
 * Run {@link storeConformance} against your own {@link keyward!KeyStore | KeyStore}
 * implementation to check the contract keyward relies on; see
 * `docs/stores.md` for what each method must guarantee. Run
 * {@link webhookOutboxConformance} against your own webhook outbox (see
 * `docs/webhooks.md`).
 *
 * @example
 * ```ts
 * import { describe, expect, it } from "vitest";
 * import { storeConformance } from "keyward/testing";
 * import { myStore } from "../src/my-store.js";
 *
 * storeConformance({ name: "my store", store: () => myStore(), describe, it, expect });
 * ```
 *
 * ```ts
 * import { webhookOutboxConformance } from "keyward/testing";
 *
 * webhookOutboxConformance({ name: "my outbox", outbox: () => myOutbox(), describe, it, expect });
 * ```
 *
 * @module keyward/testing
 */
import { handedOutSuite } from "./handed-out.js";
import { lifecycleSuite } from "./lifecycle.js";
import { listSuite } from "./list.js";
import { recordSuite } from "./records.js";
import { usageSuite } from "./usage.js";

export { makeRecord, uniq } from "./fixtures.js";
export { type WebhookOutboxConformanceOptions, webhookOutboxConformance } from "./outbox.js";
export type { ConformanceOptions, TestApi } from "./types.js";

import type { ConformanceOptions } from "./types.js";

/**
 * The store conformance suite. Run it from your own test file to prove a
 * custom store keeps the contract keyward relies on: exact round-trips,
 * newest-first keyset pagination, atomic transitions (a revoke is never
 * undone), atomic rotation, monotonic last-used writes, records never
 * mutated once handed out, the change feed when the store has one, and
 * usage control when it implements the optional `consume()` (its answers
 * against {@link keyward!consumeUsage | consumeUsage}, and exactness under
 * 64-way concurrency on three keyward instances; a store without it is
 * noted once and those cases pass without running).
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
    handedOutSuite(options);
    usageSuite(options);
  });
}
