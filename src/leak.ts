import { ConflictError, ValidationError } from "./errors.js";
import { type EventListener, emitEvent, type LeakAction } from "./events.js";
import type { ApiKey } from "./types.js";

/**
 * A report of a leaked key, as {@link Keyward.reportLeak} takes it.
 *
 * @example
 * ```ts
 * const report: LeakReport = { action: "revoke", url: "https://github.com/acme/app/blob/abc/.env", source: "github:content" };
 * await keyward.reportLeak(rawKey, report);
 * ```
 */
export interface LeakReport {
  /** What to do with the key: `revoke` (default), `disable` or `notify` (change nothing). */
  action?: LeakAction | undefined;
  /** Where the key was found, when known (kept in the `key.leaked` event, at most 2 048 characters). */
  url?: string | null | undefined;
  /** Who found it, e.g. `github:content` or `self-revocation` (at most 200 characters). */
  source?: string | undefined;
}

/** What {@link handleLeak} needs from the engine. */
export interface LeakDeps {
  identify(key: string): Promise<ApiKey | null>;
  revoke(id: string): Promise<ApiKey>;
  disable(id: string): Promise<ApiKey>;
  onEvent: EventListener | undefined;
  clock: () => number;
}

const ACTIONS: readonly LeakAction[] = ["revoke", "disable", "notify"];

/** Throws a `ValidationError` unless `action` is one of `revoke`, `disable`, `notify`; `undefined` is `revoke`. */
export function leakAction(action: unknown): LeakAction {
  if (action === undefined) return "revoke";
  if (!ACTIONS.includes(action as LeakAction)) {
    throw new ValidationError([{ field: "action", message: 'must be "revoke", "disable" or "notify"' }]);
  }
  return action as LeakAction;
}

/**
 * Identifies a leaked raw key and acts on it: the action first (a key that is
 * already revoked stays as it is), then one `key.leaked` event with the
 * place and the source, never the key. Null when the key is not one of ours.
 */
export async function handleLeak(deps: LeakDeps, key: string, report: LeakReport): Promise<ApiKey | null> {
  const action = leakAction(report.action);
  const found = await deps.identify(key);
  if (!found) return null;
  let after = found;
  if (action !== "notify" && found.status !== "revoked" && !(action === "disable" && found.status === "disabled")) {
    try {
      after = action === "revoke" ? await deps.revoke(found.id) : await deps.disable(found.id);
    } catch (error) {
      // revoked meanwhile (a disable racing a revoke): the key is out of service either way
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  emitEvent(deps.onEvent, {
    type: "key.leaked",
    time: new Date(deps.clock()).toISOString(),
    keyId: found.id,
    owner: found.owner,
    actor: null,
    url: typeof report.url === "string" ? report.url.slice(0, 2048) : null,
    source: typeof report.source === "string" && report.source !== "" ? report.source.slice(0, 200) : "unknown",
    action,
  });
  return after;
}
