import type { KeyRecord, Metadata } from "keyward";
import { isKeyRecord, StoreError } from "keyward";
import { digitsValue } from "../shared/digits.js";
import { readUsage, USAGE_COLUMNS, usageValues } from "./usage.js";

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
  ...USAGE_COLUMNS,
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
  ratelimit_limit: "bigint",
  ratelimit_window: "bigint",
  credits_remaining: "bigint",
  credits_refill_amount: "bigint",
  credits_refill_interval: "bigint",
  credits_refilled_at: "bigint",
  allowed_ips: "text[]",
};

/**
 * `$<first>::text, $<first+1>::text, …` — typed placeholders for all columns.
 *
 * @example
 * ```ts
 * placeholders(1); // "$1::text, $2::text, …, $24::text[]"
 * ```
 */
export function placeholders(first: number): string {
  return COLUMNS.map((c, i) => `$${first + i}::${CASTS[c]}`).join(", ");
}

/**
 * A time for a `bigint` column: integer epoch ms (fractions are floored).
 * Throws a `StoreError` with code `invalid_record` for NaN, ±Infinity or
 * anything outside ±2^53, which the column cannot hold exactly.
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
  if (!Number.isSafeInteger(ms)) throw new StoreError("invalid_record", "postgresStore: times must be finite epoch milliseconds");
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
    ...usageValues(r),
  ];
}

/** A row the store cannot read back as a record. */
function damaged(what: string): StoreError {
  return new StoreError("damaged_record", `postgresStore: ${what}`);
}

/** int8 arrives as a decimal string (pg), a number (PGlite) or a bigint (custom parsers); anything else is refused. */
function millis(value: unknown, column: string): number | null {
  if (value === null) return null;
  const n =
    typeof value === "string"
      ? decimal(value)
      : typeof value === "number" || typeof value === "bigint"
        ? Number(value)
        : Number.NaN;
  if (!Number.isFinite(n)) throw damaged(`unexpected value in the ${column} column`);
  return n;
}

/** An int8 column's text (`-?\d{1,16}`) as a number; NaN for anything else. Read by hand: it is on every row. */
function decimal(text: string): number {
  const start = text.charCodeAt(0) === 45 ? 1 : 0; // "-"
  const digits = text.length - start;
  if (digits < 1 || digits > 16) return Number.NaN;
  const n = digitsValue(text, start);
  if (Number.isNaN(n)) return n; // a character other than a digit
  if (digits === 16) return Number(text); // past 2^53: let Number round it as it always has
  return start === 1 ? -n : n;
}

function text(value: unknown, column: string): string {
  if (typeof value !== "string") throw damaged(`unexpected value in the ${column} column`);
  return value;
}

function nullableText(value: unknown, column: string): string | null {
  return value === null ? null : text(value, column);
}

function scopes(value: unknown): string[] {
  if (Array.isArray(value) && value.every((s) => typeof s === "string")) return value;
  throw damaged("scopes column did not arrive as an array of text (is text[] parsing disabled?)");
}

function metadata(value: unknown): Metadata {
  let parsed: unknown = value;
  if (typeof value === "string") {
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = null; // the parser's message would quote the column
    }
  }
  if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Metadata;
  throw damaged("metadata column does not hold a JSON object");
}

/**
 * A {@link KeyRecord} from a row selected with {@link COLUMN_LIST}. Throws a
 * `StoreError` with code `damaged_record` on a row that does not make a
 * well-formed record (a column of the wrong type, `metadata` that is not an
 * object, anything `isKeyRecord` refuses), so a damaged row fails closed.
 *
 * @example
 * ```ts
 * const { rows } = await client.query(`SELECT ${COLUMN_LIST} FROM t WHERE id = $1`, [id]);
 * const record = rows[0] ? toRecord(rows[0]) : null;
 * ```
 */
export function toRecord(row: Record<string, unknown>): KeyRecord {
  const record: KeyRecord = {
    id: text(row.id, "id"),
    owner: text(row.owner, "owner"),
    label: text(row.label, "label"),
    keyPrefix: text(row.key_prefix, "key_prefix"),
    last4: text(row.last4, "last4"),
    hash: text(row.hash, "hash"),
    scopes: scopes(row.scopes),
    role: nullableText(row.role, "role"),
    createdBy: nullableText(row.created_by, "created_by"),
    createdAt: millis(row.created_at, "created_at") as number,
    expiresAt: millis(row.expires_at, "expires_at"),
    disabledAt: millis(row.disabled_at, "disabled_at"),
    revokedAt: millis(row.revoked_at, "revoked_at"),
    lastUsedAt: millis(row.last_used_at, "last_used_at"),
    rotatedFrom: nullableText(row.rotated_from, "rotated_from"),
    rotatedTo: nullableText(row.rotated_to, "rotated_to"),
    metadata: metadata(row.metadata),
  };
  if (!isKeyRecord(record)) throw damaged("row is not a well-formed KeyRecord");
  return readUsage(record, row);
}
