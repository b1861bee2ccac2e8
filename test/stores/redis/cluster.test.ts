import type { Cluster } from "ioredis";
import { redisStore } from "keyward/redis";
import { storeConformance } from "keyward/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  allCached,
  cachedInstances,
  type Instance,
  type NodeCluster,
  refusalTimes,
  spread,
} from "../../support/cluster-instances.js";
import { sleep, uniquePrefix, until } from "../../support/redis.js";
import {
  CLUSTER_NODES,
  cleanupCluster,
  closeCluster,
  ioCluster,
  lockCluster,
  nodeCluster,
  noteClusterSkip,
  onEveryNode,
} from "../../support/redis-cluster.js";

noteClusterSkip("redis-cluster");

/** Cached instances per client in the feed test. */
const INSTANCES = 12;

describe.skipIf(CLUSTER_NODES.length === 0)("redisStore on a Redis Cluster (REDIS_CLUSTER_NODES)", () => {
  const prefix = uniquePrefix("cluster");
  let io: Cluster;
  let node: NodeCluster;
  const extra: (Cluster | NodeCluster)[] = [];
  const instances: Instance[] = [];

  let release: () => void = () => {};

  beforeAll(async () => {
    release = await lockCluster();
    io = ioCluster();
    await io.call("PING");
    node = await nodeCluster();
  }, 660_000);

  afterAll(async () => {
    try {
      await Promise.all(instances.map((i) => i.kw.close()));
      await cleanupCluster(io, prefix);
      for (const c of extra) closeCluster(c);
      io.disconnect();
      closeCluster(node);
    } finally {
      release();
    }
  });

  storeConformance({
    name: "redisStore (ioredis Cluster)",
    store: () => redisStore({ client: io, prefix: `${prefix}:io` }),
    describe,
    it,
    expect,
  });
  storeConformance({
    name: "redisStore (node-redis createCluster)",
    store: () => redisStore({ client: node, prefix: `${prefix}:node` }),
    describe,
    it,
    expect,
  });

  it("a silent feed (PUBLISH stalled on every node, reads still served): every instance stops trusting its cache within heartbeat + downAfter", async () => {
    const p = `${prefix}:silent`;
    const downAt: number[] = [];
    const upAt: number[] = [];
    const stops: (() => unknown)[] = [];
    for (let i = 0; i < INSTANCES; i++) {
      const store = redisStore({ client: io, prefix: p });
      const stop = await store.watch?.({
        onChange: () => {},
        onReset: () => (upAt[i] = performance.now()),
        onDown: () => (downAt[i] = performance.now()),
      });
      stops.push(() => stop?.());
    }
    try {
      expect(upAt.filter(Boolean)).toHaveLength(INSTANCES); // all live
      downAt.length = 0;
      const pausedAt = performance.now();
      await onEveryNode(CLUSTER_NODES, ["CLIENT", "PAUSE", "1500", "WRITE"]); // PUBLISH waits; reads do not
      const deadline = pausedAt + 1_400;
      while (performance.now() < deadline && downAt.filter(Boolean).length < INSTANCES) await sleep(5);
      const downs = downAt.map((t) => t - pausedAt);
      console.log(
        `[redis cluster] silent feed: ${downs.filter(Number.isFinite).length}/${INSTANCES} down, ${spread(downs)} after PUBLISH stalled (heartbeat 150 + downAfter 450)`,
      );
      expect(downs.filter((t) => Number.isFinite(t) && t < 1_000)).toHaveLength(INSTANCES);
      const resumedAt = pausedAt + 1_500;
      expect(await until(() => upAt.every((t) => t > resumedAt), 5_000)).toBe(true);
      console.log(
        `[redis cluster] silent feed: every instance live again ${spread(upAt.map((t) => t - resumedAt))} after the pause ended`,
      );
    } finally {
      await onEveryNode(CLUSTER_NODES, ["CLIENT", "UNPAUSE"]);
      for (const stop of stops) await stop();
    }
  });

  for (const flavour of ["ioredis", "node-redis"] as const) {
    it(`${INSTANCES} cached instances (${flavour}): after every pub/sub connection is killed and a key revoked at once, none accepts it 1 s later`, async () => {
      const p = `${prefix}:kill-${flavour}`;
      const clients: (Cluster | NodeCluster)[] = [];
      for (let i = 0; i < 3; i++) clients.push(flavour === "ioredis" ? ioCluster() : await nodeCluster());
      extra.push(...clients);
      const group = cachedInstances(clients, INSTANCES, p);
      instances.push(...group);
      const a = group[0] as Instance;

      const { key, apiKey } = await a.kw.create({ owner: "org_kill", label: "kill" });
      expect(await allCached(group, key)).not.toBeNull(); // every feed is live: the key is served from memory everywhere

      const killedAt = performance.now();
      const [killed] = await Promise.all([
        onEveryNode(CLUSTER_NODES, ["CLIENT", "KILL", "TYPE", "pubsub"]),
        a.kw.revoke(apiKey.id),
      ]);
      const revokedAt = performance.now();
      expect((killed as unknown[]).map(Number).reduce((s, n) => s + n, 0)).toBeGreaterThanOrEqual(INSTANCES); // every feed lost its subscriber
      const times = await refusalTimes(group, key, revokedAt, 1_000);
      const accepting = group.filter((_, i) => times[i] === Number.POSITIVE_INFINITY).length;
      console.log(
        `[redis cluster, ${flavour}] pub/sub killed + revoke: ${INSTANCES - accepting}/${INSTANCES} refused within 1 s (${spread(times)} after revoke() resolved)`,
      );
      expect(accepting).toBe(0);
      for (const i of group) expect(await i.kw.verify(key)).toMatchObject({ ok: false, error: { code: "revoked" } });

      // the feeds come back by themselves: a new key is served from every cache again
      const fresh = await a.kw.create({ owner: "org_kill", label: "after" });
      const back = await allCached(group, fresh.key, 15_000);
      console.log(
        `[redis cluster, ${flavour}] every feed live again ${(performance.now() - killedAt).toFixed(0)} ms after the kill`,
      );
      expect(back).not.toBeNull();
      // and carries changes again
      await a.kw.revoke(fresh.apiKey.id);
      const again = await refusalTimes(group, fresh.key, performance.now(), 1_000);
      console.log(`[redis cluster, ${flavour}] revoke after recovery: ${spread(again)}`);
      expect(again.every(Number.isFinite)).toBe(true);
    }, 60_000);
  }
});
