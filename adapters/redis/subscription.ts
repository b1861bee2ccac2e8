import { clusterSubscription, ioredisNodes, nodeRedisNodes } from "./cluster-subscription.js";
import {
  type Conn,
  ioredisSubscription,
  isIoredisCluster,
  isNodeRedisCluster,
  nodeRedisSubscription,
  noop,
  type Subscription,
  type SubscriptionEvents,
} from "./node-subscription.js";

/**
 * Subscribes to `channel` on `source`: for a cluster (ioredis or node-redis),
 * on a connection of its own to one node; otherwise on a duplicate of `source` (`owned`,
 * closed by `stop`) or on `source` itself (only unsubscribed by `stop`).
 *
 * @example
 * ```ts
 * const sub = subscribe(client, true, "keyward:changes", { message, subscribed, lost });
 * await sub.stop();
 * ```
 */
export function subscribe(source: Conn, owned: boolean, channel: string, events: SubscriptionEvents): Subscription {
  if (isIoredisCluster(source)) return clusterSubscription(ioredisNodes(source), channel, events);
  if (isNodeRedisCluster(source)) return clusterSubscription(nodeRedisNodes(source), channel, events);
  const conn = (owned ? source.duplicate?.() : source) as Conn;
  if (owned) conn.on("error", noop); // an owned connection never has an unhandled `error`
  return typeof conn.call === "function"
    ? ioredisSubscription(conn, channel, events, owned)
    : nodeRedisSubscription(conn, channel, events, owned);
}
