/**
 * `keyward`: the core. {@link createKeyward} builds the engine that issues,
 * verifies and manages API keys (prefixed and checksummed, stored only as a
 * hash, with scopes, roles and a role ceiling); the rest of this module is
 * what the engine and its stores share: the {@link KeyStore} contract, the
 * record types, key-format helpers for secret scanners, and the errors
 * management calls throw. Stores and framework middleware live in their own
 * entry points (`keyward/memory`, `keyward/express`, …).
 *
 * @example
 * ```ts
 * import { createKeyward } from "keyward";
 * import { memoryStore } from "keyward/memory";
 *
 * const keyward = createKeyward({ store: memoryStore(), prefix: "cho", roles: { viewer: ["jobs:read"] } });
 * const { key } = await keyward.create({ owner: "org_1", label: "CRM sync", role: "viewer" });
 * const result = await keyward.verify(key, { scopes: ["jobs:read"] });
 * if (result.ok) console.log(result.key.owner); // "org_1"
 * ```
 *
 * @module keyward
 */
export type { CacheOptions } from "./cache.js";
export { ChangeFanout, type ChangeFanoutOptions } from "./change-fanout.js";
export { type Credential, type CredentialSources, readCredential } from "./credentials.js";
export { parseDuration } from "./duration.js";
export {
  ConfigError,
  ConflictError,
  type FieldError,
  ForbiddenError,
  isKeywardError,
  KeywardError,
  NotFoundError,
  StoreError,
  type StoreErrorCode,
  StoreUnavailableError,
  ValidationError,
} from "./errors.js";
export type {
  EventListener,
  KeywardEvent,
  KeywardEventType,
  LeakAction,
  StoreOperation,
  VerificationFailure,
} from "./events.js";
export { createHasher, HMAC_TAG, type KeyHasher, SHA256_TAG } from "./hashing.js";
export { timingSafeEqual } from "./internal/timing-safe.js";
export { type ActorContext, type KeyActorOptions, keyActor } from "./key-actor.js";
export {
  assertPrefix,
  type GeneratedKey,
  generateKey,
  hasValidChecksum,
  isWellFormedKey,
  KEY_PATTERN,
  keyPattern,
} from "./key-format.js";
export {
  type ActorOption,
  type CreateInput,
  createKeyward,
  type IssuedKey,
  type KeyPage,
  Keyward,
  type KeywardOptions,
  type ListOptions,
  type UpdateInput,
} from "./keyward.js";
export type { LastUsedOptions } from "./last-used.js";
export type { LeakReport } from "./leak.js";
export { isKeyRecord } from "./record-shape.js";
export { statusOf, toApiKey } from "./records.js";
export { RoleBook, type Roles } from "./roles.js";
export { isValidScope, requireValidScopes, ScopeSet, scopesCover } from "./scopes.js";
export type {
  ChangeListener,
  KeyStore,
  ListAfter,
  ListQuery,
  MaybePromise,
  RecordPatch,
  Transition,
  Use,
} from "./store.js";
export { type Actor, type ApiKey, isKeyStatus, KEY_STATUSES, type KeyRecord, type KeyStatus, type Metadata } from "./types.js";
export { consumeUsage, refillCredits, slideWindow, windowUsed } from "./usage/consume.js";
export type { CreditsInput } from "./usage/input.js";
export { ipAllowed, ipRangeWithin, normalizeIp, normalizeIpRange } from "./usage/ip.js";
export type { UsageChange, UsageControl, UsageControls, UsagePolicy } from "./usage/policy.js";
export { type RateLimitState, rateLimitState } from "./usage/state.js";
export type {
  CreditRefill,
  RateLimit,
  RateWindow,
  StoredCredits,
  UsageOutcome,
  UsageRefusal,
  UsageRequest,
} from "./usage/types.js";
export { MAX_KEY_LENGTH, type VerifyError, type VerifyOptions, type VerifyResult, verifyError } from "./verify-result.js";
