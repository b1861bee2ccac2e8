import type { RateLimit, StoredCredits } from "./usage/types.js";

/**
 * Every status a key can have: `active`, `disabled` (reversible), `revoked`
 * (final) and `expired` (past `expiresAt`, or past the grace period of a
 * rotation). The one list keyward checks status filters against (`list`, the
 * HTTP `?status=`, the CLI); which one a record has is {@link statusOf}.
 *
 * @example
 * ```ts
 * const counts: Partial<Record<KeyStatus, number>> = {};
 * for (const status of KEY_STATUSES) counts[status] = (await keyward.list(owner, { status, limit: 100 })).data.length;
 * ```
 */
export const KEY_STATUSES = Object.freeze(["active", "disabled", "revoked", "expired"] as const);

/**
 * The state of a key: one of {@link KEY_STATUSES}.
 *
 * @example
 * ```ts
 * const status: KeyStatus = apiKey.status; // "active" | "disabled" | "revoked" | "expired"
 * if (status === "disabled") await keyward.enable(apiKey.id);
 * ```
 */
export type KeyStatus = (typeof KEY_STATUSES)[number];

/**
 * Whether `value` is one of {@link KEY_STATUSES}.
 *
 * @example
 * ```ts
 * const status = url.searchParams.get("status");
 * if (status !== null && !isKeyStatus(status)) return badRequest("unknown status");
 * ```
 */
export function isKeyStatus(value: unknown): value is KeyStatus {
  return (KEY_STATUSES as readonly unknown[]).includes(value);
}

/**
 * JSON-safe metadata the application attaches to a key.
 *
 * @example
 * ```ts
 * const metadata: Metadata = { team: "growth", ticket: "OPS-142" };
 * await keyward.create({ owner: "org_1", label: "CRM sync", metadata });
 * ```
 */
export type Metadata = Record<string, unknown>;

/**
 * The public view of a key: JSON-safe, never holds the raw key or its hash.
 * Dates are ISO-8601 strings.
 *
 * @example
 * ```ts
 * const apiKey: ApiKey | null = await keyward.get(id);
 * if (apiKey) console.log(`${apiKey.label}: ${apiKey.keyPrefix}…${apiKey.last4} (${apiKey.status})`);
 * ```
 */
export interface ApiKey {
  id: string;
  owner: string;
  label: string;
  /** Non-secret display prefix, e.g. `cho_4fGh2kLm`: tells two keys apart. */
  keyPrefix: string;
  /** The last four characters of the key. */
  last4: string;
  /** The key's own scopes (its role's scopes are added at verification). */
  scopes: string[];
  role: string | null;
  status: KeyStatus;
  /** `status === "active"`. */
  active: boolean;
  /** Id of the actor who created the key, or null when created by server code. */
  createdBy: string | null;
  createdAt: string;
  expiresAt: string | null;
  disabledAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  /** Id of the key this one replaced by rotation. */
  rotatedFrom: string | null;
  /** Id of the key that replaced this one by rotation. */
  rotatedTo: string | null;
  /** JSON data the application attached to the key. */
  metadata: Metadata;
  /** The key's own rate limit; absent or null for none (a configured default may apply). */
  ratelimit?: RateLimit | null;
  /** The key's credits; absent or null for unmetered. */
  credits?: StoredCredits | null;
  /** Credits left (`credits.remaining`, as of the last read); null for unmetered. */
  remaining?: number | null;
  /** Addresses and CIDR ranges the key may be presented from (normalised); absent or null for anywhere. */
  allowedIps?: string[] | null;
}

/**
 * Who performs a management operation. `owner` is the tenant the actor acts
 * for; its permissions are `scopes` ∪ the scopes of `role`.
 *
 * @example
 * ```ts
 * const actor: Actor = { id: session.userId, owner: session.orgId, role: "admin" };
 * await keyward.create({ label: "CRM sync", role: "viewer" }, { actor }); // owner comes from the actor
 * ```
 */
export interface Actor {
  id: string;
  owner: string;
  scopes?: readonly string[];
  role?: string | null;
}

/**
 * What a store keeps about a key. Times are epoch milliseconds. `hash` is the
 * versioned hash of the key (`v1:…` or `v2:…`); the raw key is never stored.
 *
 * @example
 * ```ts
 * const record: KeyRecord | null = await store.findByHash(hash);
 * if (record) console.log(new Date(record.createdAt), statusOf(record, Date.now()));
 * ```
 */
export interface KeyRecord {
  id: string;
  owner: string;
  /** Human-readable name, non-empty and bounded in length. */
  label: string;
  keyPrefix: string;
  last4: string;
  hash: string;
  /** The key's own scopes; its role's are added at verification. */
  scopes: string[];
  /** A role of the application's roles table, or null. */
  role: string | null;
  createdBy: string | null;
  createdAt: number;
  expiresAt: number | null;
  disabledAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
  rotatedFrom: string | null;
  rotatedTo: string | null;
  /** JSON data the application attached to the key. */
  metadata: Metadata;
  /** The key's own rate limit; absent or null for none (a configured default may apply). */
  ratelimit?: RateLimit | null;
  /** The key's credits; absent or null for unmetered. */
  credits?: StoredCredits | null;
  /** Addresses and CIDR ranges the key may be presented from (normalised); absent or null for anywhere. */
  allowedIps?: string[] | null;
}
