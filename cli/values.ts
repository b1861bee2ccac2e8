import { isKeyStatus, KEY_STATUSES, type KeyStatus, type Metadata, parseDuration } from "keyward";
import { UsageError } from "./errors.js";

/** A date alone, or a date-time with an offset: the shapes keyward accepts for `expiresAt`. */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/i;

/** A duration in the core's grammar (`parseDuration`), or undefined when `text` is not one. */
function durationOf(text: string): number | undefined {
  try {
    return parseDuration(text);
  } catch {
    return undefined;
  }
}

/**
 * Parses `--expires`: a duration from now in the grammar of the core's
 * `parseDuration` (`90d`, `12h`, `30m`, `2w`, `45s`, `1.5h`), returned as
 * epoch ms, or an ISO-8601 date (`2026-06-30`, midnight UTC) or date-time
 * with an offset (`2026-06-30T12:00:00Z`), returned as given for the core to
 * read: a date that does not exist (`2026-02-30`) or lies in the past is
 * refused there (422, exit 1).
 *
 * @example
 * ```ts
 * parseExpires("90d", Date.now()); // now + 90 days
 * parseExpires("2026-06-30T12:00:00+02:00", Date.now()); // "2026-06-30T12:00:00+02:00"
 * ```
 */
export function parseExpires(value: string, now: number): number | string {
  const trimmed = value.trim();
  if (ISO_DATE.test(trimmed)) return trimmed;
  const ms = durationOf(trimmed);
  if (ms === undefined) {
    throw new UsageError(
      `--expires "${value}" is not an ISO date (2026-06-30), a date-time with an offset (2026-06-30T12:00:00Z) or a duration (90d, 12h, 2w)`,
      "create",
    );
  }
  if (ms === 0) throw new UsageError("--expires must be a positive duration", "create");
  return now + ms;
}

/** Default of `--timeout`, in ms. */
export const DEFAULT_TIMEOUT_MS = 15_000;
/** Longest `--timeout`, in ms. */
const MAX_TIMEOUT_MS = 600_000;

/**
 * Parses `--timeout`: a duration (`15s`, `500ms`, `1m`, in the grammar of the
 * core's `parseDuration`), or a bare number of seconds (`2.5`), more than 0
 * and at most 10 minutes (default 15 s). Returns milliseconds.
 *
 * @example
 * ```ts
 * parseTimeout("2.5"); // 2500
 * parseTimeout("500ms"); // 500
 * ```
 */
export function parseTimeout(value: string | undefined): number {
  if (value === undefined) return DEFAULT_TIMEOUT_MS;
  const text = value.trim();
  const ms = /^\d{1,3}(?:\.\d{1,3})?$/.test(text) ? Math.round(Number(text) * 1000) : durationOf(text);
  if (ms === undefined || !(ms > 0 && ms <= MAX_TIMEOUT_MS)) {
    throw new UsageError("--timeout must be a duration (15s, 500ms, 2m) or a number of seconds, more than 0 and at most 10m");
  }
  return ms;
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
