import type { KeyRecord } from "keyward";

let counter = 0;

/**
 * A unique id for one conformance run (owners, hashes and ids never collide across runs).
 *
 * @example
 * ```ts
 * const owner = uniq("owner"); // "owner-m3k2x1-1-4fz9qa"
 * ```
 */
export function uniq(label: string): string {
  counter += 1;
  return `${label}-${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * A record as keyward would insert it, with unique id, owner and hash unless given.
 *
 * @example
 * ```ts
 * const store = memoryStore({ records: [makeRecord({ owner: "org_1", scopes: ["jobs:read"] })] });
 * ```
 */
export function makeRecord(overrides: Partial<KeyRecord> = {}): KeyRecord {
  return {
    id: crypto.randomUUID(),
    owner: uniq("owner"),
    label: "Conformance key",
    keyPrefix: "kw_AbCdEfGh",
    last4: "wxyz",
    hash: `v1:${uniq("hash")}`,
    scopes: ["jobs:read", "jobs:write"],
    role: null,
    createdBy: "actor-1",
    createdAt: 1_700_000_000_000,
    expiresAt: null,
    disabledAt: null,
    revokedAt: null,
    lastUsedAt: null,
    rotatedFrom: null,
    rotatedTo: null,
    metadata: { team: "integrations", nested: { n: 1 } },
    ...overrides,
  };
}
