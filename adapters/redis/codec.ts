import type { KeyRecord, RecordPatch } from "keyward";
import { isKeyRecord, StoreError } from "keyward";
import { digitsValue } from "../shared/digits.js";
import { fieldsOf } from "./fields.js";
import { decodeUsage, encodeUsage, encodeUsagePatch } from "./usage.js";

/**
 * Key names under one namespace (`redisStore({ namespace })`). Every name puts the value it is looked up by in
 * a hash tag (`{…}`), so each record is one key in one Redis Cluster slot and
 * every script touches exactly one key.
 *
 * @example
 * ```ts
 * const keys = new KeyNames("keyward");
 * keys.record("v1:abc"); // "keyward:rec:{v1:abc}"
 * ```
 */
export class KeyNames {
  constructor(readonly prefix: string) {}

  /** The record itself, a hash map, named by the key's hash (the verify lookup). */
  record(hash: string): string {
    return `${this.prefix}:rec:{${hash}}`;
  }

  /** id → hash, written once with SET NX, never changed. */
  id(id: string): string {
    return `${this.prefix}:id:{${id}}`;
  }

  /** The owner's records, a sorted set read with ZREVRANGEBYLEX (see {@link ownerMember}). */
  owner(owner: string): string {
    return `${this.prefix}:own:{${owner}}`;
  }

  /** The pub/sub channel every change is published on (the record id as message). */
  get channel(): string {
    return `${this.prefix}:changes`;
  }
}

const MAX_CREATED_AT = Number.MAX_SAFE_INTEGER; // 16 digits
const NUMBER_FIELDS = ["createdAt", "expiresAt", "disabledAt", "revokedAt", "lastUsedAt"] as const;
const NULLABLE_FIELDS = ["role", "createdBy", "rotatedFrom", "rotatedTo"] as const;
const STRING_FIELDS = ["id", "owner", "label", "keyPrefix", "last4", "hash"] as const;

/** A record the store cannot hold as given. */
function invalid(what: string): StoreError {
  return new StoreError("invalid_record", `redisStore: ${what}`);
}

/** A stored record the store cannot read back. */
function damaged(what: string): StoreError {
  return new StoreError("damaged_record", `redisStore: stored record ${what}`);
}

function pad(createdAt: number): string {
  return String(createdAt).padStart(16, "0");
}

/**
 * Member of the owner index: `<createdAt, 16 digits>:<id>\0<hash>`. Byte order
 * of members is createdAt then id, so ZREVRANGEBYLEX lists newest first, ties
 * by id descending; the hash lets `list` read records without another lookup.
 * Throws a `StoreError` with code `invalid_record` for a `createdAt` or an
 * `id` it cannot order by.
 *
 * @example
 * ```ts
 * ownerMember(record); // "0001700000000000:9b1d…\u0000v1:abc"
 * ```
 */
export function ownerMember(record: Pick<KeyRecord, "createdAt" | "id" | "hash">): string {
  const { createdAt, id } = record;
  if (!Number.isSafeInteger(createdAt) || createdAt < 0 || createdAt > MAX_CREATED_AT) {
    throw invalid("createdAt must be a non-negative integer number of epoch ms");
  }
  if (id === "" || id.includes("\0")) throw invalid("id must be non-empty and hold no NUL");
  return `${pad(createdAt)}:${id}\0${record.hash}`;
}

/**
 * The exclusive ZREVRANGEBYLEX upper bound for "strictly after `after`" in
 * list order; null when nothing can come after it.
 *
 * @example
 * ```ts
 * listBound({ createdAt: 1_700_000_000_000, id: "abc" }); // "(0001700000000000:abc"
 * ```
 */
export function listBound(after: { createdAt: number; id: string } | null): string | null {
  if (after === null) return "+";
  if (after.createdAt < 0) return null;
  return `(${pad(after.createdAt)}:${after.id}`;
}

/**
 * The hash a member of the owner index points to.
 *
 * @example
 * ```ts
 * hashOfMember(ownerMember(record)) === record.hash; // true
 * ```
 */
export function hashOfMember(member: string): string {
  return member.slice(member.indexOf("\0") + 1);
}

/**
 * A record as a flat list of hash-map fields and values. Numbers are decimal
 * strings, `scopes`, `metadata` and `allowedIps` JSON, the rate limit and
 * credits one field per number; a null field is left out, so Lua
 * tests presence (`HEXISTS revokedAt`) to read state. Throws a `StoreError`
 * with code `invalid_record` for a time that is not a finite number (it
 * could not be read back).
 *
 * @example
 * ```ts
 * await send(["HSET", keys.record(record.hash), ...encodeRecord(record)]);
 * ```
 */
export function encodeRecord(record: KeyRecord): string[] {
  const out: string[] = ["v", "1"];
  for (const f of STRING_FIELDS) out.push(f, String(record[f]));
  for (const f of NUMBER_FIELDS) {
    const value = record[f];
    if (value === null) continue;
    if (!Number.isFinite(value)) throw invalid(`${f} must be a finite number of epoch ms`);
    out.push(f, String(value));
  }
  for (const f of NULLABLE_FIELDS) if (record[f] !== null) out.push(f, String(record[f]));
  out.push("scopes", JSON.stringify(record.scopes), "metadata", JSON.stringify(record.metadata ?? {}));
  out.push(...encodeUsage(record));
  return out;
}

/**
 * A patch as fields to set and fields to delete (`role: null`).
 *
 * @example
 * ```ts
 * encodePatch({ label: "CI", role: null }); // { set: ["label", "CI"], del: ["role"] }
 * ```
 */
export function encodePatch(patch: RecordPatch): { set: string[]; del: string[] } {
  const set: string[] = [];
  const del: string[] = [];
  if (patch.label !== undefined) set.push("label", patch.label);
  if (patch.metadata !== undefined) set.push("metadata", JSON.stringify(patch.metadata));
  if (patch.scopes !== undefined) set.push("scopes", JSON.stringify(patch.scopes));
  if (patch.role === null) del.push("role");
  else if (patch.role !== undefined) set.push("role", patch.role);
  const usage = encodeUsagePatch(patch);
  set.push(...usage.set);
  del.push(...usage.del);
  return { set, del };
}

/** A time field as written by {@link encodeRecord}: the decimal form of a finite number, nothing looser. */
function time(name: string, value: string): number {
  // the usual case, epoch ms: up to 15 digits, no leading zero, read exactly without a round trip through String
  const length = value.length;
  if (length > 0 && length < 16 && (length === 1 || value.charCodeAt(0) !== 48)) {
    const n = digitsValue(value, 0);
    if (!Number.isNaN(n)) return n; // digits only
  }
  const n = Number(value);
  if (!Number.isFinite(n) || String(n) !== value) throw damaged(`has a malformed "${name}"`);
  return n;
}

/** A JSON field, parsed and checked against what it must hold. */
function parsed<T>(name: string, value: string, ok: (v: unknown) => v is T): T {
  // most keys have no metadata; some no scopes
  if (value === "{}" || value === "[]") {
    const empty: unknown = value === "{}" ? {} : [];
    if (ok(empty)) return empty;
  }
  let v: unknown;
  try {
    v = JSON.parse(value);
  } catch {
    throw damaged(`has a malformed "${name}" (not JSON)`);
  }
  if (!ok(v)) throw damaged(`has a malformed "${name}"`);
  return v;
}

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === "string");
const isObject = (v: unknown): v is KeyRecord["metadata"] => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * The record in an HGETALL reply; null for an empty reply (no such key).
 * Throws a `StoreError` with code `damaged_record` on a record it cannot read — a missing field, a time that is not a
 * number, `scopes` that is not an array of strings, `metadata` that is not an
 * object, or anything else `isKeyRecord` refuses — so a damaged record
 * fails closed.
 *
 * @example
 * ```ts
 * const record = decodeRecord(await send(["HGETALL", keys.record(hash)]));
 * ```
 */
export function decodeRecord(reply: unknown): KeyRecord | null {
  const f = fieldsOf(reply);
  if (f === null) return null;
  const record: KeyRecord = {
    id: text("id", f.id),
    owner: text("owner", f.owner),
    label: text("label", f.label),
    keyPrefix: text("keyPrefix", f.keyPrefix),
    last4: text("last4", f.last4),
    hash: text("hash", f.hash),
    scopes: parsed("scopes", text("scopes", f.scopes), isStringArray),
    role: f.role ?? null,
    createdBy: f.createdBy ?? null,
    createdAt: time("createdAt", text("createdAt", f.createdAt)),
    expiresAt: f.expiresAt === undefined ? null : time("expiresAt", f.expiresAt),
    disabledAt: f.disabledAt === undefined ? null : time("disabledAt", f.disabledAt),
    revokedAt: f.revokedAt === undefined ? null : time("revokedAt", f.revokedAt),
    lastUsedAt: f.lastUsedAt === undefined ? null : time("lastUsedAt", f.lastUsedAt),
    rotatedFrom: f.rotatedFrom ?? null,
    rotatedTo: f.rotatedTo ?? null,
    metadata: parsed("metadata", text("metadata", f.metadata), isObject),
  };
  if (!isKeyRecord(record)) throw damaged("is not a well-formed KeyRecord");
  return decodeUsage(record, f);
}

/** A field every record has. */
function text(name: string, value: string | undefined): string {
  if (value === undefined) throw damaged(`lacks "${name}"`);
  return value;
}
