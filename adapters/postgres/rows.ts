import type { KeyRecord, Metadata } from "keyward";

/**
 * Column list in KeyRecord order; every read selects exactly these. Internal.
 *
 * @example
 * ```ts
 * COLUMNS.includes("hash"); // true
 * ```
 */
export const COLUMNS = [
  "id",
  "owner",
  "label",
  "key_prefix",
  "last4",
  "hash",
  "scopes",
  "role",
  "created_by",
  "created_at",
  "expires_at",
  "disabled_at",
  "revoked_at",
  "last_used_at",
  "rotated_from",
  "rotated_to",
  "metadata",
] as const;

/**
 * `id, owner, …` for SELECT and RETURNING lists. Internal.
 *
 * @example
 * ```ts
 * `SELECT ${COLUMN_LIST} FROM t WHERE id = $1`;
 * ```
 */
export const COLUMN_LIST: string = COLUMNS.join(", ");

/** Placeholder casts matching {@link COLUMNS}, so PGlite and pg infer the same types. */
const CASTS: Readonly<Record<(typeof COLUMNS)[number], string>> = {
  id: "text",
  owner: "text",
  label: "text",
  key_prefix: "text",
  last4: "text",
  hash: "text",
  scopes: "text[]",
  role: "text",
  created_by: "text",
  created_at: "bigint",
  expires_at: "bigint",
  disabled_at: "bigint",
  revoked_at: "bigint",
  last_used_at: "bigint",
  rotated_from: "text",
  rotated_to: "text",
  metadata: "jsonb",
};

/**
 * `$<first>::text, $<first+1>::text, …` — typed placeholders for all columns.
 *
 * @example
 * ```ts
 * placeholders(1); // "$1::text, $2::text, …, $17::jsonb"
 * ```
 */
export function placeholders(first: number): string {
  return COLUMNS.map((c, i) => `$${first + i}::${CASTS[c]}`).join(", ");
}

/**
 * A time for a `bigint` column: integer epoch ms (fractions are floored).
 * Throws a RangeError for NaN, ±Infinity or anything outside ±2^53, which
 * the column cannot hold exactly.
 *
 * @example
 * ```ts
 * toMillis(1_700_000_000_000.7); // 1700000000000
 * ```
 */
export function toMillis(value: number): number;
export function toMillis(value: number | null): number | null;
export function toMillis(value: number | null): number | null {
  if (value === null) return null;
  const ms = Math.floor(value);
  if (!Number.isSafeInteger(ms)) throw new RangeError("postgresStore: times must be finite epoch milliseconds");
  return ms;
}

/**
 * The query values for a whole record, in {@link COLUMNS} order.
 *
 * @example
 * ```ts
 * await client.query(`INSERT INTO t (${COLUMN_LIST}) VALUES (${placeholders(1)})`, recordValues(record));
 * ```
 */
export function recordValues(r: KeyRecord): unknown[] {
  return [
    r.id,
    r.owner,
    r.label,
    r.keyPrefix,
    r.last4,
    r.hash,
    [...r.scopes],
    r.role,
    r.createdBy,
    toMillis(r.createdAt),
    toMillis(r.expiresAt),
    toMillis(r.disabledAt),
    toMillis(r.revokedAt),
    toMillis(r.lastUsedAt),
    r.rotatedFrom,
    r.rotatedTo,
    JSON.stringify(r.metadata ?? {}),
  ];
}

/** int8 arrives as a string (pg), a number (PGlite) or a bigint (custom parsers). */
function millis(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new TypeError("postgresStore: unexpected time value in a row");
  return n;
}

function text(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

function scopes(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  throw new TypeError("postgresStore: scopes column did not arrive as an array (is text[] parsing disabled?)");
}

function metadata(value: unknown): Metadata {
  const parsed = typeof value === "string" ? JSON.parse(value) : value;
  return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Metadata) : {};
}

/**
 * A {@link KeyRecord} from a row selected with {@link COLUMN_LIST}.
 *
 * @example
 * ```ts
 * const { rows } = await client.query(`SELECT ${COLUMN_LIST} FROM t WHERE id = $1`, [id]);
 * const record = rows[0] ? toRecord(rows[0]) : null;
 * ```
 */
export function toRecord(row: Record<string, unknown>): KeyRecord {
  return {
    id: String(row.id),
    owner: String(row.owner),
    label: String(row.label),
    keyPrefix: String(row.key_prefix),
    last4: String(row.last4),
    hash: String(row.hash),
    scopes: scopes(row.scopes),
    role: text(row.role),
    createdBy: text(row.created_by),
    createdAt: millis(row.created_at) as number,
    expiresAt: millis(row.expires_at),
    disabledAt: millis(row.disabled_at),
    revokedAt: millis(row.revoked_at),
    lastUsedAt: millis(row.last_used_at),
    rotatedFrom: text(row.rotated_from),
    rotatedTo: text(row.rotated_to),
    metadata: metadata(row.metadata),
  };
}
