/**
 * One pub/sub subscription on the change channel, for each client flavour:
 * ioredis `Redis`, ioredis `Cluster`, node-redis client and node-redis cluster.
 * A subscription reports messages, "subscribed" (again) and "lost"; whether it
 * is really live is proven by the heartbeat (see feed.ts). Internal.
 */

/** What a subscription reports. */
export interface SubscriptionEvents {
  message(message: string): void;
  /** (Re)subscribed: send a beat now to prove it. */
  subscribed(): void;
  /** The connection dropped: nothing published now reaches us. */
  lost(): void;
}

/** A running subscription; `stop` never rejects. */
export interface Subscription {
  stop(): Promise<void>;
}

type Handler = (...args: unknown[]) => void;

/** Loosely typed view of either client's pub/sub surface. */
export interface Conn {
  on(event: string, fn: Handler): unknown;
  once?(event: string, fn: Handler): unknown;
  removeListener?(event: string, fn: Handler): unknown;
  subscribe(channel: string, listener?: (message: string) => void): Promise<unknown>;
  unsubscribe?(channel: string, listener?: (message: string) => void): Promise<unknown>;
  duplicate?(override?: unknown): unknown;
  // ioredis
  call?: unknown;
  status?: string;
  isCluster?: boolean;
  nodes?(role?: string): Conn[];
  connect?(): Promise<unknown>;
  disconnect?(): unknown;
  // node-redis
  isOpen?: boolean;
  destroy?(): unknown;
  getSlotRandomNode?: unknown;
}

export const noop = (): void => {};

/** True for an ioredis `Cluster`. */
export function isIoredisCluster(conn: Conn): boolean {
  return typeof conn.call === "function" && conn.isCluster === true && typeof conn.nodes === "function";
}

/** Closes a connection keyward opened, whatever its flavour; never throws. */
export async function closeConn(conn: Conn): Promise<void> {
  try {
    if (typeof conn.call === "function") conn.disconnect?.();
    else if (typeof conn.destroy === "function") conn.destroy();
    else await conn.disconnect?.();
  } catch {
    // already closed
  }
}

function attach(conn: Conn, handlers: [string, Handler][]): () => void {
  for (const [event, fn] of handlers) conn.on(event, fn);
  return () => {
    for (const [event, fn] of handlers) conn.removeListener?.(event, fn);
  };
}

/** ioredis `Redis`: resubscribe explicitly on every `ready` (its own auto-resubscribe is not awaited). */
function ioredisSubscription(conn: Conn, channel: string, events: SubscriptionEvents, owned: boolean): Subscription {
  let stopped = false;
  const subscribe = (): void => {
    conn.subscribe(channel).then(() => stopped || events.subscribed(), noop);
  };
  const detach = attach(conn, [
    ["message", (ch, message) => ch === channel && typeof message === "string" && events.message(message)],
    ["ready", subscribe],
    ["close", () => events.lost()],
    ["error", noop],
  ]);
  if (conn.status === "ready") subscribe();
  else if (conn.status === "wait") conn.connect?.().catch(noop);
  return {
    async stop() {
      stopped = true;
      detach();
      if (owned) await closeConn(conn);
      else await conn.unsubscribe?.(channel).catch(noop);
    },
  };
}

/** node-redis client or cluster: it resubscribes before emitting `ready` on a reconnect. */
function nodeRedisSubscription(conn: Conn, channel: string, events: SubscriptionEvents, owned: boolean): Subscription {
  let subscribed = false;
  let pending = false;
  let stopped = false;
  const onMessage = (message: string): void => events.message(message);
  const ensure = async (): Promise<void> => {
    if (pending || subscribed || stopped) return;
    pending = true;
    try {
      if (conn.isOpen === false) await conn.connect?.();
      await conn.subscribe(channel, onMessage);
      subscribed = true;
      if (!stopped) events.subscribed();
    } catch {
      // stays down; retried on the next `ready` (or the feed rebuilds the connection)
    } finally {
      pending = false;
    }
  };
  const lost: Handler = () => events.lost();
  // every drop of a ready connection emits `reconnecting` (or `end`); a cluster reports its nodes' as `node-*`
  const detach = attach(conn, [
    ["ready", () => (subscribed ? events.subscribed() : void ensure())],
    ["error", noop],
    ["reconnecting", lost],
    ["end", lost],
    ["node-error", lost],
    ["node-reconnecting", lost],
    ["node-disconnect", lost],
  ]);
  void ensure();
  return {
    async stop() {
      stopped = true;
      detach();
      if (owned) await closeConn(conn);
      else await conn.unsubscribe?.(channel, onMessage).catch(noop);
    },
  };
}

const PICK_MIN_MS = 20;
const PICK_MAX_MS = 1_000;

/**
 * ioredis `Cluster`: its own subscriber moves between nodes without telling
 * anyone, so keyward subscribes on a connection of its own to one node of the
 * cluster (a duplicate of that node's connection), sees every drop as `close`,
 * and picks a node again (from the cluster's current topology) when it ends.
 * Classic PUBLISH reaches every node, so any node will do.
 */
function ioredisClusterSubscription(cluster: Conn, channel: string, events: SubscriptionEvents): Subscription {
  let stopped = false;
  let attempt = 0;
  let current: Conn | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const later = (): void => {
    if (stopped || timer !== null) return;
    const delay = Math.min(PICK_MAX_MS, PICK_MIN_MS * 2 ** Math.min(attempt++, 10));
    timer = setTimeout(() => {
      timer = null;
      open();
    }, delay);
    (timer as { unref?: () => void }).unref?.();
  };

  const open = (): void => {
    if (stopped) return;
    let nodes: Conn[] = [];
    try {
      nodes = (cluster.nodes?.("all") ?? []).filter((n) => n.status !== "end");
    } catch {
      // not connected yet
    }
    const node = nodes[Math.floor(Math.random() * nodes.length)];
    if (node === undefined || typeof node.duplicate !== "function") {
      later();
      return;
    }
    const conn = node.duplicate({ lazyConnect: true, retryStrategy: null, readOnly: false }) as Conn;
    current = conn;
    conn.on("error", noop);
    conn.on("message", (ch, message) => {
      if (current === conn && ch === channel && typeof message === "string") events.message(message);
    });
    conn.once?.("close", () => current === conn && events.lost());
    conn.once?.("end", () => {
      if (current !== conn) return;
      current = null;
      later();
    });
    Promise.resolve(conn.connect?.())
      .then(() => conn.subscribe(channel))
      .then(
        () => {
          if (current !== conn) return;
          attempt = 0;
          events.subscribed();
        },
        () => void closeConn(conn), // `end` follows and picks again
      );
  };

  open();
  return {
    async stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      const conn = current;
      current = null;
      if (conn) await closeConn(conn);
    },
  };
}

/**
 * Subscribes to `channel` on `source`: for an ioredis `Cluster`, on a node
 * connection of its own; otherwise on a duplicate of `source` (`owned`,
 * closed by `stop`) or on `source` itself (only unsubscribed by `stop`).
 *
 * @example
 * ```ts
 * const sub = subscribe(client, true, "keyward:changes", { message, subscribed, lost });
 * await sub.stop();
 * ```
 */
export function subscribe(source: Conn, owned: boolean, channel: string, events: SubscriptionEvents): Subscription {
  if (isIoredisCluster(source)) return ioredisClusterSubscription(source, channel, events);
  const conn = (owned ? source.duplicate?.() : source) as Conn;
  if (owned) conn.on("error", noop); // an owned connection never has an unhandled `error`
  return typeof conn.call === "function"
    ? ioredisSubscription(conn, channel, events, owned)
    : nodeRedisSubscription(conn, channel, events, owned);
}
