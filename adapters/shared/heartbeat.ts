/**
 * Feed liveness proven through the feed's own channel: an instance publishes
 * a beat on the change channel (Redis PUBLISH, PostgreSQL NOTIFY) every
 * `interval` ms, and counts its feed live only while its own beats come back.
 * Shared by the Redis and PostgreSQL stores. Internal.
 */

/**
 * Heartbeat settings of a change feed (`feed` option of `redisStore` and `postgresStore`).
 *
 * @example
 * ```ts
 * const feed: HeartbeatOptions = { heartbeat: 150, downAfter: 450 };
 * ```
 */
export interface HeartbeatOptions {
  /** Milliseconds between two beats. Default 150. */
  heartbeat?: number;
  /**
   * Milliseconds without one of its own beats coming back after which the
   * feed counts as down (the verification cache stands aside). Must exceed
   * `heartbeat`. Default 3 × `heartbeat` (450).
   */
  downAfter?: number;
}

/** Default ms between beats. */
export const DEFAULT_HEARTBEAT_MS = 150;
/** Beats that may go missing before the feed counts as down, by default. */
const DEFAULT_MISSED_BEATS = 3;

/**
 * Every beat starts with this. A record id never does (ids are UUIDs), so an
 * older keyward instance that reads a beat as a change evicts an id nobody has.
 */
export const BEAT_PREFIX = "~kw-beat:";

/** A timer firing later than this means the process itself stalled; that time does not count. */
const STALL_MS = 10;

/** Publishes still in flight beyond this count make the feed skip a beat rather than pile them up. */
const MAX_IN_FLIGHT = 8;

/**
 * Validated `{ interval, downAfter }` from user options; throws `error(message)`
 * for a bad value.
 *
 * @example
 * ```ts
 * const { interval, downAfter } = heartbeatSettings({ heartbeat: 100 }, (m) => new TypeError(m)); // 100, 300
 * ```
 */
export function heartbeatSettings(
  options: HeartbeatOptions | undefined,
  error: (message: string) => Error,
  label: string,
): { interval: number; downAfter: number } {
  const interval = options?.heartbeat ?? DEFAULT_HEARTBEAT_MS;
  if (typeof interval !== "number" || !Number.isFinite(interval) || interval < 1 || interval > 60_000) {
    throw error(`${label}: feed.heartbeat must be a number of ms between 1 and 60000`);
  }
  const downAfter = options?.downAfter ?? interval * DEFAULT_MISSED_BEATS;
  if (typeof downAfter !== "number" || !Number.isFinite(downAfter) || downAfter <= interval || downAfter > 600_000) {
    throw error(`${label}: feed.downAfter must be a number of ms greater than feed.heartbeat (and at most 600000)`);
  }
  return { interval, downAfter };
}

/** What a {@link Heartbeat} drives. */
export interface HeartbeatTarget {
  /** Sends one beat through the channel (PUBLISH / NOTIFY). May reject; must not throw synchronously. */
  publish(payload: string): Promise<unknown>;
  /** The first beat came back after being down: the feed is live, anything cached before may be stale. */
  up(): void;
  /** No beat came back within `downAfter` (`timedOut`), or the connection was reported lost. */
  down(timedOut: boolean): void;
  /** A beat went missing while live: messages may have been lost, drop what is cached. */
  gap(): void;
}

function randomToken(): string {
  const bytes = new Uint8Array(9);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * One feed's liveness. Starts down. Every `interval` ms it publishes
 * `~kw-beat:<token>:<seq>`; a beat of its own coming back makes it live. It
 * goes down when a beat it sent has not come back within `downAfter` (counted
 * from when that beat was sent, and only after pending input was read, so a
 * stalled event loop is not mistaken for a silent feed); a beat of its own
 * skipped in sequence while live reports a gap. Time this process spends
 * stalled (its own timer firing late) does not count. Timers
 * never keep the process alive.
 *
 * @example
 * ```ts
 * const beat = new Heartbeat({ interval: 150, downAfter: 450 }, { publish, up, down, gap });
 * beat.start();
 * connection.on("message", (m) => beat.receive(m) || onChange(m));
 * ```
 */
export class Heartbeat {
  private readonly token = randomToken();
  private readonly own: string;
  private seq = 0;
  private lastSeen = 0;
  /** Send times of the beats not back yet, by sequence number (oldest first). */
  private readonly pending = new Map<number, number>();
  private live = false;
  private running = false;
  private inFlight = 0;
  private ticker: ReturnType<typeof setInterval> | null = null;
  private deadline: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly settings: { interval: number; downAfter: number },
    private readonly target: HeartbeatTarget,
  ) {
    this.own = `${BEAT_PREFIX}${this.token}:`;
  }

  /** True while its own beats come back in time. */
  get isLive(): boolean {
    return this.live;
  }

  /** Starts beating (one beat at once). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.ticker = setInterval(() => this.beat(), this.settings.interval);
    unref(this.ticker);
    this.beat();
  }

  /** Sends a beat now (e.g. right after (re)subscribing, so liveness is proven without waiting a full interval). */
  beat(): void {
    if (!this.running || this.inFlight >= MAX_IN_FLIGHT) return;
    this.inFlight++;
    const done = () => {
      this.inFlight--;
    };
    const n = ++this.seq;
    this.pending.set(n, Date.now());
    if (this.pending.size > 64) this.pending.delete(this.pending.keys().next().value as number); // long down: keep the newest
    this.arm();
    let sent: Promise<unknown>;
    try {
      sent = this.target.publish(`${this.own}${n}`);
    } catch {
      done();
      return;
    }
    Promise.resolve(sent).then(done, done); // a failed publish is a beat that never comes back
  }

  /**
   * Feeds a received message through; returns true when it was a beat (its
   * own or another instance's), which is never a change.
   */
  receive(message: string): boolean {
    if (!message.startsWith(BEAT_PREFIX)) return false;
    if (!this.running || !message.startsWith(this.own)) return true;
    const n = Number(message.slice(this.own.length));
    if (!Number.isSafeInteger(n) || n <= this.lastSeen || n > this.seq) return true; // late, repeated or not ours
    const skipped = n !== this.lastSeen + 1;
    this.lastSeen = n;
    for (const seq of this.pending.keys()) {
      if (seq > n) break;
      this.pending.delete(seq);
    }
    this.disarm();
    const wasLive = this.live;
    this.live = true;
    this.arm();
    if (!wasLive) this.target.up();
    else if (skipped) this.target.gap();
    return true;
  }

  /** The connection reported a drop: down at once, until a beat comes back. */
  lost(): void {
    if (!this.running || !this.live) return;
    this.disarm();
    this.live = false;
    this.target.down(false);
  }

  stop(): void {
    this.running = false;
    this.live = false;
    if (this.ticker !== null) clearInterval(this.ticker);
    this.ticker = null;
    this.pending.clear();
    this.disarm();
  }

  /** Send time of the oldest beat not back yet. */
  private oldest(): number | undefined {
    return this.pending.values().next().value;
  }

  /** Schedules the down check for the oldest pending beat, if none is scheduled. */
  private arm(): void {
    const oldest = this.oldest();
    if (this.deadline !== null || oldest === undefined || !this.live) return;
    const wait = Math.max(0, oldest + this.settings.downAfter - Date.now());
    const due = Date.now() + wait;
    this.deadline = setTimeout(() => {
      this.deadline = null;
      const late = Date.now() - due;
      if (late > STALL_MS) {
        // this process stalled (a blocked event loop sends, reads and delivers nothing): the beats
        // in flight get a full `downAfter` from now, counted while the process runs
        const now = Date.now();
        for (const seq of this.pending.keys()) this.pending.set(seq, now);
        this.arm();
        return;
      }
      // read whatever input is already waiting first
      this.deadline = setTimeout(() => {
        this.deadline = null;
        const oldestNow = this.oldest();
        if (!this.running || !this.live || oldestNow === undefined) return;
        if (Date.now() - oldestNow < this.settings.downAfter) {
          this.arm();
          return;
        }
        this.live = false;
        this.target.down(true);
      }, 0);
      unref(this.deadline);
    }, wait);
    unref(this.deadline);
  }

  private disarm(): void {
    if (this.deadline !== null) clearTimeout(this.deadline);
    this.deadline = null;
  }
}

function unref(timer: unknown): void {
  (timer as { unref?: () => void }).unref?.();
}
