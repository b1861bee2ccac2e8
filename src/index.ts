export type { CacheOptions } from "./cache.js";
export {
  ConfigError,
  ConflictError,
  type FieldError,
  ForbiddenError,
  KeywardError,
  NotFoundError,
  StoreUnavailableError,
  ValidationError,
} from "./errors.js";
export type { EventListener, KeywardEvent, KeywardEventType, VerificationFailure } from "./events.js";
export { createHasher, HMAC_TAG, type KeyHasher, SHA256_TAG } from "./hashing.js";
export { timingSafeEqual } from "./internal/timing-safe.js";
export { type KeyActorOptions, keyActor } from "./key-actor.js";
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
export { statusOf, toApiKey } from "./records.js";
export { RoleBook, type Roles } from "./roles.js";
export { isValidScope, ScopeSet } from "./scopes.js";
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
export type { Actor, ApiKey, KeyRecord, KeyStatus, Metadata } from "./types.js";
export { MAX_KEY_LENGTH, type VerifyError, type VerifyOptions, type VerifyResult } from "./verifier.js";
