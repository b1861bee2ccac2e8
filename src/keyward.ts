import { type CacheOptions, VerificationCache } from "./cache.js";
import { ConfigError } from "./errors.js";
import type { EventListener } from "./events.js";
import { storeErrorReporter, watchChanges } from "./feed.js";
import { createHasher, type KeyHasher } from "./hashing.js";
import { withDeadline } from "./internal/store-call.js";
import { assertPrefix } from "./key-format.js";
import { type LastUsedOptions, LastUsedTracker } from "./last-used.js";
import { handleLeak, type LeakReport } from "./leak.js";
import { type IssuedKey, KeyManager, type KeyPage } from "./management.js";
import type { ActorOption, CreateInput, ListOptions, UpdateInput } from "./management-input.js";
import { RoleBook, type Roles } from "./roles.js";
import { requireValidScopes } from "./scopes.js";
import type { KeyStore, MaybePromise } from "./store.js";
import type { Actor, ApiKey } from "./types.js";
import { configRateLimit } from "./usage/input.js";
import type { UsagePolicy } from "./usage/policy.js";
import type { RateLimit } from "./usage/types.js";
import { Verifier } from "./verifier.js";
import type { VerifyOptions, VerifyResult } from "./verify-result.js";

export type { IssuedKey, KeyPage } from "./management.js";
export type { ActorOption, CreateInput, ListOptions, UpdateInput } from "./management-input.js";

/**
 * Options of {@link createKeyward}.
 *
 * @example
 * ```ts
 * const options: KeywardOptions = {
 *   store: memoryStore(),
 *   prefix: "sk_live",
 *   pepper: [process.env.PEPPER_NEW!, process.env.PEPPER_OLD!], // current first
 *   roles: { admin: ["*"], viewer: ["jobs:read"] },
 * };
 * ```
 */
export interface KeywardOptions {
  /** Where records live: `memoryStore()`, `postgresStore()`, `redisStore()` or your own. */
  store: KeyStore;
  /** Key prefix, e.g. `cho` or `sk_live` (default `kw`). */
  prefix?: string | undefined;
  /** HMAC pepper, or a list of them, current first. Without it keys are hashed with SHA-256. */
  pepper?: string | readonly string[] | undefined;
  /** Role name → scopes. Resolved at verification time. */
  roles?: Roles | undefined;
  /** Optional scope catalog: when given, unknown scopes are a validation error. */
  scopes?: readonly string[] | undefined;
  /** Allow `update` to change scopes and role (still under the ceiling). Default false. */
  mutableScopes?: boolean | undefined;
  /** Verification cache; off by default (every verification reads the store). */
  cache?: CacheOptions | undefined;
  /** Audit events. Never receive a raw key. */
  onEvent?: EventListener | undefined;
  /** The permission an actor needs to manage keys. Default `api_keys:manage`. */
  managePermission?: string | undefined;
  /** Last-used coalescing; `false` turns last-used tracking off. */
  lastUsed?: LastUsedOptions | false | undefined;
  /** Deadline for one store call, in ms, after which it counts as unavailable. Default 2 000. */
  storeTimeout?: number | undefined;
  /**
   * Longest `gracePeriod` `rotate` accepts, in ms (a longer one is a 422),
   * from the management API and server code alike. Default 30 days; at most
   * ten years.
   */
  maxGracePeriod?: number | undefined;
  /**
   * Rate limit of every key without its own (`{ limit, window }`: at most
   * `limit` successful verifications per `window` ms, sliding). Needs a store
   * that implements `consume`. See docs/usage-control.md.
   */
  ratelimit?: RateLimit | null | undefined;
  /**
   * Decides whether an actor may widen a key's usage controls (raise a
   * limit, add credits, widen an allowlist); without it only server code
   * (no actor) may. Narrowing is always allowed.
   */
  usagePolicy?: UsagePolicy | undefined;
  /** Clock in epoch ms (tests). Default `Date.now`. */
  now?: (() => number) | undefined;
}

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
  private readonly hasher: KeyHasher;
  private readonly roleBook: RoleBook;
  private readonly lastUsed: LastUsedTracker | null;
  private readonly verifier: Verifier;
  private readonly manager: KeyManager;
  private unwatch: Promise<(() => MaybePromise<void>) | undefined> | undefined;
  private readonly timeout: number;
  private readonly onEvent: EventListener | undefined;
  private readonly clock: () => number;

  constructor(options: KeywardOptions) {
    if (!options || typeof options.store?.findByHash !== "function") {
      throw new TypeError("createKeyward: `store` must implement the KeyStore interface");
    }
    const prefix = options.prefix ?? "kw";
    assertPrefix(prefix);
    this.prefix = prefix;
    const store = options.store;
    const hasher = createHasher(options.pepper);
    this.hasher = hasher;
    const roleBook = new RoleBook(options.roles ?? {});
    this.roleBook = roleBook;
    const catalog = options.scopes ? new Set(requireValidScopes(options.scopes, "scopes")) : null;
    this.managePermission = requireValidScopes([options.managePermission ?? "api_keys:manage"], "managePermission")[0] as string;
    const timeout = options.storeTimeout ?? 2_000;
    this.timeout = timeout;
    const clock = options.now ?? Date.now;
    const onEvent = options.onEvent;
    const defaultRateLimit = configRateLimit(options.ratelimit);
    if (defaultRateLimit !== null && typeof store.consume !== "function") {
      throw new ConfigError("createKeyward: `ratelimit` needs a store that implements consume() (see docs/stores.md)");
    }
    if (options.usagePolicy !== undefined && typeof options.usagePolicy !== "function") {
      throw new ConfigError("createKeyward: `usagePolicy` must be a function");
    }
    this.clock = clock;
    this.onEvent = onEvent;
    const report = storeErrorReporter(onEvent, clock);
    const cache = options.cache ? new VerificationCache(options.cache) : null;
    const lastUsed =
      options.lastUsed === false
        ? null
        : new LastUsedTracker(store, { ...options.lastUsed, timeout: options.lastUsed?.timeout ?? timeout }, clock, (error) =>
            report("touch", error),
          );
    this.lastUsed = lastUsed;
    const verifier = new Verifier({
      store,
      prefix,
      hasher: this.hasher,
      roles: roleBook,
      cache,
      lastUsed,
      storeTimeout: timeout,
      onEvent,
      clock,
      defaultRateLimit,
    });
    this.verifier = verifier;
    this.manager = new KeyManager({
      store,
      prefix,
      hasher,
      roleBook,
      rules: { roles: roleBook.roles, catalog, mutableScopes: options.mutableScopes === true },
      managePermission: this.managePermission,
      maxGracePeriod: checkMaxGrace(options.maxGracePeriod),
      timeout,
      clock,
      onEvent,
      changed: (id) => verifier.invalidate(id),
      defaultRateLimit,
      usagePolicy: options.usagePolicy,
    });
    if (cache && store.watch) this.unwatch = watchChanges(store, cache, report);
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
  create(input: CreateInput, options: ActorOption = {}): Promise<IssuedKey> {
    return this.manager.create(input, options);
  }

  /** A key by id; null if absent or (with an actor) another owner's. */
  get(id: string, options: ActorOption = {}): Promise<ApiKey | null> {
    return this.manager.get(id, options);
  }

  /**
   * The key a raw key string belongs to, whatever its status (`active`,
   * `disabled`, `revoked` or `expired`), or null when it is not one of this
   * instance's keys: for leak response (a key found in a public repository or
   * pasted into a ticket), support tools and the CLI's `--stdin`.
   *
   * It checks the key as {@link Keyward.verify} does, in the same order: the
   * format, prefix and checksum first (a malformed key is null without a store
   * call), then one lookup per hash, current pepper first, then older
   * peppers, then no pepper. Unlike `verify` it does not authenticate: it
   * reads the store (never the cache), records no use and emits no event.
   * With an `actor`, the management permission and tenancy apply (another
   * owner's key is null). Throws {@link StoreUnavailableError} when the store
   * fails or answers with a damaged record or one under another hash.
   *
   * @example
   * ```ts
   * const leaked = await keyward.identify(rawKeyFromScanner);
   * if (leaked && leaked.status !== "revoked") await keyward.revoke(leaked.id);
   * ```
   */
  identify(key: string, options: ActorOption = {}): Promise<ApiKey | null> {
    return this.manager.identify(key, options);
  }

  /**
   * Acts on a raw key reported as leaked (by a secret scanner, by whoever
   * found it, by your support team): when it is one of this instance's keys,
   * applies `action` (`revoke` by default, `disable`, or `notify` to change
   * nothing; a revoked key stays revoked) as a server-side change, then emits
   * `key.leaked` with `url` and `source` (never the key), and returns the
   * key's record after the action. Returns null, emitting nothing, when the
   * key is not ours (malformed, another prefix, or unknown). This is what
   * `secretScanning` and `selfRevocation` of the adapters call. Throws
   * {@link StoreUnavailableError} when the store fails.
   *
   * @example
   * ```ts
   * const apiKey = await keyward.reportLeak(pastedKey, { action: "revoke", source: "support-ticket", url: ticketUrl });
   * if (apiKey) await mailer.tell(apiKey.owner, `Key ${apiKey.keyPrefix}… was revoked: it was posted publicly.`);
   * ```
   */
  reportLeak(key: string, report: LeakReport = {}): Promise<ApiKey | null> {
    const deps = {
      identify: (k: string) => this.manager.identify(k, {}),
      revoke: (id: string) => this.manager.transition(id, "revoke", {}),
      disable: (id: string) => this.manager.transition(id, "disable", {}),
      onEvent: this.onEvent,
      clock: this.clock,
    };
    return handleLeak(deps, key, report);
  }

  /** One page of an owner's keys, newest first. */
  list(owner: string, options: ListOptions = {}): Promise<KeyPage> {
    return this.manager.list(owner, options);
  }

  /** Change a key's label or metadata (and scopes or role when `mutableScopes`). */
  update(id: string, input: UpdateInput, options: ActorOption = {}): Promise<ApiKey> {
    return this.manager.update(id, input, options);
  }

  /** Temporarily switch a key off (reversible with {@link Keyward.enable}). */
  disable(id: string, options: ActorOption = {}): Promise<ApiKey> {
    return this.manager.transition(id, "disable", options);
  }

  /** Switch a disabled key back on. A revoked key cannot be enabled (409). */
  enable(id: string, options: ActorOption = {}): Promise<ApiKey> {
    return this.manager.transition(id, "enable", options);
  }

  /** Revoke a key: instant and final. Idempotent. */
  revoke(id: string, options: ActorOption = {}): Promise<ApiKey> {
    return this.manager.transition(id, "revoke", options);
  }

  /**
   * Replace a key with a new one carrying the same owner, label, role, scopes
   * and metadata. The old key keeps working for `gracePeriod` ms (default 0).
   */
  rotate(id: string, options: ActorOption & { gracePeriod?: number | undefined } = {}): Promise<IssuedKey> {
    return this.manager.rotate(id, options);
  }

  /** The roles `actor` may grant: those whose every scope it holds. */
  grantableRoles(actor: Actor): string[] {
    return this.roleBook.grantable(actor);
  }

  /**
   * The roles the management API lists (`GET /roles`): with an actor, the
   * ones it may grant, after checking that it may manage keys at all
   * (`ForbiddenError`, 403, otherwise); without one (trusted server code),
   * every role.
   *
   * @example
   * ```ts
   * keyward.listRoles({ actor: { id: "u1", owner: "org_1", role: "admin" } }); // ["admin", "viewer"]
   * keyward.listRoles({ actor: { id: "u2", owner: "org_1", role: "viewer" } }); // throws ForbiddenError
   * ```
   */
  listRoles(options: ActorOption = {}): string[] {
    return this.manager.grantableRoles(options);
  }

  /**
   * Flush pending last-used writes and stop listening to the change feed.
   * Does not close the store. Settles within `storeTimeout` (plus the
   * last-used write's own deadline) whatever the store's connections do.
   */
  async close(): Promise<void> {
    const watching = this.unwatch;
    this.unwatch = undefined;
    const stopFeed = async () => {
      const unwatch = await watching;
      await unwatch?.();
    };
    const feed = watching ? Promise.resolve(withDeadline(stopFeed(), this.timeout)).catch(() => undefined) : undefined;
    await this.lastUsed?.flush();
    await feed;
  }
}

const DAY = 24 * 3600_000;

function checkMaxGrace(value: number | undefined): number {
  if (value === undefined) return 30 * DAY;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > 3650 * DAY) {
    throw new ConfigError("maxGracePeriod must be a number of ms from 0 to ten years");
  }
  return value;
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
