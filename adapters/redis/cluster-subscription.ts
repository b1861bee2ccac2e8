import {
  type Conn,
  closeConn,
  ioredisSubscription,
  nodeRedisSubscription,
  noop,
  type Subscription,
  type SubscriptionEvents,
} from "./node-subscription.js";

/**
 * Opens a connection of keyward's own to one node of a cluster (chosen at
 * random from the cluster's current topology), not yet connected, or
 * rejects when the cluster knows no node yet. Internal.
 */
export type NodePicker = () => Promise<{ conn: Conn; ioredis: boolean }>;

/**
 * ioredis `Cluster`: a duplicate of one node's connection (`cluster.nodes()`,
 * `Redis#duplicate`), which never reconnects by itself: when it ends, another
 * node is picked.
 */
export function ioredisNodes(cluster: Conn): NodePicker {
  return async () => {
    const nodes = (cluster.nodes?.("all") ?? []).filter((n) => n.status !== "end");
    const node = nodes[Math.floor(Math.random() * nodes.length)];
    if (node === undefined || typeof node.duplicate !== "function") throw new Error("no cluster node known yet");
    const conn = node.duplicate({ lazyConnect: true, retryStrategy: null, readOnly: false }) as Conn;
    return { conn, ioredis: true };
  };
}

/** node-redis cluster: a duplicate of one node's client (`getRandomNode`, `nodeClient`). */
export function nodeRedisNodes(cluster: Conn): NodePicker {
  return async () => {
    const node = cluster.getRandomNode?.();
    if (node === undefined) throw new Error("no cluster node known yet");
    const client = (await cluster.nodeClient?.(node)) as Conn | undefined;
    if (typeof client?.duplicate !== "function") throw new Error("cluster node has no client");
    return { conn: client.duplicate() as Conn, ioredis: false };
  };
}

const PICK_MIN_MS = 20;
const PICK_MAX_MS = 1_000;

/**
 * A subscription for a cluster. Both clients move their own pub/sub
 * connection between nodes without telling anyone (and node-redis 4 does not
 * report its drops), so keyward subscribes on a plain connection of its own
 * to one node, sees every drop, and picks a node again when the connection
 * ends (the feed also replaces it when it stays down). Classic PUBLISH reaches
 * every node of a cluster, so any node will do.
 *
 * @example
 * ```ts
 * const sub = clusterSubscription(ioredisNodes(cluster), "keyward:changes", events);
 * ```
 */
export function clusterSubscription(pick: NodePicker, channel: string, events: SubscriptionEvents): Subscription {
  let stopped = false;
  let attempt = 0;
  let current: Subscription | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const later = (): void => {
    if (stopped || timer !== null) return;
    const delay = Math.min(PICK_MAX_MS, PICK_MIN_MS * 2 ** Math.min(attempt++, 10));
    timer = setTimeout(() => {
      timer = null;
      void open();
    }, delay);
    (timer as { unref?: () => void }).unref?.();
  };

  const open = async (): Promise<void> => {
    if (stopped) return;
    let picked: Awaited<ReturnType<NodePicker>>;
    try {
      picked = await pick();
    } catch {
      return later(); // no topology yet
    }
    const { conn, ioredis } = picked;
    if (stopped) return void closeConn(conn);
    conn.on("error", noop);
    let mine: Subscription | null = null;
    const own = {
      message: (message: string) => current === mine && events.message(message),
      subscribed: () => {
        if (current !== mine) return;
        attempt = 0;
        events.subscribed();
      },
      lost: () => current === mine && events.lost(),
    };
    mine = ioredis ? ioredisSubscription(conn, channel, own, true) : nodeRedisSubscription(conn, channel, own, true);
    current = mine;
    // an ioredis node duplicate does not reconnect: once it ends, pick a node again
    conn.once?.("end", () => {
      if (current !== mine) return;
      current = null;
      void mine?.stop();
      later();
    });
  };

  void open();
  return {
    async stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      const sub = current;
      current = null;
      await sub?.stop();
    },
  };
}
