import { ChangeFanout, type ChangeListener } from "keyward";
import { Heartbeat, type HeartbeatOptions } from "../shared/heartbeat.js";
import { closeQuietly, settle } from "./settle.js";
import type { FeedHandle, FeedSource } from "./sources.js";

/**
 * Settings of the change feed (`postgresStore({ feed })`): the heartbeat that
 * proves it live, and its connection handling.
 *
 * @example
 * ```ts
 * postgresStore({ client: pool, feed: { heartbeat: 150, downAfter: 450, onError: (e) => log.warn(e) } });
 * ```
 */
export interface FeedOptions extends HeartbeatOptions {
  /** Longest a connection attempt, a `LISTEN` or a keepalive query may take before the connection counts as lost, in ms. Default 5 000. */
  timeout?: number;
  /** First reconnect delay in ms; doubles per failed attempt (with jitter). Default 100. */
  minDelay?: number;
  /** Longest reconnect delay in ms. Default 5 000. */
  maxDelay?: number;
  /**
   * Receives every feed failure (lost connection, failed LISTEN, heartbeat
   * not coming back) and whatever a change listener threw. Informational:
   * the feed recovers by itself, and the other listeners are told regardless.
   */
  onError?: (error: unknown) => void;
}

/** A `SELECT 1` on the LISTEN connection this often keeps idle-session limits and proxies from closing it. */
const KEEPALIVE_MS = 10_000;
/** `subscribe` resolves once the feed is live, or after this long (it keeps trying). */
const READY_WITHIN_MS = 2_000;

/**
 * Fans one LISTEN subscription out to every {@link ChangeListener} of a store
 * (held in a `ChangeFanout`), and proves it live with a heartbeat: every
 * `heartbeat` ms the feed sends `pg_notify(channel, beat)` through the
 * store's own client and counts as live only while its beats come back on
 * the LISTEN connection within `downAfter`. It starts down: the first beat
 * back calls `onReset()` (caches may be used), a missed one `onDown()`
 * (caches stand aside). A listener joining a live feed is reset at once; one
 * joining while it is down hears from it once it is live. A LISTEN connection
 * that errors, ends, or stays deaf is replaced with exponential backoff,
 * forever, without ever throwing or rejecting.
 *
 * @example
 * ```ts
 * const feed = new ChangeFeed(source, (beat) => pool.query("SELECT pg_notify($1, $2)", ["keyward_keys_changes", beat]), { interval: 150, downAfter: 450 });
 * const unsubscribe = await feed.subscribe({ onChange: (id) => cache.evict(id), onReset: () => cache.resume(), onDown: () => cache.suspend() });
 * ```
 */
export class ChangeFeed {
  private readonly listeners: ChangeFanout;
  private readonly timeout: number;
  private readonly minDelay: number;
  private readonly maxDelay: number;
  private readonly rebuildAfter: number;
  private readonly beat: Heartbeat;
  private handle: FeedHandle | null = null;
  private opening: Promise<void> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private keepalive: ReturnType<typeof setInterval> | null = null;
  private attempt = 0;
  /** Bumped on every stop and loss: callbacks of an older connection are ignored. */
  private epoch = 0;
  private running = false;
  private openedAt = 0;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly source: FeedSource,
    publish: (payload: string) => Promise<unknown>,
    settings: { interval: number; downAfter: number },
    private readonly options: FeedOptions = {},
  ) {
    this.listeners = new ChangeFanout({ onError: (error) => this.report(error) });
    this.timeout = options.timeout ?? 5_000;
    this.minDelay = options.minDelay ?? 100;
    this.maxDelay = options.maxDelay ?? 5_000;
    this.rebuildAfter = Math.max(2_000, 4 * settings.downAfter);
    this.beat = new Heartbeat(settings, {
      publish,
      up: () => {
        this.listeners.onReset(); // live: anything cached before may be stale
        for (const wake of this.waiters.splice(0)) wake();
      },
      down: (timedOut) => {
        if (timedOut) this.report(new Error(`change feed: no heartbeat came back within ${settings.downAfter} ms`));
        this.listeners.onDown(); // no invalidations arrive until the next reset: caches stand aside
      },
      gap: () => this.listeners.onReset(),
    });
  }

  /** True while the feed is proven live (its own heartbeat comes back). */
  get listening(): boolean {
    return this.beat.isLive && this.handle !== null;
  }

  /**
   * Adds a listener (reset at once when the feed is live); resolves once the
   * feed is live or after 2 s, with a function that removes it. Throws
   * `TypeError` for something that is not a listener.
   */
  subscribe(listener: ChangeListener): Promise<() => Promise<void>> {
    const remove = this.listeners.add(listener);
    if (this.beat.isLive) {
      try {
        listener.onReset(); // live already: it may cache from now on
      } catch (error) {
        this.report(error);
      }
    }
    return this.subscribed(remove);
  }

  private async subscribed(remove: () => void): Promise<() => Promise<void>> {
    if (!this.running) {
      this.running = true;
      this.beat.start();
      this.connect();
    }
    if (!this.beat.isLive) await this.live(READY_WITHIN_MS);
    let removed = false;
    return async () => {
      if (removed) return;
      removed = true;
      remove();
      if (this.listeners.size === 0) await this.stop();
    };
  }

  private live(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      timer.unref?.();
      this.waiters.push(() => (clearTimeout(timer), resolve()));
    });
  }

  private connect(): void {
    const epoch = this.epoch;
    const attempt = Promise.resolve().then(() =>
      this.source.open(
        (payload) => this.received(epoch, payload),
        (error) => this.lost(epoch, error),
      ),
    );
    const opening: Promise<void> = settle(attempt, this.timeout).then((outcome) => {
      if (this.opening === opening) this.opening = null;
      const current = epoch === this.epoch && this.running;
      if (outcome.ok && current) {
        this.handle = outcome.value;
        this.attempt = 0;
        this.openedAt = Date.now();
        this.startKeepalive(epoch);
        this.beat.beat(); // prove the new LISTEN at once
        return;
      }
      if (outcome.ok) void closeQuietly(outcome.value);
      else {
        attempt.then(closeQuietly, () => undefined); // a late success after a timeout is closed at once
        this.report(outcome.error);
      }
      if (this.running && this.handle === null && this.opening === null && this.timer === null) this.retry();
    });
    this.opening = opening;
  }

  private received(epoch: number, payload: string): void {
    if (epoch !== this.epoch || !this.running) return;
    if (!this.beat.receive(payload)) this.listeners.onChange(payload);
  }

  private lost(epoch: number, error: unknown): void {
    if (epoch !== this.epoch || !this.running) return;
    this.epoch++;
    const handle = this.handle;
    this.handle = null;
    this.clearTimers();
    if (handle) void closeQuietly(handle);
    this.report(error);
    this.beat.lost(); // down at once (if it was live)
    this.retry();
  }

  private retry(): void {
    if (this.source.alive?.() === false) return;
    const base = Math.min(this.maxDelay, this.minDelay * 2 ** Math.min(this.attempt, 20));
    this.attempt++;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(
      () => {
        this.timer = null;
        if (this.running && this.opening === null && this.handle === null) this.connect();
      },
      base * (0.5 + Math.random() / 2),
    );
    this.timer.unref?.();
  }

  /**
   * Every KEEPALIVE_MS: a `SELECT 1` on the LISTEN connection, and a check
   * that the feed has not stayed deaf since it connected (a LISTEN through a
   * transaction pooler never hears anything): then the connection is replaced.
   */
  private startKeepalive(epoch: number): void {
    const handle = this.handle;
    const period = Math.min(KEEPALIVE_MS, this.rebuildAfter / 2);
    let lastPing = Date.now();
    this.keepalive = setInterval(async () => {
      if (epoch !== this.epoch || !this.running) return;
      if (this.source.alive?.() === false) {
        this.beat.lost();
        return void this.stop();
      }
      if (!this.beat.isLive && Date.now() - this.openedAt >= this.rebuildAfter) {
        return this.lost(epoch, new Error("change feed: notifications do not reach the LISTEN connection; reconnecting"));
      }
      if (!handle?.ping || Date.now() - lastPing < KEEPALIVE_MS) return;
      lastPing = Date.now();
      const outcome = await settle(
        Promise.resolve().then(() => handle.ping?.()),
        this.timeout,
      );
      if (!outcome.ok) this.lost(epoch, outcome.error);
    }, period);
    this.keepalive.unref?.();
  }

  private async stop(): Promise<void> {
    this.running = false;
    this.epoch++;
    this.beat.stop();
    this.clearTimers();
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const handle = this.handle;
    this.handle = null;
    if (handle) await settle(closeQuietly(handle), this.timeout);
    else if (this.opening) await settle(this.opening, this.timeout); // a connection in flight is closed when it lands
  }

  private clearTimers(): void {
    if (this.keepalive !== null) clearInterval(this.keepalive);
    this.keepalive = null;
  }

  private report(error: unknown): void {
    try {
      this.options.onError?.(error);
    } catch {
      // reporting never breaks the feed
    }
  }
}
