import Redis from "ioredis";
import { type ChangeListener, createKeyward, type Keyward } from "keyward";
import { redisStore, type SendCommand } from "keyward/redis";
import { makeRecord } from "keyward/testing";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cleanup,
  closeNodeRedis,
  ioredis,
  keysUnder,
  nodeRedis,
  noteSkip,
  REDIS_URL,
  sendOf,
  sleep,
  uniquePrefix,
  until,
} from "../../support/redis.js";

/** A listener written before `onDown` was required (untyped code): the feed resets it instead when it drops. */
const withoutOnDown = (listener: Omit<ChangeListener, "onDown">): ChangeListener => listener as ChangeListener;

noteSkip("redis-faults");

const DEAD = { host: "127.0.0.1", port: 1 };

describe.skipIf(!REDIS_URL)("redisStore faults", () => {
  const prefix = uniquePrefix("faults");
  const instances: Keyward[] = [];
  const closers: (() => unknown)[] = [];
  let live: Redis;
  let send: SendCommand;

  const keyward = (store: ReturnType<typeof redisStore>, storeTimeout = 2_000) => {
    const kw = createKeyward({ store, prefix: "kw", storeTimeout });
    instances.push(kw);
    return kw;
  };
  /** Kills the pub/sub connections named `name` (the feed's), like a network drop would. */
  const killSubscribers = async (name: string) => {
    const list = String(await send(["CLIENT", "LIST"])).split("\n");
    const ids = list.filter((l) => l.includes(` name=${name} `) && /\bsub=[1-9]/.test(l)).map((l) => /^id=(\d+)/.exec(l)?.[1]);
    for (const id of ids) await send(["CLIENT", "KILL", "ID", id as string]);
    return ids.length;
  };
  const subscribers = async (channel: string) => ((await send(["PUBSUB", "NUMSUB", channel])) as [string, number])[1];

  beforeAll(() => {
    live = ioredis();
    send = sendOf(live);
  });

  afterAll(async () => {
    for (const kw of instances) await kw.close();
    for (const close of closers) await close();
    await cleanup(send, prefix);
    live.disconnect();
  });

  it("answers unavailable (503) when Redis is unreachable, never 200 or 401, and recovers by itself", async () => {
    const p = `${prefix}:down`;
    const { key } = await keyward(redisStore({ client: live, prefix: p })).create({ owner: "org_down", label: "down" });
    const dead = new Redis({ ...DEAD, lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
    dead.on("error", () => {});
    closers.push(() => dead.disconnect());
    let target: SendCommand = sendOf(dead);
    const kw = keyward(redisStore({ sendCommand: (c) => target(c), prefix: p }));
    expect(await kw.verify(key)).toMatchObject({ ok: false, error: { code: "unavailable", status: 503 } });
    await expect(kw.create({ owner: "org_down", label: "x" })).rejects.toMatchObject({ status: 503 });
    target = send; // the server is reachable again
    expect((await kw.verify(key)).ok).toBe(true);
  });

  it("answers unavailable through node-redis while it cannot connect", async () => {
    const dead = createClient({ socket: { ...DEAD, reconnectStrategy: () => 50 }, disableOfflineQueue: true });
    dead.on("error", () => {});
    dead.connect().catch(() => {});
    closers.push(() => closeNodeRedis(dead));
    const kw = keyward(redisStore({ client: dead, prefix: `${prefix}:down-node` }));
    const { key } = await keyward(redisStore({ client: live, prefix: `${prefix}:down-node` })).create({ owner: "o", label: "x" });
    expect(await kw.verify(key)).toMatchObject({ ok: false, error: { code: "unavailable", status: 503 } });
  });

  it("bounds a store that never answers with storeTimeout", async () => {
    const hanging = redisStore({ sendCommand: () => new Promise(() => {}), prefix: `${prefix}:hang` });
    const kw = keyward(hanging, 200);
    const { key } = await keyward(redisStore({ client: live, prefix: `${prefix}:hang` })).create({ owner: "o", label: "x" });
    expect(await kw.verify(key)).toMatchObject({ ok: false, error: { code: "unavailable" } });
  });

  it("never brings back a revoked key when Redis evicts its record; an evicted live key fails closed", async () => {
    const p = `${prefix}:evict`;
    const kw = keyward(redisStore({ client: live, prefix: p }));
    const revoked = await kw.create({ owner: "org_ev", label: "revoked" });
    const alive = await kw.create({ owner: "org_ev", label: "alive" });
    await kw.revoke(revoked.apiKey.id);
    const recordKeys = (await keysUnder(send, p)).filter((k) => k.startsWith(`${p}:rec:`));
    expect(recordKeys).toHaveLength(2);
    await send(["DEL", ...recordKeys]); // what an allkeys-* eviction would do
    expect(await kw.verify(revoked.key)).toMatchObject({ ok: false, error: { code: "invalid", status: 401 } });
    expect(await kw.verify(alive.key)).toMatchObject({ ok: false, error: { code: "invalid", status: 401 } });
    expect(await kw.get(revoked.apiKey.id)).toBeNull();
    expect((await kw.list("org_ev")).data).toEqual([]);
    await expect(kw.enable(revoked.apiKey.id)).rejects.toMatchObject({ status: 404 });
  });

  it("evicting only a revoked key's index entries leaves it revoked: the revocation is on the record", async () => {
    const p = `${prefix}:evict-index`;
    const kw = keyward(redisStore({ client: live, prefix: p }));
    const { key, apiKey } = await kw.create({ owner: "org_ix", label: "revoked" });
    await kw.revoke(apiKey.id);
    const names = await keysUnder(send, p);
    const indexes = names.filter((k) => !k.startsWith(`${p}:rec:`));
    expect(indexes.map((k) => k.slice(p.length + 1, p.length + 4)).sort()).toEqual(["id:", "own"]);
    for (const name of indexes) {
      await send(["DEL", name]); // one eviction at a time, then both gone
      expect(await kw.verify(key), name).toMatchObject({ ok: false, error: { code: "revoked", status: 401 } });
    }
    // with its id index gone the key cannot even be addressed, let alone re-enabled
    await expect(kw.enable(apiKey.id)).rejects.toMatchObject({ status: 404 });
    expect(await kw.verify(key)).toMatchObject({ ok: false, error: { code: "revoked" } });
  });

  it("no write aimed at an evicted record recreates it: last-used flush, enable, disable, update, rotate, revoke", async () => {
    const p = `${prefix}:evict-writes`;
    const kw = createKeyward({
      store: redisStore({ client: live, prefix: p }),
      prefix: "kw",
      lastUsed: { window: 0, flushDelay: 3_600_000 },
    });
    instances.push(kw);
    const revoked = await kw.create({ owner: "org_wr", label: "revoked" });
    const used = await kw.create({ owner: "org_wr", label: "used" });
    await kw.revoke(revoked.apiKey.id);
    expect((await kw.verify(used.key)).ok).toBe(true); // a last-used write for it is now pending
    const records = (await keysUnder(send, p)).filter((k) => k.startsWith(`${p}:rec:`));
    expect(records).toHaveLength(2);
    await send(["DEL", ...records]); // evict the records, keep the id indexes pointing at them

    await kw.close(); // flushes the pending last-used write into the evicted record's key
    for (const id of [revoked.apiKey.id, used.apiKey.id]) {
      for (const attempt of [
        () => kw.enable(id),
        () => kw.disable(id),
        () => kw.update(id, { label: "revived" }),
        () => kw.rotate(id),
        () => kw.revoke(id),
      ]) {
        await expect(attempt()).rejects.toMatchObject({ status: 404 });
      }
    }
    expect(await send(["EXISTS", ...records])).toBe(0);
    for (const { key } of [revoked, used]) {
      expect(await kw.verify(key)).toMatchObject({ ok: false, error: { code: "invalid", status: 401 } });
    }
    expect((await kw.list("org_wr")).data).toEqual([]);
  });

  for (const flavour of ["ioredis", "node-redis"] as const) {
    it(`tells its watchers the moment the feed drops, resets them once resubscribed, then delivers changes again (${flavour})`, async () => {
      const p = `${prefix}:drop-${flavour}`;
      const name = `kwfeed${Math.random().toString(36).slice(2, 10)}`;
      const client = flavour === "ioredis" ? ioredis({ connectionName: name }) : await nodeRedis(name);
      closers.push(() => ("call" in client ? client.disconnect() : closeNodeRedis(client)));
      const store = redisStore({ client, prefix: p });
      const events: string[] = [];
      const legacy: string[] = [];
      const stop = await store.watch?.({
        onChange: (id) => events.push(id),
        onReset: () => events.push("reset"),
        onDown: () => events.push("down"),
      });
      // a second watcher of the same store, from untyped code without onDown: reset instead, on the same subscription
      const stopLegacy = await store.watch?.(withoutOnDown({ onChange: () => {}, onReset: () => legacy.push("reset") }));
      expect(stop).toBeTypeOf("function");
      expect(events).toEqual(["reset"]); // live: whatever came before is dropped
      expect(legacy).toEqual(["reset"]); // joined a live feed: reset at once
      const r = makeRecord();
      await store.insert(r);

      expect(await killSubscribers(name)).toBe(1); // one subscription for both watchers
      expect(await until(() => events.includes("down"))).toBe(true); // the drop is reported at once
      expect(legacy.length).toBeGreaterThanOrEqual(2); // reset when the feed dropped (and again once live)
      expect(await until(async () => (await subscribers(store.channel)) === 1, 5000)).toBe(true);
      expect(await until(() => events.at(-1) === "reset", 5000)).toBe(true); // proven live again by its heartbeat
      expect(events).toEqual(["reset", "down", "reset"]);
      await store.transition(r.id, "revoke", 1_700_000_000_001);
      expect(await until(() => events.includes(r.id))).toBe(true);

      await stop?.();
      expect(await subscribers(store.channel)).toBe(1); // the other watcher still listens
      await stopLegacy?.();
      expect(await until(async () => (await subscribers(store.channel)) === 0)).toBe(true);
      const list = String(await send(["CLIENT", "LIST"]));
      expect(list.split("\n").filter((l) => l.includes(` name=${name} `) && /\bsub=[1-9]/.test(l))).toEqual([]);
    });
  }

  it("uses a given subscriber connection and leaves it open on unsubscribe", async () => {
    const p = `${prefix}:given`;
    const subscriber = ioredis();
    closers.push(() => subscriber.disconnect());
    const store = redisStore({ client: live, subscriber, prefix: p });
    const seen: string[] = [];
    const stop = await store.watch?.(withoutOnDown({ onChange: (id) => seen.push(id), onReset: () => {} }));
    const r = makeRecord();
    await store.insert(r);
    await store.update(r.id, { label: "renamed" });
    expect(await until(() => seen.includes(r.id))).toBe(true);
    await stop?.();
    expect(await subscribers(store.channel)).toBe(0);
    expect(subscriber.status).toBe("ready");
  });

  for (const flavour of ["ioredis", "node-redis"] as const) {
    it(`never resets its watcher while the feed cannot connect, resolves watch() after its bounded wait, and stops cleanly (${flavour})`, async () => {
      const client =
        flavour === "ioredis"
          ? new Redis({ ...DEAD, lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => 50 })
          : createClient({ socket: { ...DEAD, reconnectStrategy: () => 50 } });
      client.on("error", () => {}); // the feed's heartbeat goes through this client, which cannot connect
      const events: string[] = [];
      const stop = await redisStore({ client, prefix: `${prefix}:nofeed` }).watch?.({
        onChange: (id) => events.push(id),
        onReset: () => events.push("reset"),
        onDown: () => events.push("down"),
      });
      expect(stop).toBeTypeOf("function"); // resolved after its wait, though never live
      expect(events).toEqual([]); // down from the start: nothing may be cached
      await stop?.();
      await sleep(300);
      expect(events).toEqual([]);
    });
  }

  it("while its feed is down, a cached instance reads Redis on every verify, so another instance's revoke is refused at once", async () => {
    const p = `${prefix}:down`;
    const name = `kwdown${Math.random().toString(36).slice(2, 10)}`;
    const clientB = ioredis({ connectionName: name });
    closers.push(() => clientB.disconnect());
    const a = createKeyward({ store: redisStore({ client: live, prefix: p }), prefix: "kw", lastUsed: false });
    const b = createKeyward({
      store: redisStore({ client: clientB, prefix: p }),
      prefix: "kw",
      cache: { ttl: 60_000, max: 100 },
      lastUsed: false,
    });
    instances.push(a, b);
    const { key, apiKey } = await a.create({ owner: "o", label: "k" });
    expect((await b.verify(key)).ok).toBe(true); // cached on B
    expect(await until(async () => (await subscribers(`${p}:changes`)) >= 1)).toBe(true);
    expect(await killSubscribers(name)).toBe(1); // B's feed drops
    await sleep(20);
    // publish lost: B's subscriber is gone; the revoke must still be seen because B no longer trusts its cache
    await a.revoke(apiKey.id);
    expect(await b.verify(key)).toMatchObject({ ok: false, error: { code: "revoked" } });
  });

  it("keyward.close() settles within storeTimeout with a subscriber you passed that cannot connect", async () => {
    const dead = new Redis({ ...DEAD, maxRetriesPerRequest: 0, retryStrategy: () => 50 });
    dead.on("error", () => {});
    closers.push(() => dead.disconnect());
    const kw = createKeyward({
      store: redisStore({ client: live, subscriber: dead, prefix: `${prefix}:dead-sub` }),
      prefix: "kw",
      cache: { ttl: 60_000 },
      storeTimeout: 300,
    });
    await sleep(50);
    let closed = false;
    void kw.close().then(() => (closed = true));
    expect(await until(() => closed, 1_000)).toBe(true);
  });
});
