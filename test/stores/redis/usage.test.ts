import type Redis from "ioredis";
import type { Cluster } from "ioredis";
import { type RedisClientLike, redisStore } from "keyward/redis";
import { makeRecord } from "keyward/testing";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, closeNodeRedis, ioredis, nodeRedis, noteSkip, REDIS_URL, sendOf, uniquePrefix } from "../../support/redis.js";
import {
  CLUSTER_NODES,
  cleanupCluster,
  closeCluster,
  ioCluster,
  lockCluster,
  type NodeCluster,
  nodeCluster,
  noteClusterSkip,
} from "../../support/redis-cluster.js";
import {
  type ConsumingStore,
  differential,
  exactCredits,
  exactLimit,
  oneRefill,
  oneRoundTrip,
} from "../../support/usage-stores.js";

noteSkip("redis-usage");
noteClusterSkip("redis-usage");

/** A client as the store sees it, counting the commands sent through it. */
interface Counted {
  client: RedisClientLike;
  sent(): number;
}

function countIo(io: Redis | Cluster): Counted {
  let sent = 0;
  const client = {
    call: (name: string, ...args: string[]) => {
      sent += 1;
      return io.call(name, ...args);
    },
    ...(io instanceof Object && "isCluster" in io && io.isCluster ? { isCluster: true } : {}),
  };
  return { client, sent: () => sent };
}

function countNode(node: { sendCommand(args: string[]): Promise<unknown> }): Counted {
  let sent = 0;
  return {
    client: { sendCommand: (args: string[]) => ((sent += 1), node.sendCommand(args)) },
    sent: () => sent,
  };
}

function countNodeCluster(cluster: NodeCluster): Counted {
  let sent = 0;
  const client = {
    getSlotRandomNode: (slot: number) => cluster.getSlotRandomNode(slot),
    sendCommand: (key: string | undefined, readonly: boolean | undefined, args: string[]) => {
      sent += 1;
      return cluster.sendCommand(key, readonly, args);
    },
  };
  return { client, sent: () => sent };
}

function usageSuite(name: string, connect: () => Promise<Counted>, cleanupAll: (prefix: string) => Promise<void>) {
  describe(name, () => {
    const prefix = uniquePrefix("usage");
    const counted: Counted[] = [];
    let stores: ConsumingStore[] = [];
    const open = async () => {
      if (stores.length === 0) {
        for (let i = 0; i < 3; i++) counted.push(await connect());
        stores = counted.map((c) => redisStore({ client: c.client, namespace: prefix }) as ConsumingStore);
      }
      return stores;
    };
    afterAll(async () => {
      await cleanupAll(prefix);
    });

    it("round-trips the usage fields through insert, get, findByHash and rotate; a key without them has none", async () => {
      const [store] = (await open()) as [ConsumingStore];
      const plain = makeRecord();
      const full = makeRecord({
        ratelimit: { limit: 100, window: 60_000 },
        credits: { remaining: 500, refill: { amount: 500, interval: 86_400_000 }, refilledAt: 1_700_000_000_000 },
        allowedIps: ["10.0.0.0/8", "2001:db8::/32"],
      });
      const once = makeRecord({ credits: { remaining: 7, refill: null, refilledAt: null } });
      for (const r of [plain, full, once]) await store.insert(r);
      for (const r of [plain, full, once]) {
        expect(await store.get(r.id)).toEqual(r);
        expect(await store.findByHash(r.hash)).toEqual(r);
      }
      const plainRead = await store.get(plain.id);
      expect(plainRead && "credits" in plainRead).toBe(false);
      const next = makeRecord({ owner: full.owner, ratelimit: { limit: 5, window: 1_000 }, allowedIps: ["192.0.2.7"] });
      expect(await store.rotate(full.id, next, 1_900_000_000_000)).toMatchObject({ credits: full.credits, rotatedTo: next.id });
      expect(await store.get(next.id)).toEqual(next);
      // the window lives in the record's own hash map and never shows in the record
      await store.consume(full.hash, { now: 1_700_000_000_001, cost: 1, ratelimit: { limit: 100, window: 60_000 } });
      expect(await store.findByHash(full.hash)).toEqual({
        ...full,
        rotatedTo: next.id,
        expiresAt: 1_900_000_000_000,
        credits: { ...full.credits, remaining: 499 },
      });
    });

    it("refuses a usage field it cannot hold exactly with invalid_record, writing nothing", async () => {
      const [store] = (await open()) as [ConsumingStore];
      const bad = makeRecord({ ratelimit: { limit: 10, window: 0.5 } });
      await expect(Promise.resolve(store.insert(bad))).rejects.toMatchObject({ code: "invalid_record" });
      expect(await store.findByHash(bad.hash)).toBeNull();
    });

    it("answers every consume exactly as consumeUsage() does (random sequences)", async () => {
      await differential(async () => (await open())[0] as ConsumingStore);
    }, 120_000);

    it("limit 100: 64 concurrent clients on 3 store instances → exactly 100 accepted", async () => {
      await exactLimit(await open());
    }, 60_000);

    it("credits 1,000 spent with random costs 64-way: never negative, accepted costs sum to exactly 1,000", async () => {
      await exactCredits(await open());
    }, 60_000);

    it("at a refill boundary 64 concurrent clients see exactly one refill", async () => {
      await oneRefill(await open());
    }, 60_000);

    it("costs exactly one command per consume (one script)", async () => {
      const stores = await open();
      await oneRoundTrip(stores[1] as ConsumingStore, () => counted[1]?.sent() ?? 0);
    });
  });
}

describe("consume answers the store cannot read (no server)", () => {
  const storeAnswering = (reply: unknown) => redisStore({ sendCommand: async () => reply }) as ConsumingStore;
  const request = { now: 1, cost: 1, ratelimit: null };

  it("is null for a missing record, under RESP2 (nil) and RESP3 (false)", async () => {
    expect(await storeAnswering(null).consume("v1:x", request)).toBeNull();
    expect(await storeAnswering(false).consume("v1:x", request)).toBeNull();
  });

  it.each([
    ["not an array", "OK"],
    ["too short", ["0", "1"]],
    ["an unknown outcome", ["7", "", "", "", "", ""]],
    ["a number in exponent form", ["0", "1e+21", "1", "0", "", ""]],
    ["a fraction", ["0", "", "", "", "1.5", ""]],
  ])("fails closed with damaged_record on a reply that is %s", async (_what, reply) => {
    await expect(Promise.resolve(storeAnswering(reply).consume("v1:x", request))).rejects.toMatchObject({
      code: "damaged_record",
    });
  });

  it("reads a record from a flat array, a Map or an object, ignoring fields it never writes", async () => {
    const pairs: [string, string][] = [
      ["v", "1"],
      ["id", "i"],
      ["owner", "o"],
      ["label", "l"],
      ["keyPrefix", "p"],
      ["last4", "abcd"],
      ["hash", "v1:x"],
      ["scopes", '["jobs:read"]'],
      ["metadata", '{"plan":"pro"}'],
      ["createdAt", "1"],
      ["expiresAt", "5000"],
      ["role", "viewer"],
      ["rotatedTo", "j"],
      ["someday", "a field of a later version"],
      ["rlLimit", "10"],
      ["rlWindow", "1000"],
      ["creditsRemaining", "3"],
      ["allowedIps", '["10.0.0.0/8"]'],
    ];
    const expected = {
      id: "i",
      owner: "o",
      label: "l",
      keyPrefix: "p",
      last4: "abcd",
      hash: "v1:x",
      scopes: ["jobs:read"],
      metadata: { plan: "pro" },
      createdAt: 1,
      expiresAt: 5000,
      disabledAt: null,
      revokedAt: null,
      lastUsedAt: null,
      role: "viewer",
      createdBy: null,
      rotatedFrom: null,
      rotatedTo: "j",
      ratelimit: { limit: 10, window: 1000 },
      credits: { remaining: 3, refill: null, refilledAt: null },
      allowedIps: ["10.0.0.0/8"],
    };
    for (const reply of [pairs.flat(), new Map(pairs), Object.fromEntries(pairs)]) {
      const found = await storeAnswering(reply).findByHash("v1:x");
      expect(found).toEqual(expected);
      expect(found).not.toHaveProperty("someday");
    }
    for (const empty of [[], new Map(), {}]) expect(await storeAnswering(empty).findByHash("v1:x")).toBeNull();
  });

  it("fails closed with damaged_record on a record holding half a rate limit", async () => {
    const fields = ["id", "i", "owner", "o", "label", "l", "keyPrefix", "p", "last4", "abcd", "hash", "v1:x"];
    const record = [...fields, "scopes", "[]", "metadata", "{}", "createdAt", "1", "rlLimit", "10"];
    await expect(Promise.resolve(storeAnswering(record).findByHash("v1:x"))).rejects.toMatchObject({ code: "damaged_record" });
  });
});

describe.skipIf(!REDIS_URL)("on Redis (REDIS_URL)", () => {
  const ios: Redis[] = [];
  const nodes: Awaited<ReturnType<typeof nodeRedis>>[] = [];
  afterAll(() => {
    for (const c of ios) c.disconnect();
    for (const c of nodes) closeNodeRedis(c);
  });
  const cleanupSingle = async (prefix: string) => {
    const c = ioredis();
    await cleanup(sendOf(c), prefix);
    c.disconnect();
  };
  usageSuite(
    "usage control on ioredis, 3 clients",
    async () => {
      const c = ioredis();
      ios.push(c);
      return countIo(c);
    },
    cleanupSingle,
  );
  usageSuite(
    "usage control on node-redis, 3 clients",
    async () => {
      const c = await nodeRedis();
      nodes.push(c);
      return countNode(c);
    },
    cleanupSingle,
  );
});

describe.skipIf(CLUSTER_NODES.length === 0)("on a Redis Cluster (REDIS_CLUSTER_NODES)", () => {
  const clusters: (Cluster | NodeCluster)[] = [];
  let release: () => void = () => {};
  let locked: Promise<void> | null = null;
  const lock = () => {
    locked ??= lockCluster().then((r) => {
      release = r;
    });
    return locked;
  };
  afterAll(() => {
    for (const c of clusters) closeCluster(c);
    release();
  });
  const cleanupClusterKeys = async (prefix: string) => {
    const c = ioCluster();
    await cleanupCluster(c, prefix);
    closeCluster(c);
  };
  usageSuite(
    "usage control on an ioredis Cluster, 3 clients",
    async () => {
      await lock();
      const c = ioCluster();
      clusters.push(c);
      return countIo(c);
    },
    cleanupClusterKeys,
  );
  usageSuite(
    "usage control on a node-redis cluster, 3 clients",
    async () => {
      await lock();
      const c = await nodeCluster();
      clusters.push(c);
      return countNodeCluster(c);
    },
    cleanupClusterKeys,
  );
});
