import { isKeyStatus, KEY_STATUSES, type KeyStatus, type Metadata } from "keyward";
import { UsageError } from "./errors.js";

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DURATION = /^(\d{1,6})([smhdw])$/;
/** A date alone, or a date-time with an offset: the shapes keyward accepts for `expiresAt`. */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/i;

/**
 * Parses `--expires`: a duration from now (`90d`, `12h`, `30m`, `2w`, `45s`),
 * returned as epoch ms, or an ISO-8601 date (`2026-06-30`, midnight UTC) or
 * date-time with an offset (`2026-06-30T12:00:00Z`), returned as given for
 * the core to read: a date that does not exist (`2026-02-30`) or lies in the
 * past is refused there (422, exit 1).
 *
 * @example
 * ```ts
 * parseExpires("90d", Date.now()); // now + 90 days
 * parseExpires("2026-06-30T12:00:00+02:00", Date.now()); // "2026-06-30T12:00:00+02:00"
 * ```
 */
export function parseExpires(value: string, now: number): number | string {
  const trimmed = value.trim();
  const duration = DURATION.exec(trimmed);
  if (duration) {
    const amount = Number(duration[1]);
    if (amount === 0) throw new UsageError("--expires must be a positive duration", "create");
    return now + amount * (UNIT_MS[duration[2] as string] as number);
  }
  if (!ISO_DATE.test(trimmed)) {
    throw new UsageError(
      `--expires "${value}" is not an ISO date (2026-06-30), a date-time with an offset (2026-06-30T12:00:00Z) or a duration (90d, 12h, 2w)`,
      "create",
    );
  }
  return trimmed;
}

/** Default of `--timeout`, in seconds. */
export const DEFAULT_TIMEOUT_SECONDS = 15;

/**
 * Parses `--timeout`: seconds, more than 0 and at most 600 (default 15).
 * Returns milliseconds.
 *
 * @example
 * ```ts
 * parseTimeout("2.5"); // 2500
 * ```
 */
export function parseTimeout(value: string | undefined): number {
  if (value === undefined) return DEFAULT_TIMEOUT_SECONDS * 1000;
  const seconds = /^\d{1,3}(?:\.\d{1,3})?$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!(seconds > 0 && seconds <= 600))
    throw new UsageError("--timeout must be a number of seconds, more than 0 and at most 600");
  return Math.round(seconds * 1000);
}

/**
 * Parses `--metadata`: a JSON object.
 *
 * @example
 * ```ts
 * parseMetadata('{"ticket":"OPS-12"}'); // { ticket: "OPS-12" }
 * ```
 */
export function parseMetadata(value: string): Metadata {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new UsageError("--metadata must be valid JSON", "create");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new UsageError("--metadata must be a JSON object", "create");
  }
  return parsed as Metadata;
}

/**
 * Splits `--scopes a,b` into a list (blanks dropped; each scope is validated by the core).
 *
 * @example
 * ```ts
 * parseScopes("jobs:read, jobs:write"); // ["jobs:read", "jobs:write"]
 * ```
 */
export function parseScopes(value: string): string[] {
  const scopes = value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (scopes.length === 0) {
    throw new UsageError("--scopes needs at least one scope, e.g. --scopes jobs:read,jobs:write", "create");
  }
  return scopes;
}

/**
 * Parses `--limit`: an integer from 1 to 100.
 *
 * @example
 * ```ts
 * parseLimit("50"); // 50
 * ```
 */
export function parseLimit(value: string): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new UsageError("--limit must be an integer from 1 to 100", "list");
  return n;
}

/**
 * Checks `--status`.
 *
 * @example
 * ```ts
 * parseStatus("revoked"); // "revoked"
 * ```
 */
export function parseStatus(value: string): KeyStatus {
  if (!isKeyStatus(value)) throw new UsageError(`--status must be one of ${KEY_STATUSES.join(", ")}`, "list");
  return value;
}
