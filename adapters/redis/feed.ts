import type { ChangeListener } from "keyward";

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

/** While the feed is down, the cache is reset this often (changes may be passing unseen). */
const RESET_EVERY_MS = 250;
/** `watch` resolves once subscribed, or after this long with the feed still connecting (and resetting). */
const READY_WITHIN_MS = 2_000;

type Handler = (...args: unknown[]) => void;

/** Loosely typed view of either client's pub/sub surface. */
interface Conn {
  on(event: string, fn: Handler): unknown;
  removeListener?(event: string, fn: Handler): unknown;
  subscribe(channel: string, listener?: (message: string) => void): Promise<unknown>;
  unsubscribe?(channel: string, listener?: (message: string) => void): Promise<unknown>;
  duplicate?(): unknown;
  // ioredis
  call?: unknown;
  status?: string;
  connect?(): Promise<unknown>;
  disconnect?(): unknown;
  // node-redis
  isOpen?: boolean;
  destroy?(): unknown;
}

/** The feed's up/down state, shared by both client flavours. Never throws into the client. */
class FeedState {
  stopped = false;
  /** Settles when first subscribed or stopped. */
  readonly ready: Promise<void>;
  private up = false;
  private timer: ReturnType<typeof setInterval> | null = null;
  private settle: () => void = noop;

  constructor(private readonly listener: ChangeListener) {
    this.ready = new Promise((resolve) => {
      this.settle = resolve;
    });
    this.goDown(false);
  }

  change(id: unknown): void {
    if (this.stopped || typeof id !== "string") return;
    safely(() => this.listener.onChange(id));
  }

  /** Subscribed (again): anything published while down was missed. */
  subscribed(): void {
    if (this.stopped) return;
    this.up = true;
    this.stopResetting();
    safely(() => this.listener.onReset());
    this.settle();
  }

  /** Connection lost: reset now, and keep resetting until subscribed again. */
  lost(): void {
    if (this.stopped || !this.up) return;
    this.up = false;
    this.goDown(true);
  }

  stop(): void {
    this.stopped = true;
    this.stopResetting();
    this.settle();
  }

  /**
   * Nothing published reaches us now: a listener with `onDown` stops trusting
   * its cache until the next `onReset`; an older one is reset now and every
   * 250 ms until subscribed again.
   */
  private goDown(resetNow: boolean): void {
    const listener = this.listener;
    if (listener.onDown) {
      safely(() => listener.onDown?.());
      return;
    }
    if (resetNow) safely(() => listener.onReset());
    this.startResetting();
  }

  private startResetting(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => safely(() => this.listener.onReset()), RESET_EVERY_MS);
    (this.timer as { unref?: () => void }).unref?.();
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

/** ioredis: resubscribe explicitly on every `ready` (its own auto-resubscribe is not awaited). */
function ioredisFeed(conn: Conn, channel: string, state: FeedState): () => Promise<void> {
  const subscribe = (): void => {
    conn.subscribe(channel).then(
      () => state.subscribed(),
      noop, // stays down (and resetting) until the next `ready`
    );
  };
  const onMessage: Handler = (ch, message) => {
    if (ch === channel) state.change(message);
  };
  const onClose: Handler = () => state.lost();
  const handlers: [string, Handler][] = [
    ["message", onMessage],
    ["ready", subscribe],
    ["close", onClose],
    ["error", noop],
  ];
  for (const [event, fn] of handlers) conn.on(event, fn);
  if (conn.status === "ready") subscribe();
  else if (conn.status === "wait") conn.connect?.().catch(noop);
  return async () => {
    for (const [event, fn] of handlers) conn.removeListener?.(event, fn);
    await conn.unsubscribe?.(channel).catch(noop);
  };
}

/** node-redis: it resubscribes before emitting `ready` on a reconnect. */
function nodeRedisFeed(conn: Conn, channel: string, state: FeedState): () => Promise<void> {
  let subscribed = false;
  let pending = false;
  const onMessage = (message: string): void => state.change(message);
  const ensure = async (): Promise<void> => {
    if (pending || subscribed || state.stopped) return;
    pending = true;
    try {
      if (conn.isOpen === false) await conn.connect?.();
      await conn.subscribe(channel, onMessage);
      subscribed = true;
      state.subscribed();
    } catch {
      // stays down (and resetting); retried on the next `ready`
    } finally {
      pending = false;
    }
  };
  const onReady: Handler = () => (subscribed ? state.subscribed() : void ensure());
  const onLost: Handler = () => state.lost();
  // every drop of a ready connection emits `reconnecting` (or `end`); an `error` alone may leave it up
  const handlers: [string, Handler][] = [
    ["ready", onReady],
    ["error", noop],
    ["reconnecting", onLost],
    ["end", onLost],
  ];
  for (const [event, fn] of handlers) conn.on(event, fn);
  void ensure();
  return async () => {
    for (const [event, fn] of handlers) conn.removeListener?.(event, fn);
    await conn.unsubscribe?.(channel, onMessage).catch(noop);
  };
}

/**
 * Subscribes `listener` to `channel`, on a duplicate of `source` (closed by
 * the returned function) or on `source` itself when `duplicate` is false (then
 * only unsubscribed). Reports drops and reconnects with `onReset`. Resolves
 * once subscribed, or after {@link READY_WITHIN_MS} if the server is not
 * reachable yet (the feed keeps connecting and resetting meanwhile); never rejects.
 *
 * @example
 * ```ts
 * const stop = await openFeed(client, true, "keyward:changes", { onChange: evict, onReset: clear });
 * await stop();
 * ```
 */
export async function openFeed(
  source: unknown,
  duplicate: boolean,
  channel: string,
  listener: ChangeListener,
): Promise<() => Promise<void>> {
  const conn = (duplicate ? (source as Conn).duplicate?.() : source) as Conn;
  const state = new FeedState(listener);
  const isIoredis = typeof conn.call === "function";
  if (duplicate) conn.on("error", noop); // an owned connection never has an unhandled `error`
  const unsubscribe = isIoredis ? ioredisFeed(conn, channel, state) : nodeRedisFeed(conn, channel, state);
  let stopping: Promise<void> | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([state.ready, new Promise((resolve) => (timer = setTimeout(resolve, READY_WITHIN_MS)))]);
  clearTimeout(timer);
  return () => {
    stopping ??= (async () => {
      state.stop();
      if (!duplicate) return unsubscribe();
      try {
        if (isIoredis) conn.disconnect?.();
        else if (typeof conn.destroy === "function") conn.destroy();
        else await conn.disconnect?.();
      } catch {
        // already closed
      }
    })();
    return stopping;
  };
}
