import { sha1 } from "@noble/hashes/legacy.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import type { SendCommand } from "./client.js";

/**
 * A Lua script run with EVALSHA, falling back to EVAL (which also loads it)
 * when the server answers NOSCRIPT (first use, restart, SCRIPT FLUSH, failover).
 *
 * @example
 * ```ts
 * const ping = new Script("return ARGV[1]");
 * await ping.run(send, [], ["pong"]); // "pong"
 * ```
 */
export class Script {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = bytesToHex(sha1(utf8ToBytes(source)));
  }

  async run(send: SendCommand, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return await send(["EVALSHA", this.sha, ...tail]);
    } catch (error) {
      if (!String((error as { message?: unknown } | null)?.message ?? "").startsWith("NOSCRIPT")) throw error;
      return send(["EVAL", this.source, ...tail]);
    }
  }
}

// Every script touches exactly one key (KEYS[1], a record), so it runs on one
// Redis Cluster slot. A record's state is read from field presence: a null
// field is absent. Scripts check `id` so a missing record is never created.

/** ARGV: field/value pairs. Returns 1, or 0 when the record (its hash) exists. */
export const INSERT = new Script(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1`);

/**
 * ARGV: id, channel, n, n values of field/value pairs to set, fields to delete.
 * Unless revoked: applies them and publishes. Returns the record, or nil.
 */
export const UPDATE = new Script(`
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return false end
if redis.call('HEXISTS', KEYS[1], 'revokedAt') == 0 then
  local n = tonumber(ARGV[3])
  if n > 0 then redis.call('HSET', KEYS[1], unpack(ARGV, 4, 3 + n)) end
  if #ARGV > 3 + n then redis.call('HDEL', KEYS[1], unpack(ARGV, 4 + n)) end
  redis.call('PUBLISH', ARGV[2], ARGV[1])
end
return redis.call('HGETALL', KEYS[1])`);

/**
 * ARGV: id, channel, action (disable|enable|revoke), at. Conditional on the
 * current state, so a revoke is final whatever races it. Publishes when it
 * changed something. Returns the record, or nil.
 */
export const TRANSITION = new Script(`
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return false end
local revoked = redis.call('HEXISTS', KEYS[1], 'revokedAt') == 1
local disabled = redis.call('HEXISTS', KEYS[1], 'disabledAt') == 1
local action = ARGV[3]
local changed = true
if revoked then changed = false
elseif action == 'revoke' then redis.call('HSET', KEYS[1], 'revokedAt', ARGV[4])
elseif action == 'disable' and not disabled then redis.call('HSET', KEYS[1], 'disabledAt', ARGV[4])
elseif action == 'enable' and disabled then redis.call('HDEL', KEYS[1], 'disabledAt')
else changed = false end
if changed then redis.call('PUBLISH', ARGV[2], ARGV[1]) end
return redis.call('HGETALL', KEYS[1])`);

/**
 * Rotation, step 1. ARGV: id, channel, replacement id, expiresAt. If neither
 * revoked nor rotated: sets rotatedTo and expiresAt = min(current, given)
 * and publishes. Returns {claimed 0|1, expiresAt before ('' if none), record}, or nil.
 */
export const CLAIM = new Script(`
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return false end
if redis.call('HEXISTS', KEYS[1], 'revokedAt') == 1 or redis.call('HEXISTS', KEYS[1], 'rotatedTo') == 1 then
  return {0, '', redis.call('HGETALL', KEYS[1])}
end
local before = redis.call('HGET', KEYS[1], 'expiresAt')
local current = tonumber(before)
if not before or (current ~= nil and current > tonumber(ARGV[4])) then
  redis.call('HSET', KEYS[1], 'expiresAt', ARGV[4])
end
redis.call('HSET', KEYS[1], 'rotatedTo', ARGV[3])
redis.call('PUBLISH', ARGV[2], ARGV[1])
return {1, before or '', redis.call('HGETALL', KEYS[1])}`);

/**
 * Undoes {@link CLAIM} when inserting the replacement failed. ARGV: id,
 * channel, replacement id, expiresAt before ('' if none). Only while
 * rotatedTo still names that replacement. Returns 1 if undone.
 */
export const UNCLAIM = new Script(`
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'rotatedTo') ~= ARGV[3] then return 0 end
redis.call('HDEL', KEYS[1], 'rotatedTo')
if ARGV[4] == '' then redis.call('HDEL', KEYS[1], 'expiresAt') else redis.call('HSET', KEYS[1], 'expiresAt', ARGV[4]) end
redis.call('PUBLISH', ARGV[2], ARGV[1])
return 1`);

/** ARGV: id, at. Moves lastUsedAt forward, only on a record neither disabled nor revoked. */
export const TOUCH = new Script(`
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return 0 end
if redis.call('HEXISTS', KEYS[1], 'revokedAt') == 1 or redis.call('HEXISTS', KEYS[1], 'disabledAt') == 1 then return 0 end
local current = tonumber(redis.call('HGET', KEYS[1], 'lastUsedAt'))
if current ~= nil and current >= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], 'lastUsedAt', ARGV[2])
return 1`);

/** ARGV: value. Deletes KEYS[1] only if it still holds that value. */
export const DELETE_IF = new Script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`);
