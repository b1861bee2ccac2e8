import type { KeyRecord, RecordPatch, UsageOutcome, UsageRequest } from "keyward";
import { StoreError } from "keyward";
import type { StoredFields } from "./fields.js";
import { Script } from "./scripts.js";

/**
 * Usage control on Redis. A key's limit, credits and allowlist are fields of
 * its record (the hash map `<namespace>:rec:{<hash>}`), and so is its rate
 * window (`rlStart`, `rlCount`, `rlPrev`): `consume` is one script on that
 * one key, in the record's Cluster slot, never a second key.
 */

/** A whole number the store can write and read back exactly, or a `StoreError`. */
function whole(value: unknown, what: string, min = 0): string {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
    throw new StoreError("invalid_record", `redisStore: ${what} must be a whole number, at least ${min}`);
  }
  return String(value);
}

/**
 * The usage-control fields of a record as field/value pairs for its hash
 * map; nothing for what the record does not have. Throws a `StoreError` with
 * code `invalid_record` for a number it cannot keep exactly.
 *
 * @example
 * ```ts
 * encodeUsage({ ...record, ratelimit: { limit: 100, window: 60_000 } }); // ["rlLimit", "100", "rlWindow", "60000"]
 * ```
 */
export function encodeUsage(record: KeyRecord): string[] {
  const out: string[] = [];
  const limit = record.ratelimit ?? null;
  if (limit !== null)
    out.push("rlLimit", whole(limit.limit, "ratelimit.limit"), "rlWindow", whole(limit.window, "ratelimit.window", 1));
  const credits = record.credits ?? null;
  if (credits !== null) {
    out.push("creditsRemaining", whole(credits.remaining, "credits.remaining"));
    if (credits.refill !== null) {
      out.push("refillAmount", whole(credits.refill.amount, "credits.refill.amount"));
      out.push("refillInterval", whole(credits.refill.interval, "credits.refill.interval", 1));
    }
    if (credits.refilledAt !== null) out.push("refilledAt", whole(credits.refilledAt, "credits.refilledAt"));
  }
  const ips = record.allowedIps ?? null;
  if (ips !== null) {
    if (!(Array.isArray(ips) && ips.every((ip) => typeof ip === "string"))) {
      throw new StoreError("invalid_record", "redisStore: allowedIps must be an array of strings");
    }
    out.push("allowedIps", JSON.stringify(ips));
  }
  return out;
}

/** The hash fields of each usage control, as {@link encodeUsage} writes them. */
const USAGE_FIELDS = {
  ratelimit: ["rlLimit", "rlWindow"],
  credits: ["creditsRemaining", "refillAmount", "refillInterval", "refilledAt"],
  allowedIps: ["allowedIps"],
} as const;

/**
 * The usage controls of an update: fields to set and fields to delete. A
 * control set to null is removed; one that is set replaces every field of it
 * (a credit balance without refill drops the old refill). The rate window's
 * counters stay.
 *
 * @example
 * ```ts
 * encodeUsagePatch({ allowedIps: ["10.0.0.0/8"] }); // { set: ["allowedIps", "[\"10.0.0.0/8\"]"], del: [] }
 * ```
 */
export function encodeUsagePatch(patch: RecordPatch): { set: string[]; del: string[] } {
  const set: string[] = [];
  const del: string[] = [];
  for (const control of ["ratelimit", "credits", "allowedIps"] as const) {
    const value = patch[control];
    if (value === undefined) continue;
    const fields = encodeUsage({ [control]: value } as unknown as KeyRecord);
    set.push(...fields);
    for (const name of USAGE_FIELDS[control]) if (!fields.includes(name)) del.push(name);
  }
  return { set, del };
}

function damaged(what: string): StoreError {
  return new StoreError("damaged_record", `redisStore: stored record ${what}`);
}

/** A whole-number field as {@link encodeUsage} or the script writes it; undefined stays null. */
function int(value: unknown, name: string): number | null {
  if (value === undefined || value === null || value === "") return null;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || String(n) !== String(value)) throw damaged(`has a malformed "${name}"`);
  return n;
}

/**
 * Sets the usage-control fields found in a record's hash map on `record`;
 * a record without them gets none. Throws a `StoreError` with code
 * `damaged_record` on a field that does not hold what it must.
 *
 * @example
 * ```ts
 * decodeUsage(record, fieldsOf(["rlLimit", "100", "rlWindow", "60000"]) as StoredFields).ratelimit; // { limit: 100, window: 60000 }
 * ```
 */
export function decodeUsage(record: KeyRecord, f: StoredFields): KeyRecord {
  const limit = int(f.rlLimit, "rlLimit");
  const window = int(f.rlWindow, "rlWindow");
  if ((limit === null) !== (window === null)) throw damaged('has only one of "rlLimit" and "rlWindow"');
  if (limit !== null && window !== null) record.ratelimit = { limit, window };
  const remaining = int(f.creditsRemaining, "creditsRemaining");
  const amount = int(f.refillAmount, "refillAmount");
  const interval = int(f.refillInterval, "refillInterval");
  if ((amount === null) !== (interval === null)) throw damaged('has only one of "refillAmount" and "refillInterval"');
  if (remaining !== null) {
    const refill = amount === null || interval === null ? null : { amount, interval };
    record.credits = { remaining, refill, refilledAt: int(f.refilledAt, "refilledAt") };
  }
  const ips = f.allowedIps;
  if (ips !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(ips);
    } catch {
      parsed = null;
    }
    if (!(Array.isArray(parsed) && parsed.every((ip) => typeof ip === "string"))) throw damaged('has a malformed "allowedIps"');
    record.allowedIps = parsed;
  }
  return record;
}

/**
 * `consumeUsage()` in Lua, on the record's own hash map. ARGV: hash, now,
 * cost, limit and window ('' and '' for no limit). Numbers are Lua doubles,
 * exact for whole numbers below 2^53, and the arithmetic is the same as the
 * reference's (`math.ceil(prev * left / len)`, `math.floor(elapsed /
 * interval)`), so the answers are the same. Written back with `%.0f`, never
 * in exponent form. Returns nil for no such record, else {outcome (0 ok,
 * 1 rate limited, 2 usage exceeded), start, count, prev, remaining,
 * refilledAt}, '' where there is none.
 */
export const CONSUME = new Script(`
local f = redis.call('HMGET', KEYS[1], 'hash', 'rlStart', 'rlCount', 'rlPrev', 'creditsRemaining', 'refillAmount', 'refillInterval', 'refilledAt')
if f[1] ~= ARGV[1] then return false end
local now, cost, limit, len = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local ws, wc, wp
if limit then
  local s = tonumber(f[2])
  if s == nil or now - s >= 2 * len then ws, wc, wp = now, 0, 0
  elseif now - s >= len then ws, wc, wp = s + len, 0, tonumber(f[3]) or 0
  else ws, wc, wp = s, tonumber(f[3]) or 0, tonumber(f[4]) or 0 end
end
local cr, ca = tonumber(f[5]), tonumber(f[8])
if cr then
  local amount, interval = tonumber(f[6]), tonumber(f[7])
  if amount and interval and ca and now - ca >= interval then
    cr = amount
    ca = ca + math.floor((now - ca) / interval) * interval
  end
end
local outcome = 0
if limit and wc + math.ceil((wp * (len - math.max(0, now - ws))) / len) + 1 > limit then outcome = 1
elseif cr and cr < cost then outcome = 2 end
if outcome == 0 then
  if limit then wc = wc + 1 end
  if cr then cr = cr - cost end
end
local function n(x) if x == nil then return '' end return string.format('%.0f', x) end
if limit then redis.call('HSET', KEYS[1], 'rlStart', n(ws), 'rlCount', n(wc), 'rlPrev', n(wp))
else redis.call('HDEL', KEYS[1], 'rlStart', 'rlCount', 'rlPrev') end
if cr then redis.call('HSET', KEYS[1], 'creditsRemaining', n(cr)) end
if ca then redis.call('HSET', KEYS[1], 'refilledAt', n(ca)) end
return {tostring(outcome), n(ws), n(wc), n(wp), n(cr), n(ca)}`);

/**
 * The ARGV of {@link CONSUME} for one request. Throws a `StoreError` with
 * code `invalid_record` for a request it cannot compute exactly.
 *
 * @example
 * ```ts
 * consumeArgs("v1:abc", { now: 1_700_000_000_000, cost: 1, ratelimit: null }); // ["v1:abc", "1700000000000", "1", "", ""]
 * ```
 */
export function consumeArgs(hash: string, request: UsageRequest): string[] {
  const limit = request.ratelimit;
  return [
    hash,
    whole(Math.floor(request.now), "now"),
    whole(request.cost, "cost"),
    limit === null ? "" : whole(limit.limit, "ratelimit.limit"),
    limit === null ? "" : whole(limit.window, "ratelimit.window", 1),
  ];
}

const REASONS = [null, "rate_limited", "usage_exceeded"] as const;

/**
 * The outcome in a {@link CONSUME} reply; null for no such record. Throws a
 * `StoreError` with code `damaged_record` on a reply it cannot read.
 *
 * @example
 * ```ts
 * parseOutcome(["0", "1700000000000", "1", "0", "", ""]); // { ok: true, reason: null, window: { … count: 1 … }, credits: null }
 * ```
 */
export function parseOutcome(reply: unknown): UsageOutcome | null {
  if (reply === null || reply === undefined || reply === false) return null; // false: Lua's false under RESP3
  if (!Array.isArray(reply) || reply.length !== 6) throw damaged("answered consume with a malformed reply");
  const [code, start, count, prev, remaining, refilledAt] = reply.map((v, i) => int(String(v), `consume reply ${i}`)) as [
    number | null,
    number | null,
    number | null,
    number | null,
    number | null,
    number | null,
  ];
  if (code !== 0 && code !== 1 && code !== 2) throw damaged("answered consume with no outcome");
  const window = start === null ? null : { start, count: count ?? 0, prev: prev ?? 0 };
  const credits = remaining === null ? null : { remaining, refilledAt: refilledAt ?? null };
  return { ok: code === 0, reason: REASONS[code], window, credits };
}
