import type { ApiKey, KeyRecord, KeyStatus } from "./types.js";

/**
 * The status of a record at time `now` (epoch ms). Precedence: revoked, then
 * disabled, then expired (`expiresAt <= now`, or a non-finite `expiresAt`,
 * which fails closed), else active. Stores use it for `list` filters.
 *
 * @example
 * ```ts
 * statusOf(record, Date.now()); // "active"
 * ```
 */
export function statusOf(record: KeyRecord, now: number): KeyStatus {
  if (record.revokedAt !== null) return "revoked";
  if (record.disabledAt !== null) return "disabled";
  const exp = record.expiresAt;
  if (exp !== null && !(exp > now)) return "expired";
  return "active";
}

function iso(ms: number | null): string | null {
  return ms === null || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
}

/**
 * The public, JSON-safe view of a record at time `now`. Holds no hash.
 *
 * @example
 * ```ts
 * const apiKey = toApiKey(record, Date.now());
 * ```
 */
export function toApiKey(record: KeyRecord, now: number): ApiKey {
  const status = statusOf(record, now);
  const credits = record.credits;
  return {
    id: record.id,
    owner: record.owner,
    label: record.label,
    keyPrefix: record.keyPrefix,
    last4: record.last4,
    scopes: [...record.scopes],
    role: record.role,
    status,
    active: status === "active",
    createdBy: record.createdBy,
    createdAt: iso(record.createdAt) as string,
    expiresAt: iso(record.expiresAt),
    disabledAt: iso(record.disabledAt),
    revokedAt: iso(record.revokedAt),
    lastUsedAt: iso(record.lastUsedAt),
    rotatedFrom: record.rotatedFrom,
    rotatedTo: record.rotatedTo,
    metadata: structuredClone(record.metadata ?? {}),
    ratelimit: record.ratelimit ? { limit: record.ratelimit.limit, window: record.ratelimit.window } : null,
    credits: credits
      ? { remaining: credits.remaining, refill: credits.refill && { ...credits.refill }, refilledAt: credits.refilledAt }
      : null,
    remaining: credits ? credits.remaining : null,
    allowedIps: record.allowedIps ? [...record.allowedIps] : null,
  };
}
