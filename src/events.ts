/** The kinds of event keyward emits. */
export type KeywardEventType =
  | "key.created"
  | "key.updated"
  | "key.disabled"
  | "key.enabled"
  | "key.rotated"
  | "key.revoked"
  | "key.verification_failed";

/** Why a verification failed (the `code` of the failed result). */
export type VerificationFailure =
  | "missing"
  | "malformed"
  | "invalid"
  | "disabled"
  | "expired"
  | "revoked"
  | "insufficient_scope"
  | "unavailable";

/**
 * An audit event. Never holds the raw key or its hash. `keyId` and `owner`
 * are null when a verification failed before any key was identified.
 */
export interface KeywardEvent {
  type: KeywardEventType;
  /** ISO-8601 time of the event. */
  time: string;
  keyId: string | null;
  owner: string | null;
  /** Who did it: the actor of a management call, null for server code and verifications. */
  actor: { id: string; owner: string } | null;
  /** For `key.verification_failed`: why. */
  reason?: VerificationFailure;
  /** For `key.rotated`: the id of the new key. */
  rotatedTo?: string;
}

/** Receives events; exceptions it throws are swallowed so they never break a request. */
export type EventListener = (event: KeywardEvent) => void;
