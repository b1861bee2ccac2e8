import type { KeyStatus, Metadata } from "keyward";
import { UsageError } from "./errors.js";

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DURATION = /^(\d{1,6})([smhdw])$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;
const STATUSES: readonly KeyStatus[] = ["active", "disabled", "revoked", "expired"];

/**
 * Parses `--expires`: an ISO-8601 date (`2026-06-30`, `2026-06-30T12:00:00Z`)
 * or a duration from now (`90d`, `12h`, `30m`, `2w`, `45s`). Returns epoch ms.
 * A date in the past is left to the core to reject (422).
 *
 * @example
 * ```ts
 * parseExpires("90d", Date.now()); // now + 90 days
 * ```
 */
export function parseExpires(value: string, now: number): number {
  const trimmed = value.trim();
  const duration = DURATION.exec(trimmed);
  if (duration) {
    const amount = Number(duration[1]);
    if (amount === 0) throw new UsageError("--expires must be a positive duration", "create");
    return now + amount * (UNIT_MS[duration[2] as string] as number);
  }
  const ms = ISO_DATE.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new UsageError(
      `--expires "${value}" is not an ISO date (2026-06-30, 2026-06-30T12:00:00Z) or a duration (90d, 12h, 2w)`,
      "create",
    );
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
  if (!(STATUSES as readonly string[]).includes(value)) {
    throw new UsageError(`--status must be one of ${STATUSES.join(", ")}`, "list");
  }
  return value as KeyStatus;
}
