import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import type { KeyStore, KeywardEvent } from "keyward";
import type { Endpoint } from "./options.js";
import type { WebhookMessage } from "./outbox.js";
import { payloadOf } from "./payload.js";

/** The two notices keyed to a key's expiry. */
const NOTICES = ["key.expiring", "key.expired"] as const;
type Notice = (typeof NOTICES)[number];

/** Most keys whose last scheduled expiry this process remembers (to move their notices). */
const MAX_KEYS = 100_000;

/** Whether `type` is one of the expiry notices. */
export function isNotice(type: string): type is Notice {
  return type === "key.expiring" || type === "key.expired";
}

/**
 * The `webhook-id` of a notice: derived from the endpoint, the notice, the key
 * and its expiry time, so every instance that schedules it writes the same
 * message, and the outbox (where an id is added once) keeps one.
 */
export function noticeId(url: string, type: Notice, keyId: string, expiresAt: number): string {
  const hex = bytesToHex(sha256(utf8ToBytes(`${url}\n${type}\n${keyId}\n${expiresAt}`)));
  return `msg_${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** What a management event changes in the outbox: notices to add, notice ids to drop. */
export interface NoticePlan {
  add: WebhookMessage[];
  drop: string[];
}

/**
 * Turns management events into expiry notices kept in the outbox:
 * `key.expiring` due `before` ms ahead of `expiresAt` (none when `before` is
 * 0) and `key.expired` due at `expiresAt`. Because they wait in the outbox
 * (durable with a Postgres or Redis one), a restart keeps them and whichever
 * instance claims one first sends it, once. A revocation drops them; a
 * change of expiry made here drops the old time's. Internal to
 * `keyward/webhooks`.
 */
export class ExpiryNotices {
  /** keyId → the expiry this process last scheduled notices for. */
  private readonly scheduled = new Map<string, number>();

  constructor(
    private readonly before: number,
    private readonly endpoints: ReadonlyMap<string, Endpoint>,
  ) {}

  /** The outbox changes `event` calls for (nothing for events without `expiresAt`). */
  plan(event: KeywardEvent, now: number): NoticePlan {
    const plan: NoticePlan = { add: [], drop: [] };
    const keyId = event.keyId;
    if (typeof keyId !== "string" || isNotice(event.type) || !("expiresAt" in event)) return plan;
    const at = typeof event.expiresAt === "string" ? Date.parse(event.expiresAt) : Number.NaN;
    const known = this.scheduled.get(keyId);
    if (event.type === "key.revoked") {
      if (known !== undefined) plan.drop.push(...this.ids(keyId, known));
      if (Number.isFinite(at) && at !== known) plan.drop.push(...this.ids(keyId, at));
      this.scheduled.delete(keyId);
      return plan;
    }
    if (known === at) return plan;
    if (known !== undefined) plan.drop.push(...this.ids(keyId, known));
    this.scheduled.delete(keyId);
    if (!Number.isFinite(at)) return plan;
    if (this.scheduled.size >= MAX_KEYS) this.scheduled.delete(this.scheduled.keys().next().value as string);
    this.scheduled.set(keyId, at);
    for (const type of NOTICES) {
      if (type === "key.expiring" && (this.before === 0 || at <= now)) continue; // no warning left to give
      const due = Math.max(now, type === "key.expiring" ? at - this.before : at);
      const body = payloadOf({
        type,
        time: new Date(due).toISOString(),
        keyId,
        owner: event.owner,
        actor: null,
        expiresAt: new Date(at).toISOString(),
      });
      for (const endpoint of this.endpoints.values()) {
        if (endpoint.events && !endpoint.events.has(type)) continue;
        plan.add.push({
          id: noticeId(endpoint.url, type, keyId, at),
          url: endpoint.url,
          type,
          body,
          attempts: 0,
          nextAttemptAt: due,
        });
      }
    }
    return plan;
  }

  private ids(keyId: string, at: number): string[] {
    const out: string[] = [];
    for (const type of NOTICES) for (const url of this.endpoints.keys()) out.push(noticeId(url, type, keyId, at));
    return out;
  }
}

/**
 * Whether a notice still holds when it is about to be sent: its key exists,
 * is not revoked and still expires at the notice's time. A change made on
 * another instance (which could not drop this instance's notices) is caught
 * here. Throws when the store does.
 */
export async function stillDue(keys: KeyStore, message: WebhookMessage): Promise<boolean> {
  let data: { keyId?: unknown; expiresAt?: unknown };
  try {
    data = (JSON.parse(message.body) as { data?: typeof data }).data ?? {};
  } catch {
    return false;
  }
  if (typeof data.keyId !== "string" || typeof data.expiresAt !== "string") return false;
  const record = await keys.get(data.keyId);
  if (record === null || typeof record !== "object") return false;
  return record.revokedAt === null && record.expiresAt === Date.parse(data.expiresAt);
}
