import { StoreUnavailableError } from "./errors.js";
import { isValidScope } from "./scopes.js";
import type { KeyRecord, Metadata } from "./types.js";
import { normalizeIpRange } from "./usage/ip.js";
import type { RateLimit, StoredCredits } from "./usage/types.js";

/** Farthest a time can lie from 1970 and still be a `Date` (epoch ms). */
const DATE_RANGE = 8.64e15;
/** Deepest metadata read back; far above what `create` accepts, far below the stack limit. */
const MAX_DEPTH = 64;
/** Most values in one metadata tree read back (bounds a store answering with a shared-reference graph). */
const MAX_VALUES = 10_000;

const isText = (v: unknown): v is string => typeof v === "string";
const isId = (v: unknown): v is string => typeof v === "string" && v !== "";
const isNullableText = (v: unknown): v is string | null => v === null || typeof v === "string";
const isTime = (v: unknown): v is number => typeof v === "number" && v >= -DATE_RANGE && v <= DATE_RANGE;
const isNullableTime = (v: unknown): v is number | null => v === null || isTime(v);

/** An object literal (any realm), or one made with `Object.create(null)`. */
function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** Whether `value` is JSON data: null, booleans, finite numbers, strings, arrays and plain objects, bounded in depth and size. */
function isJsonTree(root: unknown): boolean {
  let budget = MAX_VALUES;
  const walk = (v: unknown, depth: number): boolean => {
    if (--budget < 0) return false;
    if (v === null || typeof v === "string" || typeof v === "boolean") return true;
    if (typeof v === "number") return Number.isFinite(v);
    if (depth >= MAX_DEPTH) return false;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) if (!walk(v[i], depth + 1)) return false;
      return true;
    }
    if (!isPlainObject(v)) return false;
    for (const k of Object.keys(v)) if (!walk(v[k], depth + 1)) return false;
    return true;
  };
  return walk(root, 0);
}

const isCount = (v: unknown, min: number): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= min;

/** A frozen copy of a stored rate limit; null when absent; undefined when damaged. */
function rateLimitOf(value: unknown): RateLimit | null | undefined {
  if (value === undefined || value === null) return null;
  if (typeof value !== "object") return undefined;
  const { limit, window } = value as Record<string, unknown>;
  return isCount(limit, 1) && isCount(window, 1) ? Object.freeze({ limit, window }) : undefined;
}

/** A frozen copy of stored credits; null when absent; undefined when damaged. */
function creditsOf(value: unknown): StoredCredits | null | undefined {
  if (value === undefined || value === null) return null;
  if (typeof value !== "object") return undefined;
  const { remaining, refill, refilledAt } = value as Record<string, unknown>;
  if (!isCount(remaining, 0) || !isNullableTime(refilledAt)) return undefined;
  if (refill === null) return Object.freeze({ remaining, refill: null, refilledAt });
  if (refill === undefined || typeof refill !== "object" || refilledAt === null) return undefined;
  const { amount, interval } = refill as Record<string, unknown>;
  if (!isCount(amount, 1) || !isCount(interval, 1)) return undefined;
  return Object.freeze({ remaining, refill: Object.freeze({ amount, interval }), refilledAt });
}

/** A frozen copy of a stored allowlist (every entry already normalised); null when absent; undefined when damaged. */
function allowedIpsOf(value: unknown): string[] | null | undefined {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || value.length === 0 || value.length > 1000) return undefined;
  const out: string[] = new Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const entry: unknown = value[i];
    if (typeof entry !== "string" || normalizeIpRange(entry) !== entry) return undefined;
    out[i] = entry;
  }
  return Object.freeze(out) as string[];
}

/** A frozen copy of `value` if it is an array of well-formed scopes. */
function scopeList(value: unknown): readonly string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: string[] = new Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const s: unknown = value[i];
    if (!isValidScope(s)) return undefined;
    out[i] = s;
  }
  return Object.freeze(out);
}

/**
 * A frozen copy of a store answer if it is a well-formed {@link KeyRecord},
 * else `undefined`. Each field is read once, so the copy is consistent even
 * if the answer's getters are not. `scopes` is copied; `metadata` is checked
 * (plain JSON data, bounded) and kept by reference. Never throws.
 *
 * Well formed: `id`, `owner` and `hash` non-empty strings; `label`,
 * `keyPrefix` and `last4` strings; `scopes` an array of valid scope strings;
 * `role`, `createdBy`, `rotatedFrom` and `rotatedTo` a string or `null`;
 * `createdAt` a number and the other times a number or `null`, every time
 * within the range of a `Date`; `metadata` a plain object holding JSON data.
 * `undefined` is never accepted where `null` belongs. The usage controls are
 * optional (absent reads as null) but must be well formed when present:
 * `ratelimit` positive integers, `credits` a non-negative integer balance
 * with a refill of positive integers (and a refill time) or none,
 * `allowedIps` a non-empty list of normalised addresses and ranges. Other
 * fields are ignored.
 *
 * @internal
 */
export function checkedRecord(value: unknown): KeyRecord | undefined {
  try {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
    const v = value as Record<keyof KeyRecord, unknown>;
    const { id, owner, label, keyPrefix, last4, hash, role, createdBy, rotatedFrom, rotatedTo } = v;
    if (!isId(id) || !isId(owner) || !isId(hash) || !isText(label) || !isText(keyPrefix) || !isText(last4)) return undefined;
    if (!isNullableText(role) || !isNullableText(createdBy) || !isNullableText(rotatedFrom) || !isNullableText(rotatedTo)) {
      return undefined;
    }
    const { createdAt, expiresAt, disabledAt, revokedAt, lastUsedAt } = v;
    if (!isTime(createdAt) || !isNullableTime(expiresAt) || !isNullableTime(disabledAt)) return undefined;
    if (!isNullableTime(revokedAt) || !isNullableTime(lastUsedAt)) return undefined;
    const scopes = scopeList(v.scopes);
    const metadata = v.metadata;
    if (scopes === undefined || !isPlainObject(metadata) || !isJsonTree(metadata)) return undefined;
    const ratelimit = rateLimitOf(v.ratelimit);
    const credits = creditsOf(v.credits);
    const allowedIps = allowedIpsOf(v.allowedIps);
    if (ratelimit === undefined || credits === undefined || allowedIps === undefined) return undefined;
    return Object.freeze({
      id,
      owner,
      label,
      keyPrefix,
      last4,
      hash,
      scopes: scopes as string[],
      role,
      createdBy,
      createdAt,
      expiresAt,
      disabledAt,
      revokedAt,
      lastUsedAt,
      rotatedFrom,
      rotatedTo,
      metadata: metadata as Metadata,
      ratelimit,
      credits,
      allowedIps,
    });
  } catch {
    return undefined; // a getter or proxy trap threw: not a record keyward can trust
  }
}

/**
 * A checked copy of a store answer that must be a record; throws
 * {@link StoreUnavailableError} (503) when it is not well formed, so nothing
 * is decided or written from a damaged record.
 *
 * @internal
 */
export function requireRecord(found: unknown): KeyRecord {
  const record = checkedRecord(found);
  if (record === undefined) throw new StoreUnavailableError(new Error("the store answered with a damaged record"));
  return record;
}

/**
 * Checked copies of a `list` answer, which must be an array of well-formed
 * records; throws {@link StoreUnavailableError} otherwise.
 *
 * @internal
 */
export function requireRecords(found: unknown): KeyRecord[] {
  let items: unknown[];
  try {
    if (!Array.isArray(found)) throw new Error("the store's list answer is not an array");
    items = Array.from(found as unknown[]);
  } catch (error) {
    throw new StoreUnavailableError(error); // includes a proxy that throws when looked at
  }
  return items.map(requireRecord);
}

/**
 * Whether the store object `value` holds the same data as `copy` (made by
 * {@link checkedRecord} from it or from an earlier read). `metadata` is
 * compared by reference, or by content with `deepMetadata`. Guards memoised
 * data against stores that edit a record in place after handing it out.
 * With `ignoreBalance`, credits count as the same when only their balance
 * (`remaining`, `refilledAt`) differs. Never throws.
 *
 * @internal
 */
export function sameRecord(value: object, copy: KeyRecord, ignoreBalance = false, deepMetadata = false): boolean {
  try {
    const v = value as KeyRecord;
    return (
      v.revokedAt === copy.revokedAt &&
      v.disabledAt === copy.disabledAt &&
      v.expiresAt === copy.expiresAt &&
      v.role === copy.role &&
      sameScopes(v.scopes, copy.scopes) &&
      v.hash === copy.hash &&
      v.id === copy.id &&
      v.owner === copy.owner &&
      v.label === copy.label &&
      v.keyPrefix === copy.keyPrefix &&
      v.last4 === copy.last4 &&
      v.createdBy === copy.createdBy &&
      v.createdAt === copy.createdAt &&
      v.lastUsedAt === copy.lastUsedAt &&
      v.rotatedFrom === copy.rotatedFrom &&
      v.rotatedTo === copy.rotatedTo &&
      (v.metadata === copy.metadata || (deepMetadata && sameJson(v.metadata, copy.metadata))) &&
      sameRateLimit(v.ratelimit, copy.ratelimit) &&
      sameCredits(v.credits, copy.credits, ignoreBalance) &&
      sameList(v.allowedIps, copy.allowedIps)
    );
  } catch {
    return false;
  }
}

const FIELDS: readonly (keyof KeyRecord)[] = [
  "id",
  "owner",
  "label",
  "keyPrefix",
  "last4",
  "hash",
  "scopes",
  "role",
  "createdBy",
  "createdAt",
  "expiresAt",
  "disabledAt",
  "revokedAt",
  "lastUsedAt",
  "rotatedFrom",
  "rotatedTo",
  "metadata",
];

/**
 * Whether nothing {@link sameRecord} compares can ever change on `value`: it
 * is frozen, every field is its own data property (no getter, nothing
 * inherited) and its `scopes` array is frozen too. Such a record (the
 * memory store's) needs no comparison on later reads. Never throws.
 *
 * @internal
 */
export function isFrozenRecord(value: object): boolean {
  try {
    if (!Object.isFrozen(value)) return false;
    for (const field of FIELDS) {
      const d = Object.getOwnPropertyDescriptor(value, field);
      if (d === undefined || !("value" in d)) return false;
    }
    const r = value as KeyRecord;
    for (const nested of [r.ratelimit, r.credits, r.credits?.refill, r.allowedIps]) {
      if (nested !== undefined && nested !== null && !Object.isFrozen(nested)) return false;
    }
    return Object.isFrozen(r.scopes);
  } catch {
    return false;
  }
}

/** Whether `value` is JSON data equal to `copy` (plain objects and arrays, compared by content). */
function sameJson(value: unknown, copy: unknown): boolean {
  if (value === copy) return true;
  if (value === null || copy === null || typeof value !== "object" || typeof copy !== "object") return false;
  if (Array.isArray(copy)) {
    if (!Array.isArray(value) || value.length !== copy.length) return false;
    for (let i = 0; i < copy.length; i++) if (!sameJson(value[i], copy[i])) return false;
    return true;
  }
  if (!isPlainObject(value)) return false;
  const keys = Object.keys(copy);
  if (Object.keys(value).length !== keys.length) return false;
  for (const k of keys) {
    if (!Object.hasOwn(value, k) || !sameJson((value as Record<string, unknown>)[k], (copy as Record<string, unknown>)[k])) {
      return false;
    }
  }
  return true;
}

function sameRateLimit(value: RateLimit | null | undefined, copy: RateLimit | null | undefined): boolean {
  if (value == null || copy == null) return value == null && copy == null;
  return value.limit === copy.limit && value.window === copy.window;
}

function sameCredits(
  value: StoredCredits | null | undefined,
  copy: StoredCredits | null | undefined,
  ignoreBalance: boolean,
): boolean {
  if (value == null || copy == null) return value == null && copy == null;
  if (!ignoreBalance && (value.remaining !== copy.remaining || value.refilledAt !== copy.refilledAt)) return false;
  const a = value.refill;
  const b = copy.refill;
  return a === null || b === null ? a === b : a.amount === b.amount && a.interval === b.interval;
}

function sameList(value: unknown, copy: readonly string[] | null | undefined): boolean {
  if (value == null || copy == null) return value == null && copy == null;
  return sameScopes(value, copy);
}

function sameScopes(value: unknown, copy: readonly string[]): boolean {
  if (!Array.isArray(value) || value.length !== copy.length) return false;
  for (let i = 0; i < copy.length; i++) if (value[i] !== copy[i]) return false;
  return true;
}

/**
 * Whether `value` is a well-formed {@link KeyRecord}: the shape keyward
 * requires of every record a store hands back. keyward checks each store
 * answer this way and fails closed on anything else (`verify` answers
 * `unavailable`, management calls throw `StoreUnavailableError`), so a store
 * should throw with a clear message rather than return a damaged record.
 * Never throws.
 *
 * Well formed: `id`, `owner` and `hash` non-empty strings; `label`,
 * `keyPrefix`, `last4` strings; `scopes` an array of valid scopes; `role`,
 * `createdBy`, `rotatedFrom`, `rotatedTo` a string or `null` (never
 * `undefined`); `createdAt` a number, the other times a number or `null`,
 * all within the range of a `Date`; `metadata` a plain object of JSON data.
 *
 * @example
 * ```ts
 * const record = decode(await db.read(hash));
 * if (record !== null && !isKeyRecord(record)) throw new Error("myStore: stored record is damaged");
 * return record;
 * ```
 */
export function isKeyRecord(value: unknown): value is KeyRecord {
  return checkedRecord(value) !== undefined;
}
