import { type CacheOptions, VerificationCache } from "./cache.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "./errors.js";
import type { EventListener, KeywardEvent, KeywardEventType } from "./events.js";
import { createHasher, type KeyHasher } from "./hashing.js";
import { callStore } from "./internal/store-call.js";
import { assertPrefix, generateKey } from "./key-format.js";
import { type LastUsedOptions, LastUsedTracker } from "./last-used.js";
import { toApiKey } from "./records.js";
import { RoleBook, type Roles } from "./roles.js";
import { requireValidScopes } from "./scopes.js";
import type { KeyStore, MaybePromise, Transition } from "./store.js";
import type { Actor, ApiKey, KeyRecord, KeyStatus, Metadata } from "./types.js";
import { Checker } from "./validate.js";
import { type VerifyOptions, type VerifyResult, Verifier } from "./verifier.js";

/** Options of {@link createKeyward}. */
export interface KeywardOptions {
  /** Where records live: `memoryStore()`, `postgresStore()`, `redisStore()` or your own. */
  store: KeyStore;
  /** Key prefix, e.g. `cho` or `sk_live` (default `kw`). */
  prefix?: string;
  /** HMAC pepper, or a list of them, current first. Without it keys are hashed with SHA-256. */
  pepper?: string | readonly string[];
  /** Role name → scopes. Resolved at verification time. */
  roles?: Roles;
  /** Optional scope catalog: when given, unknown scopes are a validation error. */
  scopes?: readonly string[];
  /** Allow `update` to change scopes and role (still under the ceiling). Default false. */
  mutableScopes?: boolean;
  /** Verification cache; off by default (every verification reads the store). */
  cache?: CacheOptions;
  /** Audit events. Never receive a raw key. */
  onEvent?: EventListener;
  /** The permission an actor needs to manage keys. Default `api_keys:manage`. */
  managePermission?: string;
  /** Last-used coalescing; `false` turns last-used tracking off. */
  lastUsed?: LastUsedOptions | false;
  /** Deadline for one store call, in ms, after which it counts as unavailable. Default 2 000. */
  storeTimeout?: number;
  /** Clock in epoch ms (tests). Default `Date.now`. */
  now?: () => number;
}

/** Input of {@link Keyward.create}. */
export interface CreateInput {
  /** Required without an actor; with one, the actor's owner is used (a different value is rejected). */
  owner?: string;
  label: string;
  role?: string | null;
  scopes?: string[];
  expiresAt?: Date | string | number | null;
  metadata?: Metadata;
}

/** Input of {@link Keyward.update}. */
export interface UpdateInput {
  label?: string;
  metadata?: Metadata;
  scopes?: string[];
  role?: string | null;
}

/** Options naming who performs a management operation. */
export interface ActorOption {
  /** When given: tenancy and the ceiling apply. Omit only in trusted server code. */
  actor?: Actor | null;
}

/** Options of {@link Keyward.list}. */
export interface ListOptions extends ActorOption {
  /** Page size, 1–100 (default 20). */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string | null;
  status?: KeyStatus;
}

/** A page of keys. */
export interface KeyPage {
  data: ApiKey[];
  nextCursor: string | null;
}

/** A created or rotated key: the raw key (shown once) and its public record. */
export interface IssuedKey {
  key: string;
  apiKey: ApiKey;
}

const STATUSES: readonly KeyStatus[] = ["active", "disabled", "revoked", "expired"];

/**
 * The keyward engine: issue, verify and manage API keys.
 *
 * @example
 * ```ts
 * const keyward = createKeyward({ store: memoryStore(), prefix: "cho", roles: { viewer: ["jobs:read"] } });
 * const { key } = await keyward.create({ owner: "org_1", label: "CRM sync", role: "viewer" });
 * const result = await keyward.verify(key, { scopes: ["jobs:read"] }); // { ok: true, ... }
 * ```
 */
export class Keyward {
  readonly prefix: string;
  readonly managePermission: string;
  private readonly store: KeyStore;
  private readonly hasher: KeyHasher;
  private readonly roleBook: RoleBook;
  private readonly catalog: ReadonlySet<string> | null;
  private readonly mutableScopes: boolean;
  private readonly cache: VerificationCache | null;
  private readonly lastUsed: LastUsedTracker | null;
  private readonly verifier: Verifier;
  private readonly timeout: number;
  private readonly clock: () => number;
  private readonly onEvent: EventListener | undefined;
  private unwatch: Promise<(() => MaybePromise<void>) | undefined> | undefined;

  constructor(options: KeywardOptions) {
    if (!options || typeof options.store?.findByHash !== "function") {
      throw new TypeError("createKeyward: `store` must implement the KeyStore interface");
    }
    const prefix = options.prefix ?? "kw";
    assertPrefix(prefix);
    this.prefix = prefix;
    this.store = options.store;
    this.hasher = createHasher(options.pepper);
    this.roleBook = new RoleBook(options.roles ?? {});
    this.catalog = options.scopes ? new Set(requireValidScopes(options.scopes, "scopes")) : null;
    this.mutableScopes = options.mutableScopes === true;
    this.managePermission = requireValidScopes([options.managePermission ?? "api_keys:manage"], "managePermission")[0] as string;
    this.timeout = options.storeTimeout ?? 2_000;
    this.clock = options.now ?? Date.now;
    this.onEvent = options.onEvent;
    this.cache = options.cache ? new VerificationCache(options.cache) : null;
    this.lastUsed = options.lastUsed === false ? null : new LastUsedTracker(this.store, options.lastUsed ?? {}, this.clock);
    this.verifier = new Verifier(
      this.store, prefix, this.hasher, this.roleBook, this.cache, this.lastUsed, this.timeout, this.onEvent, this.clock,
    );
    if (this.cache && this.store.watch) {
      const cache = this.cache;
      this.unwatch = Promise.resolve(
        this.store.watch({ onChange: (id) => cache.evict(id), onReset: () => cache.clear() }),
      ).catch(() => undefined);
    }
  }

  /** The roles table this instance resolves. */
  get roles(): Roles {
    return this.roleBook.roles;
  }

  /**
   * Checks a presented key. Never throws for a bad key: returns `{ ok: false, error }`.
   * Throws only for misconfiguration (a malformed required scope).
   */
  verify(key: unknown, options?: VerifyOptions): Promise<VerifyResult> {
    return this.verifier.verify(key, options);
  }

  /** Issue a key. The raw key is returned here and never again. */
  async create(input: CreateInput, options: ActorOption = {}): Promise<IssuedKey> {
    const actor = this.authorize(options.actor);
    const now = this.clock();
    const c = new Checker();
    if (input === null || typeof input !== "object") throw new ValidationError([{ field: "body", message: "must be an object" }]);
    let owner = actor?.owner;
    if (!actor) owner = c.id("owner", input.owner);
    else if (input.owner !== undefined && input.owner !== actor.owner) c.fail("owner", "must be the actor's owner");
    const label = c.label(input.label, true) as string;
    const scopes = c.scopes(input.scopes, this.catalog) ?? [];
    const role = c.role(input.role, this.roleBook.roles) ?? null;
    const expiresAt = c.expiresAt(input.expiresAt, now) ?? null;
    const metadata = c.metadata(input.metadata) ?? {};
    c.done();
    if (actor) this.ceiling(actor, scopes, role);

    const generated = generateKey(this.prefix);
    const record: KeyRecord = {
      id: crypto.randomUUID(),
      owner: owner as string,
      label,
      keyPrefix: generated.keyPrefix,
      last4: generated.last4,
      hash: this.hasher.hash(generated.key),
      scopes,
      role,
      createdBy: actor?.id ?? null,
      createdAt: now,
      expiresAt,
      disabledAt: null,
      revokedAt: null,
      lastUsedAt: null,
      rotatedFrom: null,
      rotatedTo: null,
      metadata,
    };
    await this.call(() => this.store.insert(record));
    this.emit("key.created", record, actor);
    return { key: generated.key, apiKey: toApiKey(record, now) };
  }

  /** A key by id; null if absent or (with an actor) another owner's. */
  async get(id: string, options: ActorOption = {}): Promise<ApiKey | null> {
    const actor = this.authorize(options.actor);
    const record = await this.call(() => this.store.get(String(id)));
    if (!record || (actor && record.owner !== actor.owner)) return null;
    return toApiKey(record, this.clock());
  }

  /** One page of an owner's keys, newest first. */
  async list(owner: string, options: ListOptions = {}): Promise<KeyPage> {
    const actor = this.authorize(options.actor);
    const c = new Checker();
    if (actor && owner !== actor.owner) throw new ForbiddenError("Cannot list another owner's keys");
    c.id("owner", owner);
    const limit = options.limit ?? 20;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) c.fail("limit", "must be an integer from 1 to 100");
    if (options.status !== undefined && !STATUSES.includes(options.status)) c.fail("status", `must be one of ${STATUSES.join(", ")}`);
    const after = options.cursor ? decodeCursor(options.cursor) : null;
    if (options.cursor && !after) c.fail("cursor", "is not a valid cursor");
    c.done();
    const now = this.clock();
    const query = { owner, limit: limit + 1, after, now, ...(options.status ? { status: options.status } : {}) };
    const records = await this.call(() => this.store.list(query));
    const page = records.slice(0, limit);
    const last = page[page.length - 1];
    return {
      data: page.map((r) => toApiKey(r, now)),
      nextCursor: records.length > limit && last ? encodeCursor(last) : null,
    };
  }

  /** Change a key's label or metadata (and scopes or role when `mutableScopes`). */
  async update(id: string, input: UpdateInput, options: ActorOption = {}): Promise<ApiKey> {
    const actor = this.authorize(options.actor);
    const c = new Checker();
    if (input === null || typeof input !== "object") throw new ValidationError([{ field: "body", message: "must be an object" }]);
    const label = c.label(input.label, false);
    const metadata = c.metadata(input.metadata);
    const scopes = c.scopes(input.scopes, this.catalog);
    const role = c.role(input.role, this.roleBook.roles);
    if (!this.mutableScopes) {
      if (input.scopes !== undefined) c.fail("scopes", "are immutable: revoke this key and create a new one");
      if (input.role !== undefined) c.fail("role", "is immutable: revoke this key and create a new one");
    }
    c.done();
    const current = await this.owned(id, actor);
    if (current.revokedAt !== null) throw new ConflictError();
    if (actor && (scopes !== undefined || role !== undefined)) {
      this.ceiling(actor, scopes ?? current.scopes, role === undefined ? current.role : role);
    }
    const patch = {
      ...(label !== undefined && { label }),
      ...(metadata !== undefined && { metadata }),
      ...(scopes !== undefined && { scopes }),
      ...(role !== undefined && { role }),
    };
    const after = await this.changed(current.id, () => this.store.update(current.id, patch));
    if (after.revokedAt !== null) throw new ConflictError();
    this.emit("key.updated", after, actor);
    return toApiKey(after, this.clock());
  }

  /** Temporarily switch a key off (reversible with {@link Keyward.enable}). */
  disable(id: string, options: ActorOption = {}): Promise<ApiKey> {
    return this.transition(id, "disable", options);
  }

  /** Switch a disabled key back on. A revoked key cannot be enabled (409). */
  enable(id: string, options: ActorOption = {}): Promise<ApiKey> {
    return this.transition(id, "enable", options);
  }

  /** Revoke a key: instant and final. Idempotent. */
  revoke(id: string, options: ActorOption = {}): Promise<ApiKey> {
    return this.transition(id, "revoke", options);
  }

  /**
   * Replace a key with a new one carrying the same owner, label, role, scopes
   * and metadata. The old key keeps working for `gracePeriod` ms (default 0).
   */
  async rotate(id: string, options: ActorOption & { gracePeriod?: number } = {}): Promise<IssuedKey> {
    const actor = this.authorize(options.actor);
    const grace = options.gracePeriod ?? 0;
    if (!Number.isFinite(grace) || grace < 0) throw new ValidationError([{ field: "gracePeriod", message: "must be a non-negative number of ms" }]);
    const old = await this.owned(id, actor);
    const now = this.clock();
    if (old.revokedAt !== null) throw new ConflictError();
    if (old.rotatedTo !== null) throw new ConflictError("API key was already rotated");
    if (old.expiresAt !== null && old.expiresAt <= now) throw new ConflictError("API key has expired");
    if (actor) this.ceiling(actor, old.scopes, old.role);
    const generated = generateKey(this.prefix);
    const replacement: KeyRecord = {
      ...old,
      id: crypto.randomUUID(),
      keyPrefix: generated.keyPrefix,
      last4: generated.last4,
      hash: this.hasher.hash(generated.key),
      createdBy: actor?.id ?? old.createdBy,
      createdAt: now,
      disabledAt: null,
      lastUsedAt: null,
      rotatedFrom: old.id,
      rotatedTo: null,
    };
    const after = await this.changed(old.id, () => this.store.rotate(old.id, replacement, now + grace));
    if (after.rotatedTo !== replacement.id) throw new ConflictError(after.revokedAt !== null ? undefined : "API key was already rotated");
    this.emit("key.rotated", after, actor, { rotatedTo: replacement.id });
    return { key: generated.key, apiKey: toApiKey(replacement, now) };
  }

  /** The roles `actor` may grant: those whose every scope it holds. */
  grantableRoles(actor: Actor): string[] {
    return this.roleBook.grantable(actor);
  }

  /** Flush pending last-used writes and stop listening to the change feed. Does not close the store. */
  async close(): Promise<void> {
    await this.lastUsed?.flush();
    const unwatch = await this.unwatch;
    this.unwatch = undefined;
    await unwatch?.();
  }

  private async transition(id: string, action: Transition, options: ActorOption): Promise<ApiKey> {
    const actor = this.authorize(options.actor);
    const current = await this.owned(id, actor);
    if (current.revokedAt !== null && action !== "revoke") throw new ConflictError();
    const after = await this.changed(current.id, () => this.store.transition(current.id, action, this.clock()));
    if (after.revokedAt !== null && action !== "revoke") throw new ConflictError();
    const type = action === "disable" ? "key.disabled" : action === "enable" ? "key.enabled" : "key.revoked";
    this.emit(type, after, actor);
    return toApiKey(after, this.clock());
  }

  /** Runs a state-changing store call, then makes the change visible locally before returning. */
  private async changed(id: string, call: () => MaybePromise<KeyRecord | null>): Promise<KeyRecord> {
    try {
      const after = await this.call(call);
      if (!after) throw new NotFoundError();
      return after;
    } finally {
      this.verifier.mutations++;
      this.cache?.evict(id);
      this.lastUsed?.forget(id);
    }
  }

  /** The record `id`, checked against the actor's tenancy (another owner's key is "not found"). */
  private async owned(id: string, actor: Actor | null): Promise<KeyRecord> {
    const record = typeof id === "string" && id !== "" ? await this.call(() => this.store.get(id)) : null;
    if (!record || (actor && record.owner !== actor.owner)) throw new NotFoundError();
    return record;
  }

  /** Validates an actor and its management permission; null when no actor was given. */
  private authorize(actor: Actor | null | undefined): Actor | null {
    if (actor === undefined || actor === null) return null;
    if (typeof actor !== "object" || typeof actor.id !== "string" || typeof actor.owner !== "string" || !actor.owner) {
      throw new TypeError("actor must be { id: string, owner: string, scopes?, role? }");
    }
    if (!this.roleBook.actorScopes(actor).covers(this.managePermission)) {
      throw new ForbiddenError(`Managing API keys requires the ${this.managePermission} permission`);
    }
    return actor;
  }

  /** The role ceiling: the key's effective scopes must be covered by the actor's. */
  private ceiling(actor: Actor, scopes: readonly string[], role: string | null): void {
    const held = this.roleBook.actorScopes(actor);
    if (!held.coversAll(this.roleBook.effective(scopes, role).list)) throw new ForbiddenError("Cannot grant a key scopes you do not hold");
  }

  private call<T>(fn: () => MaybePromise<T>): Promise<T> {
    return Promise.resolve(callStore(this.timeout, fn));
  }

  private emit(type: KeywardEventType, record: KeyRecord, actor: Actor | null, extra?: Partial<KeywardEvent>): void {
    if (!this.onEvent) return;
    try {
      this.onEvent({
        type,
        time: new Date(this.clock()).toISOString(),
        keyId: record.id,
        owner: record.owner,
        actor: actor ? { id: actor.id, owner: actor.owner } : null,
        ...extra,
      });
    } catch {
      // a listener's failure never fails the operation
    }
  }
}

/**
 * Creates a {@link Keyward} instance. Validates the configuration at once and
 * throws {@link ConfigError} on a bad prefix, role table or catalog.
 *
 * @example
 * ```ts
 * import { createKeyward } from "keyward";
 * import { memoryStore } from "keyward/memory";
 *
 * const keyward = createKeyward({
 *   store: memoryStore(),
 *   prefix: "cho",
 *   roles: { owner: ["*"], admin: ["jobs:*", "api_keys:manage"], viewer: ["jobs:read"] },
 * });
 * ```
 */
export function createKeyward(options: KeywardOptions): Keyward {
  return new Keyward(options);
}
