import Redis, { Cluster } from "ioredis";
import { type RedisStore, redisStore } from "keyward/redis";
import { makeRecord } from "keyward/testing";
import { createClient, createCluster } from "redis";
import { describe, expect, expectTypeOf, it } from "vitest";

// No server needed: nothing here connects.
describe("redisStore client detection", () => {
  it("accepts ioredis and node-redis clients and clusters as they are typed", async () => {
    const io = new Redis({ lazyConnect: true });
    const ioCluster = new Cluster([], { lazyConnect: true });
    const node = createClient();
    const nodeCluster = createCluster({ rootNodes: [] });
    const stores = [
      redisStore({ client: io }),
      redisStore({ client: ioCluster }),
      redisStore({ client: node }),
      redisStore({ client: nodeCluster }),
      redisStore({ client: node, subscriber: createClient() }),
      redisStore({ sendCommand: async () => null, subscriber: io }),
    ];
    expectTypeOf(stores[0] as RedisStore).toHaveProperty("findByHash");
    for (const store of stores) expect(store.watch).toBeTypeOf("function");
    // @ts-expect-error either a client or a command function, not both
    expect(() => redisStore({ client: io, sendCommand: async () => null })).not.toThrow();
    io.disconnect();
    await ioCluster.quit().catch(() => {});
  });

  it("routes a node-redis cluster's commands by their key, scripts by their first key", async () => {
    const calls: [string | undefined, boolean | undefined, string[]][] = [];
    const cluster = {
      getSlotRandomNode: () => ({}),
      sendCommand: async (key: string | undefined, readonly: boolean | undefined, args: string[]) => {
        calls.push([key, readonly, args]);
        return args[0] === "GET" ? "v1:h" : null;
      },
    };
    const store = redisStore({ client: cluster, prefix: "p" });
    await store.findByHash("v1:h");
    await store.transition("id-1", "revoke", 1);
    expect(calls.map(([key, readonly, args]) => [key, readonly, args[0]])).toEqual([
      ["p:rec:{v1:h}", true, "HGETALL"],
      ["p:id:{id-1}", true, "GET"],
      ["p:rec:{v1:h}", false, "EVALSHA"],
    ]);
  });

  it("sends ioredis commands through call(name, ...args)", async () => {
    const calls: string[][] = [];
    const client = { call: async (name: string, ...args: string[]) => (calls.push([name, ...args]), null) };
    const store = redisStore({ client });
    expect(store.watch).toBeUndefined(); // no duplicate(), no subscriber: no change feed
    expect(await store.get("abc")).toBeNull();
    expect(calls).toEqual([["GET", "keyward:id:{abc}"]]);
  });

  it("surfaces a client failure as a rejection, never as 'not found'", async () => {
    const store = redisStore({
      sendCommand: async () => {
        throw new Error("connection refused");
      },
    });
    await expect(Promise.resolve(store.findByHash("v1:x"))).rejects.toThrow("connection refused");
    await expect(Promise.resolve(store.insert(makeRecord()))).rejects.toThrow("connection refused");
    await expect(Promise.resolve(store.touch([{ id: "a", at: 1 }]))).rejects.toThrow("connection refused");
  });
});
