import type { KeywardEvent } from "keyward";

/** Longest a timer may wait (setTimeout's limit); a later notice waits in steps. */
const MAX_WAIT = 2_147_483_647;

/** Most keys with a pending notice; beyond it the key expiring last is dropped. */
const MAX_KEYS = 100_000;

interface Pending {
  keyId: string;
  owner: string | null;
  expiresAt: number;
  /** Whether `key.expiring` was already sent for this `expiresAt`. */
  warned: boolean;
}

/**
 * Schedules `key.expiring` (`before` ms ahead of `expiresAt`) and
 * `key.expired` (at `expiresAt`) for the keys whose management events this
 * process sees, each once per expiry time. A change moves the notices, a
 * revocation or a rotation's end cancels them. Timers live in this process:
 * only the instance that made a change schedules its notices, and a restart
 * forgets the ones not yet due. Internal to `keyward/webhooks`.
 */
export class ExpiryNotices {
  private readonly pending = new Map<string, Pending>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private closed = false;

  constructor(
    private readonly before: number,
    private readonly clock: () => number,
    private readonly emit: (event: KeywardEvent) => void,
  ) {}

  /** Follows a management event: its `expiresAt` (re)schedules the key's notices, a revoke cancels them. */
  see(event: KeywardEvent): void {
    if (this.closed || event.keyId === null || event.keyId === undefined) return;
    if (event.type === "key.revoked") return void this.pending.delete(event.keyId);
    if (!("expiresAt" in event) || event.type === "key.expiring" || event.type === "key.expired") return;
    const at = event.expiresAt === null || event.expiresAt === undefined ? null : Date.parse(event.expiresAt);
    const known = this.pending.get(event.keyId);
    if (at === null || !Number.isFinite(at)) return void this.pending.delete(event.keyId);
    if (known && known.expiresAt === at) return;
    if (!known && this.pending.size >= MAX_KEYS) this.dropLatest();
    this.pending.set(event.keyId, {
      keyId: event.keyId,
      owner: event.owner,
      expiresAt: at,
      warned: at <= this.clock(), // already expired: only key.expired is left to send
    });
    this.arm();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.pending.clear();
  }

  /** Sends what is due and sets the timer for the next notice. */
  private run(): void {
    const now = this.clock();
    for (const p of [...this.pending.values()]) {
      if (!p.warned && p.expiresAt - this.before <= now) {
        p.warned = true;
        if (p.expiresAt > now) this.notice("key.expiring", p, now);
      }
      if (p.expiresAt <= now) {
        this.pending.delete(p.keyId);
        this.notice("key.expired", p, now);
      }
    }
    this.arm();
  }

  private notice(type: "key.expiring" | "key.expired", p: Pending, now: number): void {
    this.emit({
      type,
      time: new Date(now).toISOString(),
      keyId: p.keyId,
      owner: p.owner,
      actor: null,
      expiresAt: new Date(p.expiresAt).toISOString(),
    });
  }

  private arm(): void {
    let next = Number.POSITIVE_INFINITY;
    for (const p of this.pending.values()) next = Math.min(next, p.warned ? p.expiresAt : p.expiresAt - this.before);
    if (next === this.timerAt || this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = next;
    if (next === Number.POSITIVE_INFINITY) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Number.POSITIVE_INFINITY;
        this.run();
      },
      Math.min(MAX_WAIT, Math.max(0, next - this.clock())),
    );
    (this.timer as { unref?: () => void }).unref?.();
  }

  private dropLatest(): void {
    let latest: Pending | undefined;
    for (const p of this.pending.values()) if (!latest || p.expiresAt > latest.expiresAt) latest = p;
    if (latest) this.pending.delete(latest.keyId);
  }
}
