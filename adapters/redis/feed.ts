import type { ChangeListener } from "keyward";
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

/** While the feed is down, a listener without `onDown` is reset this often. */
const RESET_EVERY_MS = 250;
/** `watch` resolves once the feed is proven live, or after this long (it keeps trying). */
const READY_WITHIN_MS = 2_000;
/** Longest `stop` waits for an unsubscribe or a disconnect. */
const STOP_WITHIN_MS = 1_000;

/** A listener's view of the feed's state; never throws into the client. */
class ListenerState {
  readonly ready: Promise<void>;
  private timer: ReturnType<typeof setInterval> | null = null;
  private settle: () => void = noop;

  constructor(private readonly listener: ChangeListener) {
    this.ready = new Promise((resolve) => {
      this.settle = resolve;
    });
    this.down(false); // feeds start down: nothing cached until the first beat comes back
  }

  change(id: string): void {
    safely(() => this.listener.onChange(id));
  }

  /** Proven live (again): anything published while down was missed. */
  up(): void {
    this.stopResetting();
    safely(() => this.listener.onReset());
    this.settle();
  }

  /** Messages may have been lost while live: drop what is cached. */
  gap(): void {
    safely(() => this.listener.onReset());
  }

  /**
   * Nothing published reaches us now: a listener with `onDown` stops trusting
   * its cache until the next `onReset`; an older one is reset now and every
   * 250 ms until live again.
   */
  down(resetNow = true): void {
    const listener = this.listener;
    if (listener.onDown) {
      safely(() => listener.onDown?.());
      return;
    }
    if (resetNow) safely(() => listener.onReset());
    if (this.timer !== null) return;
    this.timer = setInterval(() => safely(() => this.listener.onReset()), RESET_EVERY_MS);
    (this.timer as { unref?: () => void }).unref?.();
  }

  stop(): void {
    this.stopResetting();
    this.settle();
  }

  private stopResetting(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}

function safely(fn: () => unknown): void {
  try {
    fn();
  } catch {
    // a listener's failure never reaches the Redis client's event loop
  }
}

const noop = (): void => {};

/** Resolves after `ms` at the latest; never rejects. */
function bounded(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    (timer as { unref?: () => void }).unref?.();
    promise.then(
      () => (clearTimeout(timer), resolve()),
      () => (clearTimeout(timer), resolve()),
    );
  });
}

/** What {@link openFeed} needs besides the listener. */
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
 * Subscribes `listener` to the change channel and proves the subscription
 * live with a heartbeat: every `interval` ms the feed publishes a beat of its
 * own on the channel, and counts as live only while its beats come back
 * within `downAfter`. It starts down; the first beat back calls `onReset()`
 * (the cache may be used), a missed one `onDown()` (the cache stands aside),
 * a beat skipped in sequence `onReset()` again. A connection drop reported
 * by the client is acted on at once. When the feed owns its connection and
 * stays down for long, it replaces the connection. Resolves once live, or
 * after 2 s (the feed keeps trying); never rejects. The returned stop function
 * settles within 1 s whatever the connection does.
 *
 * @example
 * ```ts
 * const stop = await openFeed(listener, { source: client, owned: true, channel, publish, interval: 150, downAfter: 450 });
 * await stop();
 * ```
 */
export async function openFeed(listener: ChangeListener, setup: FeedSetup): Promise<() => Promise<void>> {
  const state = new ListenerState(listener);
  let stopped = false;
  let downSince = Date.now();
  let sub: Subscription | null = null;
  const beat = new Heartbeat(
    { interval: setup.interval, downAfter: setup.downAfter },
    {
      publish: setup.publish,
      up: () => {
        downSince = 0;
        state.up();
      },
      down: () => {
        downSince = Date.now();
        state.down();
      },
      gap: () => state.gap(),
    },
  );
  const open = (): Subscription =>
    subscribe(setup.source as Conn, setup.owned, setup.channel, {
      message: (message) => {
        if (!stopped && !beat.receive(message)) state.change(message);
      },
      subscribed: () => beat.beat(),
      lost: () => beat.lost(),
    });
  sub = open();
  beat.start();

  // an owned connection that stays down (a dead node, a half-open socket the client keeps) is replaced
  const rebuildAfter = Math.max(2_000, 4 * setup.downAfter);
  const watchdog = setInterval(() => {
    if (stopped || !setup.owned || downSince === 0 || Date.now() - downSince < rebuildAfter) return;
    downSince = Date.now();
    const old = sub;
    sub = open();
    if (old) void bounded(old.stop(), STOP_WITHIN_MS);
  }, rebuildAfter / 2);
  (watchdog as { unref?: () => void }).unref?.();

  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([state.ready, new Promise((resolve) => (timer = setTimeout(resolve, READY_WITHIN_MS)))]);
  clearTimeout(timer);

  let stopping: Promise<void> | null = null;
  return () => {
    stopping ??= (async () => {
      stopped = true;
      clearInterval(watchdog);
      beat.stop();
      state.stop();
      if (sub) await bounded(sub.stop(), STOP_WITHIN_MS);
    })();
    return stopping;
  };
}
