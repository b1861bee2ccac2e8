/**
 * The kinds of event keyward emits.
 *
 * @example
 * ```ts
 * const audited: readonly KeywardEventType[] = ["key.created", "key.rotated", "key.revoked"];
 * const onEvent: EventListener = (event) => {
 *   if (audited.includes(event.type)) auditLog.push(event);
 * };
 * ```
 */
export type KeywardEventType =
  | "key.created"
  | "key.updated"
  | "key.disabled"
  | "key.enabled"
  | "key.rotated"
  | "key.revoked"
  | "key.verification_failed";

/**
 * Why a verification failed (the `code` of the failed result).
 *
 * @example
 * ```ts
 * const result = await keyward.verify(key);
 * if (!result.ok) {
 *   const reason: VerificationFailure = result.error.code; // "invalid", "revoked", …
 *   failures.set(reason, (failures.get(reason) ?? 0) + 1);
 * }
 * ```
 */
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
 *
 * @example
 * ```ts
 * const onEvent = (event: KeywardEvent) => {
 *   if (event.type === "key.verification_failed") console.warn("API key refused:", event.reason);
 *   else console.info(event.time, event.type, event.keyId, "by", event.actor?.id ?? "server");
 * };
 * const keyward = createKeyward({ store, prefix: "cho", onEvent });
 * ```
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

/**
 * Receives events; exceptions it throws are swallowed so they never break a request.
 *
 * @example
 * ```ts
 * const onEvent: EventListener = (event) => {
 *   auditLog.push(event); // a throw here would be swallowed
 * };
 * const keyward = createKeyward({ store, prefix: "cho", onEvent });
 * ```
 */
export type EventListener = (event: KeywardEvent) => void;
