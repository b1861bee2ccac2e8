import { StoreUnavailableError } from "./errors.js";

/**
 * The kinds of event keyward emits. `key.expiring` and `key.expired` come
 * from `keyward/webhooks`, which schedules them from the `expiresAt` of the
 * management events it sees.
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
  | "key.verification_failed"
  | "key.leaked"
  | "key.rate_limited"
  | "key.usage_exceeded"
  | "key.expiring"
  | "key.expired"
  | "store.error";

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
  | "ip_not_allowed"
  | "rate_limited"
  | "usage_exceeded"
  | "unavailable";

/**
 * What failed in the background, for a `store.error` event: a last-used
 * write (`touch`), subscribing to the change feed (`watch`) or the feed
 * dropping while subscribed (`feed`).
 *
 * @example
 * ```ts
 * const onEvent: EventListener = (event) => {
 *   if (event.type === "store.error") metrics.increment(`keyward.store_error.${event.operation satisfies StoreOperation | undefined}`);
 * };
 * ```
 */
export type StoreOperation = "touch" | "watch" | "feed";

/**
 * What keyward does with a key reported as leaked: `revoke` it (final),
 * `disable` it (reversible, for a human to decide), or only `notify` (emit
 * `key.leaked` and change nothing).
 *
 * @example
 * ```ts
 * const action: LeakAction = process.env.NODE_ENV === "production" ? "revoke" : "notify";
 * app.post("/github/secret-scanning", secretScanning(keyward, { action }));
 * ```
 */
export type LeakAction = "revoke" | "disable" | "notify";

/**
 * An audit event. Never holds the raw key or its hash. `keyId` and `owner`
 * are null when a verification failed before any key was identified, and for
 * `store.error` (a background store call failed; no request failed with it).
 * A key refused by its rate limit or for want of credits emits
 * `key.rate_limited` / `key.usage_exceeded` instead of
 * `key.verification_failed`, coalesced: at most one per key per second on
 * each instance, however many requests a flood sends (`refused` counts the
 * refusals the event stands for).
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
  /** For `key.rate_limited` and `key.usage_exceeded`: refusals of this key since its previous such event (this one included). */
  refused?: number;
  /**
   * For the events of management calls (`key.created`, `key.updated`,
   * `key.disabled`, `key.enabled`, `key.rotated`, `key.revoked`) and
   * `key.expiring` / `key.expired`: when the key expires (ISO-8601) after
   * the change, or null for never. A rotation's grace period shows here.
   */
  expiresAt?: string | null;
  /** For `key.rotated`: the id of the new key. */
  rotatedTo?: string;
  /**
   * For `key.leaked`: where the key was found (a secret scanner's `url`, e.g.
   * the GitHub file or commit), or null when the report named no place.
   */
  url?: string | null;
  /** For `key.leaked`: who reported it (`github` with its `source`, e.g. `content`, or `self-revocation`). */
  source?: string;
  /** For `key.leaked`: what was done about it (`revoke`, `disable` or `notify`: nothing changed). */
  action?: LeakAction;
  /** For `store.error`: the background store call that failed. */
  operation?: StoreOperation;
  /**
   * For `store.error`: the error's `name` and `message`, each cut to 200
   * characters, with any long token-like run (where a key or a hash could
   * hide) replaced by `[redacted]`.
   */
  error?: { name: string; message: string };
}

/**
 * Receives events. An exception it throws, or a promise it returns that
 * rejects, is swallowed, so a listener never breaks a request (and never
 * causes an unhandled rejection).
 *
 * @example
 * ```ts
 * const onEvent: EventListener = async (event) => {
 *   await auditLog.insert(event); // a throw or a rejection here is swallowed
 * };
 * const keyward = createKeyward({ store, prefix: "cho", onEvent });
 * ```
 */
export type EventListener = (event: KeywardEvent) => void;

const ignore = (): void => {};

/**
 * Hands `event` to `listener`: a throw is swallowed and a returned promise
 * gets a rejection handler, so nothing a listener does reaches the caller.
 */
export function emitEvent(listener: EventListener | undefined, event: KeywardEvent): void {
  if (listener === undefined) return;
  try {
    const returned: unknown = listener(event);
    if (returned !== undefined && typeof (returned as PromiseLike<unknown>).then === "function") {
      (returned as PromiseLike<unknown>).then(undefined, ignore);
    }
  } catch {
    // a listener's failure never changes the outcome
  }
}

/** Longest part of an error kept in a `store.error` event. */
const MAX_ERROR_TEXT = 200;
/** Runs of token characters this long may be a key, a hash or a fragment of one: never passed on. */
const TOKEN_RUN = /[A-Za-z0-9+/=_:.~-]{24,}/g;

/**
 * The `error` of a `store.error` event: name and message of what the store
 * threw (under keyward's own "store unavailable" wrapper, when it is one),
 * cut short, with anything shaped like a key or a hash redacted.
 */
export function describeError(thrown: unknown): { name: string; message: string } {
  let name = "Error";
  let message = "";
  try {
    let error = thrown;
    for (let i = 0; i < 3 && error instanceof StoreUnavailableError && error.cause !== undefined; i++) error = error.cause;
    if (error instanceof Error) {
      name = String(error.name);
      message = String(error.message);
    } else if (error !== undefined) {
      message = typeof error === "string" ? error : "a non-Error value was thrown";
    }
  } catch {
    message = "an unreadable error was thrown";
  }
  const clean = (text: string) => text.replace(TOKEN_RUN, "[redacted]").slice(0, MAX_ERROR_TEXT);
  return { name: clean(name), message: clean(message) };
}
