import type { KeyRecord, RateLimit, RecordPatch, StoredCredits, UsageOutcome, UsageRequest } from "keyward";
import { StoreError } from "keyward";

/**
 * The usage-control columns of a record (migration 2), in the order
 * {@link usageValues} fills them. The rate window (`rl_start`, `rl_count`,
 * `rl_prev`) and `usage_outcome` belong to `consume` and are never part of a
 * record. Internal.
 *
 * @example
 * ```ts
 * USAGE_COLUMNS[0]; // "ratelimit_limit"
 * ```
 */
export const USAGE_COLUMNS = [
  "ratelimit_limit",
  "ratelimit_window",
  "credits_remaining",
  "credits_refill_amount",
  "credits_refill_interval",
  "credits_refilled_at",
  "allowed_ips",
] as const;

/** A whole number the store can keep exactly in a `bigint` column, or a `StoreError`. */
function whole(value: unknown, what: string, min = 0): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
    throw new StoreError("invalid_record", `postgresStore: ${what} must be a whole number, at least ${min}`);
  }
  return value;
}

/**
 * The values of {@link USAGE_COLUMNS} for a record: null where the record
 * has none. Throws a `StoreError` with code `invalid_record` for a number
 * the columns cannot hold exactly.
 *
 * @example
 * ```ts
 * usageValues({ ...record, ratelimit: { limit: 100, window: 60_000 } }); // [100, 60000, null, …]
 * ```
 */
export function usageValues(r: KeyRecord): unknown[] {
  const limit = r.ratelimit ?? null;
  const credits = r.credits ?? null;
  const refill = credits?.refill ?? null;
  const ips = r.allowedIps ?? null;
  if (ips !== null && !(Array.isArray(ips) && ips.every((ip) => typeof ip === "string"))) {
    throw new StoreError("invalid_record", "postgresStore: allowedIps must be an array of strings");
  }
  return [
    limit === null ? null : whole(limit.limit, "ratelimit.limit"),
    limit === null ? null : whole(limit.window, "ratelimit.window", 1),
    credits === null ? null : whole(credits.remaining, "credits.remaining"),
    refill === null ? null : whole(refill.amount, "credits.refill.amount"),
    refill === null ? null : whole(refill.interval, "credits.refill.interval", 1),
    credits === null || credits.refilledAt === null ? null : whole(credits.refilledAt, "credits.refilledAt"),
    ips === null ? null : [...ips],
  ];
}

/** Each usage control's columns, in {@link USAGE_COLUMNS} order. */
const CONTROL_COLUMNS = { ratelimit: [0, 2], credits: [2, 6], allowedIps: [6, 7] } as const;

/**
 * The column assignments (`[column, cast, value]`) of an update's usage
 * controls: a control set to null clears its columns; one that is set
 * replaces all of them. The rate window's counters stay.
 *
 * @example
 * ```ts
 * usageAssignments({ allowedIps: ["10.0.0.0/8"] }); // [["allowed_ips", "text[]", ["10.0.0.0/8"]]]
 * ```
 */
export function usageAssignments(patch: RecordPatch): [string, string, unknown][] {
  const out: [string, string, unknown][] = [];
  for (const control of ["ratelimit", "credits", "allowedIps"] as const) {
    const value = patch[control];
    if (value === undefined) continue;
    const values = usageValues({ [control]: value } as unknown as KeyRecord);
    const [from, to] = CONTROL_COLUMNS[control];
    for (let i = from; i < to; i++) {
      out.push([USAGE_COLUMNS[i] as string, control === "allowedIps" ? "text[]" : "bigint", values[i]]);
    }
  }
  return out;
}

function damaged(what: string): StoreError {
  return new StoreError("damaged_record", `postgresStore: ${what}`);
}

/** int8 as pg (decimal string), PGlite (number) or a custom parser (bigint) hands it over; null stays null. */
function int(value: unknown, column: string): number | null {
  if (value === null || value === undefined) return null;
  const ok = (typeof value === "string" && /^-?\d{1,16}$/.test(value)) || typeof value === "number" || typeof value === "bigint";
  const n = ok ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n)) throw damaged(`unexpected value in the ${column} column`);
  return n;
}

/**
 * The usage-control fields of a row, set on `record` only where the row has
 * them (rows written before migration 2 have none). Throws a `StoreError`
 * with code `damaged_record` on a column that does not hold what it must.
 *
 * @example
 * ```ts
 * readUsage(record, row); // record.ratelimit = { limit: 100, window: 60_000 } when both columns are set
 * ```
 */
export function readUsage(record: KeyRecord, row: Record<string, unknown>): KeyRecord {
  const limit = int(row.ratelimit_limit, "ratelimit_limit");
  const window = int(row.ratelimit_window, "ratelimit_window");
  if ((limit === null) !== (window === null)) throw damaged("ratelimit_limit and ratelimit_window must be set together");
  if (limit !== null && window !== null) record.ratelimit = { limit, window } satisfies RateLimit;
  const remaining = int(row.credits_remaining, "credits_remaining");
  const amount = int(row.credits_refill_amount, "credits_refill_amount");
  const interval = int(row.credits_refill_interval, "credits_refill_interval");
  if ((amount === null) !== (interval === null))
    throw damaged("credits_refill_amount and credits_refill_interval must be set together");
  if (remaining !== null) {
    const refill = amount === null || interval === null ? null : { amount, interval };
    record.credits = {
      remaining,
      refill,
      refilledAt: int(row.credits_refilled_at, "credits_refilled_at"),
    } satisfies StoredCredits;
  }
  const ips = row.allowed_ips;
  if (ips !== null && ips !== undefined) {
    if (!(Array.isArray(ips) && ips.every((ip) => typeof ip === "string"))) throw damaged("allowed_ips is not an array of text");
    record.allowedIps = ips;
  }
  return record;
}

const REASONS = { 0: null, 1: "rate_limited", 2: "usage_exceeded" } as const;

/**
 * The values of `consumeSql` (and of the `consumeCallSql` call) for one request. Throws a `StoreError`
 * with code `invalid_record` for a request the columns cannot hold exactly.
 *
 * @example
 * ```ts
 * consumeValues("v1:abc", { now: Date.now(), cost: 1, ratelimit: null }); // ["v1:abc", 1733…, 1, null, null]
 * ```
 */
export function consumeValues(hash: string, request: UsageRequest): unknown[] {
  const limit = request.ratelimit;
  return [
    hash,
    whole(Math.floor(request.now), "now"),
    whole(request.cost, "cost"),
    limit === null ? null : whole(limit.limit, "ratelimit.limit"),
    limit === null ? null : whole(limit.window, "ratelimit.window", 1),
  ];
}

/**
 * The outcome in a `consumeSql` row (or the function's); null when no row matched. Throws
 * a `StoreError` with code `damaged_record` on a row it cannot read.
 *
 * @example
 * ```ts
 * const outcome = toOutcome(rows[0]); // { ok: true, reason: null, window: { start, count: 1, prev: 0 }, credits: null }
 * ```
 */
export function toOutcome(row: Record<string, unknown> | undefined): UsageOutcome | null {
  if (row === undefined) return null;
  const code = int(row.usage_outcome, "usage_outcome");
  if (code !== 0 && code !== 1 && code !== 2) throw damaged("consume returned no outcome");
  const start = int(row.rl_start, "rl_start");
  const remaining = int(row.credits_remaining, "credits_remaining");
  const window =
    start === null ? null : { start, count: int(row.rl_count, "rl_count") ?? 0, prev: int(row.rl_prev, "rl_prev") ?? 0 };
  const credits = remaining === null ? null : { remaining, refilledAt: int(row.credits_refilled_at, "credits_refilled_at") };
  return { ok: code === 0, reason: REASONS[code], window, credits };
}
