import type { VerificationCache } from "./cache.js";
import type { EventListener, VerificationFailure } from "./events.js";
import type { KeyHasher } from "./hashing.js";
import { withDeadline } from "./internal/store-call.js";
import { timingSafeEqual } from "./internal/timing-safe.js";
import { isWellFormedKey } from "./key-format.js";
import type { LastUsedTracker } from "./last-used.js";
import { toApiKey } from "./records.js";
import type { RoleBook } from "./roles.js";
import { isValidScope, type ScopeSet } from "./scopes.js";
import type { KeyStore } from "./store.js";
import type { ApiKey, KeyRecord } from "./types.js";

/**
 * Longest string `verify` will look at; anything longer is refused before hashing.
 *
 * @example
 * ```ts
 * // longer values are never keys: verify() answers "malformed" without hashing them
 * if (token.length > MAX_KEY_LENGTH) return null;
 * ```
 */
export const MAX_KEY_LENGTH = 256;

/**
 * A failed verification. `message` is for logs; it never contains the key.
 *
 * @example
 * ```ts
 * const result = await keyward.verify(key);
 * if (!result.ok) {
 *   const { code, status, message }: VerifyError = result.error;
 *   console.warn(code, message); // safe to log: never holds the key
 *   res.sendStatus(status); // 401, 403 or 503
 * }
 * ```
 */
export interface VerifyError {
  code: VerificationFailure;
  status: 400 | 401 | 403 | 503;
  message: string;
}

/**
 * The outcome of {@link Keyward.verify}.
 *
 * @example
 * ```ts
 * const result: VerifyResult = await keyward.verify(req.headers["x-api-key"]);
 * if (result.ok) console.log(result.key.owner, result.scopes); // scopes: own ∪ role's
 * else console.log(result.error.code); // "missing", "invalid", "revoked", …
 * ```
 */
export type VerifyResult = { ok: true; key: ApiKey; scopes: string[] } | { ok: false; error: VerifyError };

/**
 * Options of {@link Keyward.verify}.
 *
 * @example
 * ```ts
 * const options: VerifyOptions = { scopes: ["jobs:read", "jobs:write"] }; // all of them
 * const result = await keyward.verify(key, options);
 * if (!result.ok && result.error.code === "insufficient_scope") console.log(result.error.status); // 403
 * ```
 */
export interface VerifyOptions {
  /** Scopes the key must hold (all of them). */
  scopes?: readonly string[] | undefined;
}

const FAILURES: Readonly<Record<VerificationFailure, VerifyError>> = {
  missing: { code: "missing", status: 401, message: "No API key was presented" },
  malformed: { code: "malformed", status: 401, message: "The API key is malformed or has a bad checksum" },
  invalid: { code: "invalid", status: 401, message: "The API key is not recognised" },
  disabled: { code: "disabled", status: 401, message: "The API key is disabled" },
  expired: { code: "expired", status: 401, message: "The API key has expired" },
  revoked: { code: "revoked", status: 401, message: "The API key has been revoked" },
  insufficient_scope: { code: "insufficient_scope", status: 403, message: "The API key lacks a required scope" },
  unavailable: { code: "unavailable", status: 503, message: "The key store is unavailable" },
};

interface Derived {
  roleScopes: readonly string[];
  granted: ScopeSet;
  /** When this record object's last use was handed to the tracker (a pre-filter that skips its map). */
  usedAt: number;
  /** The frozen success result, shared by every verification of this record object. */
  result: VerifyResult;
}

/** The verification hot path, kept apart from management. */
export class Verifier {
  /** Bumped after every local state change; a verify that sees it move re-reads. */
  mutations = 0;
  private readonly derived = new WeakMap<KeyRecord, Derived>();
  private readonly checkedScopes = new Set<string>();
  private lastChecked: readonly string[] | undefined;

  constructor(
    private readonly store: KeyStore,
    private readonly prefix: string,
    private readonly hasher: KeyHasher,
    private readonly roles: RoleBook,
    private readonly cache: VerificationCache | null,
    private readonly lastUsed: LastUsedTracker | null,
    private readonly timeout: number,
    private readonly onEvent: EventListener | undefined,
    private readonly clock: () => number,
  ) {}

  verify(key: unknown, options?: VerifyOptions): Promise<VerifyResult> {
    const required = options?.scopes;
    if (required !== undefined && required !== this.lastChecked) {
      try {
        this.checkScopes(required);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    if (typeof key !== "string" || key === "") return Promise.resolve(this.fail("missing", null));
    if (key.length > MAX_KEY_LENGTH || !isWellFormedKey(key, this.prefix)) return Promise.resolve(this.fail("malformed", null));
    const hash = this.hasher.hash(key);
    const cached = this.cache?.get(hash, this.clock());
    if (cached !== undefined) return Promise.resolve(this.decide(cached, hash, required));
    // synchronous stores (memory) answer without a promise: no timer, no extra tick
    let found: KeyRecord | null | Promise<KeyRecord | null>;
    try {
      found = this.read(hash);
    } catch {
      return Promise.resolve(this.fail("unavailable", null));
    }
    if (!(found instanceof Promise) && (found !== null || this.hasher.fallbacks.length === 0)) {
      return Promise.resolve(this.decide(found, hash, required));
    }
    return this.verifyAsync(key, hash, found, required);
  }

  /** The path for stores that answer with a promise, and for older peppers after a miss. */
  private async verifyAsync(
    key: string,
    hash: string,
    pending: KeyRecord | null | Promise<KeyRecord | null>,
    required: readonly string[] | undefined,
  ): Promise<VerifyResult> {
    let matched = hash;
    let record: KeyRecord | null;
    try {
      record = await this.reread(hash, pending);
      for (let i = 0; record === null && i < this.hasher.fallbacks.length; i++) {
        matched = (this.hasher.fallbacks[i] as (k: string) => string)(key);
        record = await this.reread(matched, this.read(matched));
      }
    } catch {
      return this.fail("unavailable", null);
    }
    return this.decide(record, matched, required);
  }

  /** Reads by hash through the store deadline, caching what it finds. May throw (the store threw). */
  private read(hash: string): KeyRecord | null | Promise<KeyRecord | null> {
    const cache = this.cache;
    if (cache === null) return withDeadline(this.store.findByHash(hash), this.timeout);
    const stamp = cache.stamp();
    const now = this.clock();
    const found = withDeadline(this.store.findByHash(hash), this.timeout);
    if (!(found instanceof Promise)) {
      if (found !== null) cache.set(hash, found, now, stamp);
      return found;
    }
    return found.then((record) => {
      if (record !== null) cache.set(hash, record, now, stamp);
      return record;
    });
  }

  /** Awaits a read; if a local state change landed meanwhile, reads again so it is never missed. */
  private async reread(hash: string, pending: KeyRecord | null | Promise<KeyRecord | null>): Promise<KeyRecord | null> {
    const before = this.mutations;
    const record = await pending;
    return this.mutations === before ? record : await this.read(hash);
  }

  /** Status, expiry and scope checks on the record found for `matched`. */
  private decide(record: KeyRecord | null, matched: string, required: readonly string[] | undefined): VerifyResult {
    if (record === null || !timingSafeEqual(record.hash, matched)) return this.fail("invalid", null);
    const now = this.clock();
    if (record.revokedAt !== null) return this.fail("revoked", record);
    if (record.disabledAt !== null) return this.fail("disabled", record);
    if (record.expiresAt !== null && !(record.expiresAt > now)) return this.fail("expired", record);
    const d = this.derive(record, now);
    if (required !== undefined && !d.granted.coversAll(required)) return this.fail("insufficient_scope", record);
    const tracker = this.lastUsed;
    if (tracker !== null && !(now - d.usedAt < tracker.window)) d.usedAt = tracker.record(record.id, now);
    return d.result;
  }

  /** Public view and effective scopes of a record, memoised per record object and role definition. */
  private derive(record: KeyRecord, now: number): Derived {
    const roleScopes = this.roles.scopesOf(record.role);
    const hit = this.derived.get(record);
    // records are replaced, never mutated, by every store on every change
    if (hit !== undefined && hit.roleScopes === roleScopes) return hit;
    const granted = this.roles.effective(record.scopes, record.role);
    const key = deepFreeze(toApiKey(record, now));
    const result: VerifyResult = Object.freeze({ ok: true as const, key, scopes: granted.list as string[] });
    const d: Derived = { roleScopes, granted, usedAt: Number.NEGATIVE_INFINITY, result };
    this.derived.set(record, d);
    return d;
  }

  private checkScopes(scopes: readonly string[]): void {
    for (const s of scopes) {
      if (this.checkedScopes.has(s)) continue;
      if (!isValidScope(s)) throw new TypeError("verify: malformed required scope");
      if (this.checkedScopes.size < 1024) this.checkedScopes.add(s);
    }
    this.lastChecked = scopes; // callers (middleware) pass the same array every time
  }

  private fail(reason: VerificationFailure, record: KeyRecord | null): VerifyResult {
    if (this.onEvent) {
      try {
        this.onEvent({
          type: "key.verification_failed",
          time: new Date(this.clock()).toISOString(),
          keyId: record?.id ?? null,
          owner: record?.owner ?? null,
          actor: null,
          reason,
        });
      } catch {
        // a listener's failure never changes the outcome
      }
    }
    return { ok: false, error: { ...FAILURES[reason] } };
  }
}

function deepFreeze<T extends object>(value: T): T {
  for (const v of Object.values(value)) if (v !== null && typeof v === "object") deepFreeze(v);
  return Object.freeze(value);
}
