import { ChangeFanout, type ChangeListener } from "keyward";
import { Heartbeat, type HeartbeatOptions } from "../shared/heartbeat.js";
import type { Conn, Subscription } from "./node-subscription.js";
import { subscribe } from "./subscription.js";

/**
 * A connection the change feed can subscribe on: an ioredis `Redis` /
 * `Cluster` or a node-redis client, dedicated to pub/sub (a connection in
 * subscriber mode can run no other command).
 *
 * @example
 * ```ts
 * const subscriber: SubscriberLike = client.duplicate();
 * const store = redisStore({ client, subscriber });
 * ```
 */
export interface SubscriberLike {
  /**
   * Subscribes to a channel: ioredis `subscribe(channel)` (messages arrive
   * as `message` events), node-redis `subscribe(channel, listener)`.
   */
  subscribe(...args: never[]): unknown;
  /** Registers a connection event handler (`ready`, `error`, and `message`, `close`, `reconnecting` or `end`). */
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

/**
 * Settings of the Redis change feed (`redisStore({ feed })`): how often each
 * instance publishes its heartbeat on the change channel, and how long its
 * own beat may stay away before the feed counts as down.
 *
 * @example
 * ```ts
 * redisStore({ client, feed: { heartbeat: 100, downAfter: 300 } });
 * ```
 */
export interface RedisFeedOptions extends HeartbeatOptions {}

/** `watch` resolves once the feed is proven live, or after this long (it keeps trying). */
const READY_WITHIN_MS = 2_000;
/** Longest `stop` waits for an unsubscribe or a disconnect. */
const STOP_WITHIN_MS = 1_000;

function unref(timer: unknown): void {
  (timer as { unref?: () => void }).unref?.();
}

/** Resolves after `ms` at the latest; never rejects. */
function bounded(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    unref(timer);
    promise.then(
      () => (clearTimeout(timer), resolve()),
      () => (clearTimeout(timer), resolve()),
    );
  });
}

/** What a {@link RedisFeed} needs. */
export interface FeedSetup {
  /** The connection to subscribe on (or to duplicate, or the ioredis `Cluster` to pick a node from). */
  source: unknown;
  /** True when the feed opens (and closes) connections of its own from `source`. */
  owned: boolean;
  channel: string;
  /** Publishes one message on the channel through the store's command connection. */
  publish(message: string): Promise<unknown>;
  interval: number;
  downAfter: number;
}

/**
 * One subscription and its heartbeat, from a feed's first listener to its
 * last: tells `listeners` what it sees; `stop` settles within 1 s.
 */
class FeedSession {
  private stopped = false;
  private downSince = Date.now();
  private sub: Subscription;
  private readonly beat: Heartbeat;
  private readonly watchdog: ReturnType<typeof setInterval>;
  private waiters: (() => void)[] = [];
  private stopping: Promise<void> | null = null;

  constructor(
    private readonly setup: FeedSetup,
    private readonly listeners: ChangeFanout,
  ) {
    this.beat = new Heartbeat(
      { interval: setup.interval, downAfter: setup.downAfter },
      {
        publish: setup.publish,
        up: () => {
          this.downSince = 0;
          listeners.onReset(); // live: anything published while down was missed
          this.wake();
        },
        down: () => {
          this.downSince = Date.now();
          listeners.onDown(); // nothing published reaches us now: caches stand aside
        },
        gap: () => listeners.onReset(), // messages around a lost beat may be lost too
      },
    );
    this.sub = this.open();
    this.beat.start();
    // an owned connection that stays down (a dead node, a half-open socket the client keeps) is replaced
    const rebuildAfter = Math.max(2_000, 4 * setup.downAfter);
    this.watchdog = setInterval(() => {
      if (this.stopped || !setup.owned || this.downSince === 0 || Date.now() - this.downSince < rebuildAfter) return;
      this.downSince = Date.now();
      const old = this.sub;
      this.sub = this.open();
      void bounded(old.stop(), STOP_WITHIN_MS);
    }, rebuildAfter / 2);
    unref(this.watchdog);
  }

  get live(): boolean {
    return this.beat.isLive;
  }

  /** Resolves once live (or stopped), or after `ms`. */
  ready(ms: number): Promise<void> {
    if (this.live || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.waiters.push(() => (clearTimeout(timer), resolve()));
    });
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.stopped = true;
      clearInterval(this.watchdog);
      this.beat.stop();
      this.wake();
      await bounded(this.sub.stop(), STOP_WITHIN_MS);
    })();
    return this.stopping;
  }

  private open(): Subscription {
    const { source, owned, channel } = this.setup;
    return subscribe(source as Conn, owned, channel, {
      message: (message) => {
        if (!this.stopped && !this.beat.receive(message)) this.listeners.onChange(message);
      },
      subscribed: () => this.beat.beat(),
      lost: () => this.beat.lost(),
    });
  }

  private wake(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }
}

/**
 * A store's change feed: one subscription to the change channel for all its
 * listeners (held in a `ChangeFanout`), proven live with a heartbeat: every
 * `interval` ms the feed publishes a beat of its own on the channel, and
 * counts as live only while its beats come back within `downAfter`. It starts
 * down; the first beat back calls `onReset()` (caches may be used), a missed
 * one `onDown()` (caches stand aside), a beat skipped in sequence `onReset()`
 * again. A connection drop reported by the client is acted on at once. When
 * the feed owns its connection and stays down for long, it replaces the
 * connection. The subscription opens with the first listener and closes
 * after the last one leaves. A listener's failure never reaches the Redis
 * client's event loop.
 *
 * @example
 * ```ts
 * const feed = new RedisFeed({ source: client, owned: true, channel, publish, interval: 150, downAfter: 450 });
 * const stop = await feed.watch(listener);
 * await stop();
 * ```
 */
export class RedisFeed {
  private readonly listeners = new ChangeFanout();
  private session: FeedSession | null = null;

  constructor(private readonly setup: FeedSetup) {}

  /**
   * Adds `listener` (reset at once when the feed is live) and resolves once
   * the feed is live, or after 2 s (it keeps trying); never rejects. Throws
   * `TypeError` for something that is not a listener. The returned function
   * removes it and settles within 1 s whatever the connection does.
   */
  watch(listener: ChangeListener): Promise<() => Promise<void>> {
    const remove = this.listeners.add(listener);
    if (this.session?.live) {
      try {
        listener.onReset(); // live already: it may cache from now on
      } catch {
        // a listener's failure stays with it
      }
    }
    this.session ??= new FeedSession(this.setup, this.listeners);
    return this.ready(this.session, remove);
  }

  private async ready(session: FeedSession, remove: () => void): Promise<() => Promise<void>> {
    await session.ready(READY_WITHIN_MS);
    let stopping: Promise<void> | null = null;
    return () => {
      stopping ??= (async () => {
        remove();
        if (this.listeners.size > 0 || this.session === null) return;
        const last = this.session;
        this.session = null;
        await last.stop();
      })();
      return stopping;
    };
  }
}
