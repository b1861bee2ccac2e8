import { isKeywardError, type KeyRecord } from "keyward";

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

/**
 * How a store call failed, as keyward sees it: `code` is the code of a
 * keyward error (a `StoreError`, from whichever copy of the package the
 * store uses), the error itself when it is anything else, or `"resolved"`
 * when the call succeeded; `message` is the error's message. Internal to the
 * suite.
 *
 * @example
 * ```ts
 * const { code, message } = await failureOf(() => store.insert(duplicate));
 * expect(code).toBe("duplicate_record");
 * ```
 */
export async function failureOf(call: () => unknown): Promise<{ code: unknown; message: string }> {
  try {
    await call();
    return { code: "resolved", message: "" };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { code: isKeywardError(error) ? error.code : error, message };
  }
}
