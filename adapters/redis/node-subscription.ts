/**
 * One pub/sub subscription on the change channel over one connection:
 * an ioredis `Redis` or a node-redis client.
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
  getRandomNode?(): unknown;
  nodeClient?(node: unknown): unknown;
}

export const noop = (): void => {};

/** True for an ioredis `Cluster`. */
export function isIoredisCluster(conn: Conn): boolean {
  return typeof conn.call === "function" && conn.isCluster === true && typeof conn.nodes === "function";
}

/** True for a node-redis cluster that can hand out a node's client (v4.6+). */
export function isNodeRedisCluster(conn: Conn): boolean {
  return typeof conn.getRandomNode === "function" && typeof conn.nodeClient === "function";
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
export function ioredisSubscription(conn: Conn, channel: string, events: SubscriptionEvents, owned: boolean): Subscription {
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
export function nodeRedisSubscription(conn: Conn, channel: string, events: SubscriptionEvents, owned: boolean): Subscription {
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
