import type { ChangeListener } from "keyward";
import { closeQuietly, settle } from "./settle.js";
import type { FeedHandle, FeedSource } from "./sources.js";

/**
 * Tuning of the change feed's connection handling (`postgresStore({ feed })`).
 *
 * @example
 * ```ts
 * postgresStore({ client: pool, feed: { heartbeat: 5_000, maxDelay: 2_000, onError: (e) => log.warn(e) } });
 * ```
 */
export interface FeedOptions {
  /** Interval of the `SELECT 1` health check on the LISTEN connection, in ms; 0 turns it off. Default 10 000. */
  heartbeat?: number;
  /** Longest a connection attempt, a `LISTEN` or a health check may take before the connection counts as lost, in ms. Default 5 000. */
  timeout?: number;
  /** First reconnect delay in ms; doubles per failed attempt (with jitter). Default 100. */
  minDelay?: number;
  /** Longest reconnect delay in ms. Default 5 000. */
  maxDelay?: number;
  /** Receives every feed failure (lost connection, failed LISTEN). Informational: the feed recovers by itself. */
  onError?: (error: unknown) => void;
}

/**
 * Fans one LISTEN subscription out to every {@link ChangeListener} of a store.
 * Connects on the first subscriber, disconnects after the last. After every
 * (re)connection, and whenever the connection is lost, listeners get
 * `onReset()`: changes made while nobody listened may have been missed, so a
 * cache must drop what it holds. A lost connection is retried with
 * exponential backoff, forever, without ever throwing or rejecting.
 *
 * @example
 * ```ts
 * const feed = new ChangeFeed(feedSource(pool, "keyward_keys_changes")!, { heartbeat: 10_000 });
 * const unsubscribe = await feed.subscribe({ onChange: (id) => cache.evict(id), onReset: () => cache.clear() });
 * ```
 */
export class ChangeFeed {
  private readonly listeners = new Set<ChangeListener>();
  private readonly heartbeat: number;
  private readonly timeout: number;
  private readonly minDelay: number;
  private readonly maxDelay: number;
  private handle: FeedHandle | null = null;
  private opening: Promise<void> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;
  /** Bumped on every stop and loss: callbacks of an older connection are ignored. */
  private epoch = 0;
  private running = false;

  constructor(
    private readonly source: FeedSource,
    private readonly options: FeedOptions = {},
  ) {
    this.heartbeat = options.heartbeat ?? 10_000;
    this.timeout = options.timeout ?? 5_000;
    this.minDelay = options.minDelay ?? 100;
    this.maxDelay = options.maxDelay ?? 5_000;
  }

  /** True while notifications are being received. */
  get listening(): boolean {
    return this.handle !== null;
  }

  /**
   * Adds a listener; resolves once the first connection attempt settled
   * (bounded by `timeout`), with a function that removes it.
   */
  async subscribe(listener: ChangeListener): Promise<() => Promise<void>> {
    this.listeners.add(listener);
    if (!this.running) {
      this.running = true;
      this.connect();
    }
    if (this.opening) await settle(this.opening, this.timeout);
    let removed = false;
    return async () => {
      if (removed) return;
      removed = true;
      this.listeners.delete(listener);
      if (this.listeners.size === 0) await this.stop();
    };
  }

  private connect(): void {
    const epoch = this.epoch;
    const attempt = Promise.resolve().then(() =>
      this.source.open(
        (id) => this.changed(id),
        (error) => this.lost(epoch, error),
      ),
    );
    const opening: Promise<void> = settle(attempt, this.timeout).then((outcome) => {
      if (this.opening === opening) this.opening = null;
      const current = epoch === this.epoch && this.running;
      if (outcome.ok && current) {
        this.handle = outcome.value;
        this.attempt = 0;
        this.reset(); // anything cached before the feed was live may be stale
        this.scheduleHeartbeat(epoch);
        return;
      }
      if (outcome.ok) void closeQuietly(outcome.value);
      else {
        attempt.then(closeQuietly, () => undefined); // a late success after a timeout is closed at once
        this.report(outcome.error);
      }
      // retry unless something else is already under way (a newer attempt, a scheduled retry, a live handle)
      if (this.running && this.handle === null && this.opening === null && this.timer === null) this.retry();
    });
    this.opening = opening;
  }

  private lost(epoch: number, error: unknown): void {
    if (epoch !== this.epoch || !this.running) return;
    this.epoch++;
    const handle = this.handle;
    this.handle = null;
    this.clearTimer();
    if (handle) void closeQuietly(handle);
    this.report(error);
    this.down();
    this.retry();
  }

  private retry(): void {
    if (this.source.alive?.() === false) return;
    const base = Math.min(this.maxDelay, this.minDelay * 2 ** Math.min(this.attempt, 20));
    this.attempt++;
    this.clearTimer();
    this.timer = setTimeout(
      () => {
        this.timer = null;
        if (this.running && this.opening === null && this.handle === null) this.connect();
      },
      base * (0.5 + Math.random() / 2),
    );
    this.timer.unref?.();
  }

  private scheduleHeartbeat(epoch: number): void {
    const handle = this.handle;
    if (!(this.heartbeat > 0) || !handle?.ping) return;
    const ping = handle.ping.bind(handle);
    this.clearTimer();
    this.timer = setTimeout(async () => {
      this.timer = null;
      if (epoch !== this.epoch || !this.running) return;
      if (this.source.alive?.() === false) {
        this.down(); // no more invalidations: nothing cached may be trusted
        return void this.stop();
      }
      const outcome = await settle(Promise.resolve().then(ping), this.timeout);
      if (!outcome.ok) this.lost(epoch, outcome.error);
      else if (epoch === this.epoch && this.running) this.scheduleHeartbeat(epoch);
    }, this.heartbeat);
    this.timer.unref?.();
  }

  private async stop(): Promise<void> {
    this.running = false;
    this.epoch++;
    this.clearTimer();
    const handle = this.handle;
    this.handle = null;
    if (handle) await settle(closeQuietly(handle), this.timeout);
    else if (this.opening) await settle(this.opening, this.timeout); // a connection in flight is closed when it lands
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private changed(id: string): void {
    if (this.running) this.each((l) => l.onChange(id));
  }

  private reset(): void {
    this.each((l) => l.onReset());
  }

  /** No invalidations arrive until the next reset: listeners stop trusting their caches. */
  private down(): void {
    this.each((l) => (l.onDown ? l.onDown() : l.onReset()));
  }

  private each(call: (listener: ChangeListener) => void): void {
    for (const l of this.listeners) {
      try {
        call(l);
      } catch {
        // one listener never stops the others
      }
    }
  }

  private report(error: unknown): void {
    try {
      this.options.onError?.(error);
    } catch {
      // reporting never breaks the feed
    }
  }
}
