import { encodeCursor } from "./cursor.js";
import { ConfigError, ConflictError, ForbiddenError, NotFoundError, StoreUnavailableError } from "./errors.js";
import { type EventListener, emitEvent, type KeywardEvent, type KeywardEventType } from "./events.js";
import type { KeyHasher } from "./hashing.js";
import { callStore } from "./internal/store-call.js";
import { timingSafeEqual } from "./internal/timing-safe.js";
import { generateKey, isWellFormedKey } from "./key-format.js";
import {
  type ActorOption,
  type CreateInput,
  type InputRules,
  type ListOptions,
  parseCreate,
  parseGrace,
  parseList,
  parseUpdate,
  type UpdateInput,
} from "./management-input.js";
import { requireRecord, requireRecords } from "./record-shape.js";
import { toApiKey } from "./records.js";
import type { RoleBook } from "./roles.js";
import type { KeyStore, MaybePromise, Transition } from "./store.js";
import type { Actor, ApiKey, KeyRecord } from "./types.js";
import { requireNarrowing, type UsageControl, type UsageControls, type UsagePolicy } from "./usage/policy.js";
import type { RateLimit } from "./usage/types.js";

/**
 * A page of keys.
 *
 * @example
 * ```ts
 * let cursor: string | null = null;
 * do {
 *   const page: KeyPage = await keyward.list("org_1", { cursor });
 *   for (const apiKey of page.data) console.log(apiKey.label);
 *   cursor = page.nextCursor;
 * } while (cursor);
 * ```
 */
export interface KeyPage {
  data: ApiKey[];
  nextCursor: string | null;
}

/**
 * A created or rotated key: the raw key (shown once) and its public record.
 *
 * @example
 * ```ts
 * const { key, apiKey }: IssuedKey = await keyward.create({ owner: "org_1", label: "CRM sync" });
 * console.log(`Copy it now, it is shown once: ${key}`); // keep apiKey.id to manage it later
 * ```
 */
export interface IssuedKey {
  key: string;
  apiKey: ApiKey;
}

/** What {@link KeyManager} works with. */
export interface ManagerConfig {
  store: KeyStore;
  prefix: string;
  hasher: KeyHasher;
  roleBook: RoleBook;
  rules: InputRules;
  managePermission: string;
  /** Longest rotation grace period, in ms. */
  maxGracePeriod: number;
  timeout: number;
  clock: () => number;
  onEvent: EventListener | undefined;
  /** Called after every state-changing store call, before the operation returns (cache, last-used). */
  changed: (id: string) => void;
  /** The rate limit of keys without their own, or null. */
  defaultRateLimit: RateLimit | null;
  /** Decides changes by an actor that widen usage controls; without it they are refused. */
  usagePolicy: UsagePolicy | undefined;
}

const CONTROLS: readonly UsageControl[] = ["ratelimit", "credits", "allowedIps"];
const NO_CONTROLS: UsageControls = { ratelimit: null, credits: null, allowedIps: null };

/** The management operations of {@link Keyward}: tenancy, the ceiling, lifecycle and events. */
export class KeyManager {
  constructor(private readonly config: ManagerConfig) {}

  async create(input: CreateInput, options: ActorOption): Promise<IssuedKey> {
    const { hasher, prefix, store } = this.config;
    const actor = this.authorize(options.actor);
    const now = this.config.clock();
    const fields = parseCreate(input, actor, now, this.config.rules);
    if (actor) this.ceiling(actor, fields.scopes, fields.role);
    const controls: UsageControls = { ratelimit: fields.ratelimit, credits: fields.credits, allowedIps: fields.allowedIps };
    this.requireConsume(controls);
    if (actor) {
      const changed = new Set(CONTROLS.filter((c) => controls[c] !== null));
      const change = { actor, operation: "create", keyId: null, owner: fields.owner, before: null, after: controls } as const;
      requireNarrowing(change, NO_CONTROLS, changed, this.config.defaultRateLimit, this.config.usagePolicy);
    }
    const generated = generateKey(prefix);
    const record: KeyRecord = {
      id: crypto.randomUUID(),
      owner: fields.owner,
      label: fields.label,
      keyPrefix: generated.keyPrefix,
      last4: generated.last4,
      hash: hasher.hash(generated.key),
      scopes: fields.scopes,
      role: fields.role,
      createdBy: actor?.id ?? null,
      createdAt: now,
      expiresAt: fields.expiresAt,
      disabledAt: null,
      revokedAt: null,
      lastUsedAt: null,
      rotatedFrom: null,
      rotatedTo: null,
      metadata: fields.metadata,
      ...(controls.ratelimit && { ratelimit: controls.ratelimit }),
      ...(controls.credits && { credits: controls.credits }),
      ...(controls.allowedIps && { allowedIps: controls.allowedIps }),
    };
    await this.call(() => store.insert(record));
    this.emit("key.created", record, actor);
    return { key: generated.key, apiKey: toApiKey(record, now) };
  }

  async get(id: string, options: ActorOption): Promise<ApiKey | null> {
    const actor = this.authorize(options.actor);
    const wanted = String(id);
    const record = await this.read(wanted, () => this.config.store.get(wanted));
    if (!record || (actor && record.owner !== actor.owner)) return null;
    return view(record, this.config.clock());
  }

  /**
   * The record a raw key belongs to, whatever its status. The checks of
   * `verify` in the same order: the key's format and checksum (a malformed
   * key is null with no store call), then one lookup per hash the hasher
   * knows, current pepper first. Reads the store, never the cache; records
   * no use and emits no event.
   */
  async identify(key: unknown, options: ActorOption): Promise<ApiKey | null> {
    const actor = this.authorize(options.actor);
    const { hasher, prefix, store } = this.config;
    // isWellFormedKey checks the exact length first, so no oversized string is hashed
    if (typeof key !== "string" || !isWellFormedKey(key, prefix)) return null;
    for (const hashOf of [hasher.hash, ...hasher.fallbacks]) {
      const hash = hashOf(key);
      const found: unknown = await this.call(() => store.findByHash(hash));
      if (found === null) continue;
      const record = requireRecord(found);
      // as in verify: a record under another hash than the one asked for is a wrong answer
      if (!timingSafeEqual(record.hash, hash)) {
        throw new StoreUnavailableError(new Error("the store answered with a record under another hash"));
      }
      return actor && record.owner !== actor.owner ? null : view(record, this.config.clock());
    }
    return null;
  }

  async list(owner: string, options: ListOptions): Promise<KeyPage> {
    const actor = this.authorize(options.actor);
    if (actor && owner !== actor.owner) throw new ForbiddenError("Cannot list another owner's keys");
    const { limit, ...rest } = parseList(owner, options);
    const now = this.config.clock();
    const answer: unknown = await this.call(() => this.config.store.list({ owner, limit: limit + 1, now, ...rest }));
    const records = requireRecords(answer);
    if (records.some((r) => r.owner !== owner))
      throw new StoreUnavailableError(new Error("the store listed another owner's key"));
    const page = records.slice(0, limit);
    const last = page[page.length - 1];
    return {
      data: page.map((r) => view(r, now)),
      nextCursor: records.length > limit && last ? encodeCursor(last) : null,
    };
  }

  async update(id: string, input: UpdateInput, options: ActorOption): Promise<ApiKey> {
    const actor = this.authorize(options.actor);
    const patch = parseUpdate(input, this.config.rules, this.config.clock());
    const current = await this.owned(id, actor);
    if (current.revokedAt !== null) throw new ConflictError();
    if (actor && (patch.scopes !== undefined || patch.role !== undefined)) {
      this.ceiling(actor, patch.scopes ?? current.scopes, patch.role === undefined ? current.role : patch.role);
    }
    const changed = new Set(CONTROLS.filter((c) => patch[c] !== undefined));
    if (changed.size > 0) {
      const before = controlsOf(current);
      const after: UsageControls = {
        ratelimit: patch.ratelimit === undefined ? before.ratelimit : patch.ratelimit,
        credits: patch.credits === undefined ? before.credits : patch.credits,
        allowedIps: patch.allowedIps === undefined ? before.allowedIps : patch.allowedIps,
      };
      this.requireConsume(after);
      if (actor) {
        const change = { actor, operation: "update", keyId: current.id, owner: current.owner, before, after } as const;
        requireNarrowing(change, before, changed, this.config.defaultRateLimit, this.config.usagePolicy);
      }
    }
    const after = await this.changing(current.id, () => this.config.store.update(current.id, patch));
    if (after.revokedAt !== null) throw new ConflictError();
    this.emit("key.updated", after, actor);
    return view(after, this.config.clock());
  }

  async transition(id: string, action: Transition, options: ActorOption): Promise<ApiKey> {
    const actor = this.authorize(options.actor);
    const current = await this.owned(id, actor);
    if (current.revokedAt !== null && action !== "revoke") throw new ConflictError();
    const after = await this.changing(current.id, () => this.config.store.transition(current.id, action, this.config.clock()));
    if (after.revokedAt !== null && action !== "revoke") throw new ConflictError();
    const type = action === "disable" ? "key.disabled" : action === "enable" ? "key.enabled" : "key.revoked";
    this.emit(type, after, actor);
    return view(after, this.config.clock());
  }

  async rotate(id: string, options: ActorOption & { gracePeriod?: number }): Promise<IssuedKey> {
    const actor = this.authorize(options.actor);
    const grace = parseGrace(options.gracePeriod, this.config.maxGracePeriod);
    const old = await this.owned(id, actor);
    const now = this.config.clock();
    if (old.revokedAt !== null) throw new ConflictError();
    if (old.rotatedTo !== null) throw new ConflictError("API key was already rotated");
    if (old.expiresAt !== null && old.expiresAt <= now) throw new ConflictError("API key has expired");
    if (actor) this.ceiling(actor, old.scopes, old.role);
    const generated = generateKey(this.config.prefix);
    const replacement: KeyRecord = {
      ...old,
      id: crypto.randomUUID(),
      keyPrefix: generated.keyPrefix,
      last4: generated.last4,
      hash: this.config.hasher.hash(generated.key),
      createdBy: actor?.id ?? old.createdBy,
      createdAt: now,
      disabledAt: null,
      lastUsedAt: null,
      rotatedFrom: old.id,
      rotatedTo: null,
    };
    const after = await this.changing(old.id, () => this.config.store.rotate(old.id, replacement, now + grace));
    if (after.rotatedTo !== replacement.id)
      throw new ConflictError(after.revokedAt !== null ? undefined : "API key was already rotated");
    // the balance moved to the replacement: the old key spends none of it during the grace period
    if (old.credits && grace > 0) {
      await this.changing(old.id, () =>
        this.config.store.update(old.id, { credits: { remaining: 0, refill: null, refilledAt: null } }),
      );
    }
    this.emit("key.rotated", after, actor, { rotatedTo: replacement.id });
    return { key: generated.key, apiKey: view(replacement, now) };
  }

  /**
   * The roles the management API lists: with an actor, those it may grant
   * (after checking its management permission); without, every role.
   */
  grantableRoles(options: ActorOption): string[] {
    const actor = this.authorize(options.actor);
    const { roleBook } = this.config;
    return actor ? roleBook.grantable(actor) : Object.keys(roleBook.roles);
  }

  /** Runs a state-changing store call, then makes the change visible locally before returning. */
  private async changing(id: string, call: () => MaybePromise<KeyRecord | null>): Promise<KeyRecord> {
    try {
      const after = await this.read(id, call);
      if (!after) throw new NotFoundError();
      return after;
    } finally {
      this.config.changed(id);
    }
  }

  /** The record `id`, checked against the actor's tenancy (another owner's key is "not found"). */
  private async owned(id: string, actor: Actor | null): Promise<KeyRecord> {
    const record = typeof id === "string" && id !== "" ? await this.read(id, () => this.config.store.get(id)) : null;
    if (!record || (actor && record.owner !== actor.owner)) throw new NotFoundError();
    return record;
  }

  /**
   * A store answer about record `id`: null, or a checked copy of a
   * well-formed record with that id. Anything else means the store is
   * damaged: {@link StoreUnavailableError}, and nothing is written from it.
   */
  private async read(id: string, call: () => MaybePromise<KeyRecord | null>): Promise<KeyRecord | null> {
    const found: unknown = await this.call(call);
    if (found === null) return null;
    const record = requireRecord(found);
    if (record.id !== id) throw new StoreUnavailableError(new Error("the store answered with another record than asked for"));
    return record;
  }

  /** Validates an actor and its management permission; null when no actor was given. */
  private authorize(actor: Actor | null | undefined): Actor | null {
    if (actor === undefined || actor === null) return null;
    if (typeof actor !== "object" || typeof actor.id !== "string" || typeof actor.owner !== "string" || !actor.owner) {
      throw new TypeError("actor must be { id: string, owner: string, scopes?, role? }");
    }
    const permission = this.config.managePermission;
    if (!this.config.roleBook.actorScopes(actor).covers(permission)) {
      throw new ForbiddenError(`Managing API keys requires the ${permission} permission`);
    }
    return actor;
  }

  /** The role ceiling: the key's effective scopes must be covered by the actor's. */
  private ceiling(actor: Actor, scopes: readonly string[], role: string | null): void {
    const { roleBook } = this.config;
    if (!roleBook.actorScopes(actor).coversAll(roleBook.effective(scopes, role).list)) {
      throw new ForbiddenError("Cannot grant a key scopes you do not hold");
    }
  }

  /**
   * Usage controls need a store that implements `consume`: rate limits and
   * credits call it, and a store without it may not keep an allowlist
   * either (a key that silently lost its allowlist would work from anywhere).
   */
  private requireConsume(controls: UsageControls): void {
    const any = controls.ratelimit !== null || controls.credits !== null || controls.allowedIps !== null;
    if (any && typeof this.config.store.consume !== "function") {
      throw new ConfigError("rate limits, credits and IP allowlists need a store that implements consume() (see docs/stores.md)");
    }
  }

  private call<T>(fn: () => MaybePromise<T>): Promise<T> {
    return Promise.resolve(callStore(this.config.timeout, fn));
  }

  private emit(type: KeywardEventType, record: KeyRecord, actor: Actor | null, extra?: Partial<KeywardEvent>): void {
    const { onEvent, clock } = this.config;
    if (!onEvent) return;
    emitEvent(onEvent, {
      type,
      time: new Date(clock()).toISOString(),
      keyId: record.id,
      owner: record.owner,
      actor: actor ? { id: actor.id, owner: actor.owner } : null,
      expiresAt: record.expiresAt === null ? null : new Date(record.expiresAt).toISOString(),
      ...extra,
    });
  }
}

function controlsOf(record: KeyRecord): UsageControls {
  return { ratelimit: record.ratelimit ?? null, credits: record.credits ?? null, allowedIps: record.allowedIps ?? null };
}

/** The public view of a checked record (a metadata getter that changes its mind counts as damage). */
function view(record: KeyRecord, now: number): ApiKey {
  try {
    return toApiKey(record, now);
  } catch (error) {
    throw new StoreUnavailableError(error);
  }
}
