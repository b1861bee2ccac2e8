import type Redis from "ioredis";
import { createKeyward, StoreError, StoreUnavailableError } from "keyward";
import { type RedisStore, redisStore, type SendCommand } from "keyward/redis";
import { makeRecord, storeConformance } from "keyward/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cleanup,
  closeNodeRedis,
  ioredis,
  keysUnder,
  NODE_REDIS_MAJOR,
  nodeRedis,
  noteSkip,
  REDIS_URL,
  sendOf,
  uniquePrefix,
} from "../../support/redis.js";

noteSkip("redis-conformance");

describe.skipIf(!REDIS_URL)("redisStore against a real Redis", () => {
  const prefix = uniquePrefix("conf");
  let io: Redis;
  let node: Awaited<ReturnType<typeof nodeRedis>>;
  let send: SendCommand;

  beforeAll(async () => {
    io = ioredis();
    node = await nodeRedis();
    send = sendOf(io);
  });

  afterAll(async () => {
    await cleanup(send, prefix);
    io.disconnect();
    closeNodeRedis(node);
  });

  storeConformance({
    name: "redisStore (ioredis)",
    store: () => redisStore({ client: io, prefix: `${prefix}:io` }),
    describe,
    it,
    expect,
  });
  storeConformance({
    name: "redisStore (node-redis)",
    store: () => redisStore({ client: node, prefix: `${prefix}:node` }),
    describe,
    it,
    expect,
  });
  storeConformance({
    name: "redisStore (sendCommand function)",
    store: () => redisStore({ sendCommand: (c) => node.sendCommand(c), prefix: `${prefix}:fn` }),
    describe,
    it,
    expect,
  });

  /** A store whose every command is recorded. */
  function recorded(p: string): { store: RedisStore; commands: string[][] } {
    const commands: string[][] = [];
    const store = redisStore({ sendCommand: (c) => (commands.push(c), send(c)), prefix: p });
    return { store, commands };
  }

  it("finds a record by hash in exactly one command", async () => {
    const { store, commands } = recorded(`${prefix}:count`);
    const r = makeRecord();
    await store.insert(r);
    commands.length = 0;
    expect(await store.findByHash(r.hash)).toEqual(r);
    expect(commands).toEqual([["HGETALL", `${prefix}:count:rec:{${r.hash}}`]]);
  });

  it("keeps each record in one key, its indexes tagged by what they are looked up by", async () => {
    const p = `${prefix}:layout`;
    const store = redisStore({ client: io, prefix: p });
    const r = makeRecord();
    await store.insert(r);
    expect((await keysUnder(send, p)).sort()).toEqual(
      [`${p}:id:{${r.id}}`, `${p}:own:{${r.owner}}`, `${p}:rec:{${r.hash}}`].sort(),
    );
    expect(await send(["TYPE", `${p}:rec:{${r.hash}}`])).toBe("hash");
    expect(store.channel).toBe(`${p}:changes`);
  });

  it("falls back to EVAL when the server has forgotten its scripts (NOSCRIPT)", async () => {
    const { store, commands } = recorded(`${prefix}:noscript`);
    const r = makeRecord();
    await store.insert(r);
    await send(["SCRIPT", "FLUSH"]);
    commands.length = 0;
    expect((await store.transition(r.id, "disable", 1_700_000_000_001))?.disabledAt).toBe(1_700_000_000_001);
    expect(commands.map((c) => c[0])).toEqual(["GET", "EVALSHA", "EVAL"]);
    commands.length = 0;
    await store.transition(r.id, "enable", 1_700_000_000_002);
    expect(commands.map((c) => c[0])).toEqual(["GET", "EVALSHA"]);
  });

  it.runIf(NODE_REDIS_MAJOR >= 5)("reads a node-redis RESP3 reply as well as RESP2 (node-redis 5 and later)", async () => {
    const resp3 = await (await import("redis")).createClient({ url: REDIS_URL, RESP: 3 }).connect();
    try {
      const store = redisStore({ client: resp3, prefix: `${prefix}:resp3` });
      const r = makeRecord({ role: "viewer", lastUsedAt: 1_700_000_000_123 });
      await store.insert(r);
      expect(await store.findByHash(r.hash)).toEqual(r);
      expect(await store.get(r.id)).toEqual(r);
    } finally {
      closeNodeRedis(resp3);
    }
  });

  it("fails closed on a damaged record instead of guessing", async () => {
    const store = redisStore({ client: io, prefix: `${prefix}:damaged` });
    const r = makeRecord();
    await store.insert(r);
    await send(["HDEL", `${prefix}:damaged:rec:{${r.hash}}`, "scopes"]);
    const error = await Promise.resolve(store.findByHash(r.hash)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ code: "damaged_record", message: 'redisStore: stored record lacks "scopes"' });
  });

  it("fails closed when a record read answers another key's record (a reply out of step): 503, never 401", async () => {
    const p = `${prefix}:another`;
    const store = redisStore({ client: io, prefix: p });
    const kw = createKeyward({ store, prefix: "kw", lastUsed: false });
    const a = await kw.create({ owner: "org_another", label: "a" });
    const b = await kw.create({ owner: "org_another", label: "b" });
    const hashA = (await store.get(a.apiKey.id))?.hash as string;
    const hashB = (await store.get(b.apiKey.id))?.hash as string;
    // b's record key now holds a's record, as if the reply for b's read were the one meant for a's
    await send(["COPY", `${p}:rec:{${hashA}}`, `${p}:rec:{${hashB}}`, "REPLACE"]);
    await expect(Promise.resolve(store.findByHash(hashB))).rejects.toMatchObject({ code: "damaged_record" });
    await expect(Promise.resolve(store.get(b.apiKey.id))).rejects.toMatchObject({ code: "damaged_record" });
    expect(await kw.verify(b.key)).toMatchObject({ ok: false, error: { code: "unavailable", status: 503 } });
    await expect(kw.get(b.apiKey.id)).rejects.toBeInstanceOf(StoreUnavailableError);
    expect((await kw.verify(a.key)).ok).toBe(true);
  });

  it("fails closed on an expiresAt that is not a number (an invalid date): 503, never valid", async () => {
    const p = `${prefix}:baddate`;
    const store = redisStore({ client: io, prefix: p });
    const kw = createKeyward({ store, prefix: "kw", lastUsed: false });
    for (const damaged of ["soon", "", " 1", "NaN", "Infinity", "1e400", "2030-01-01", "undefined", "0x10"]) {
      const { key, apiKey } = await kw.create({ owner: "org_date", label: "dated", expiresAt: Date.now() + 3_600_000 });
      expect((await kw.verify(key)).ok).toBe(true);
      const hash = (await store.get(apiKey.id))?.hash as string;
      await send(["HSET", `${p}:rec:{${hash}}`, "expiresAt", damaged]);
      const label = JSON.stringify(damaged);
      await expect(Promise.resolve(store.findByHash(hash)), label).rejects.toMatchObject({
        code: "damaged_record",
        message: expect.stringMatching(/expiresAt/),
      });
      expect(await kw.verify(key), label).toMatchObject({ ok: false, error: { code: "unavailable", status: 503 } });
      await expect(kw.get(apiKey.id), label).rejects.toBeInstanceOf(StoreUnavailableError);
    }
  });

  it.each([
    ["scopes", '"jobs:*"'],
    ["scopes", '["jobs:read", 7]'],
    ["scopes", '{"0": "jobs:read"}'],
    ["scopes", "null"],
    ["metadata", "[]"],
    ["metadata", '"text"'],
    ["metadata", "null"],
    ["metadata", "{not json"],
  ])("fails closed when %s holds %s after JSON.parse: 503, never valid", async (field, value) => {
    const p = `${prefix}:badjson`;
    const store = redisStore({ client: io, prefix: p });
    const kw = createKeyward({ store, prefix: "kw", lastUsed: false, roles: {} });
    const { key, apiKey } = await kw.create({ owner: "org_json", label: "k", scopes: ["jobs:read"] });
    const hash = (await store.get(apiKey.id))?.hash as string;
    await send(["HSET", `${p}:rec:{${hash}}`, field, value]);
    await expect(Promise.resolve(store.findByHash(hash))).rejects.toMatchObject({
      code: "damaged_record",
      message: expect.stringMatching(new RegExp(field)),
    });
    expect(await kw.verify(key, { scopes: ["jobs:read"] })).toMatchObject({ ok: false, error: { code: "unavailable" } });
    await expect(kw.revoke(apiKey.id)).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it("refuses a record it cannot hold (invalid_record) before writing anything", async () => {
    const p = `${prefix}:range`;
    const store = redisStore({ client: io, prefix: p });
    for (const record of [
      makeRecord({ createdAt: -1 }),
      makeRecord({ createdAt: 1.5 }),
      makeRecord({ id: "with\0nul" }),
      makeRecord({ expiresAt: Number.NaN }),
      makeRecord({ lastUsedAt: Number.POSITIVE_INFINITY }),
    ]) {
      const error = await Promise.resolve()
        .then(() => store.insert(record))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect(error).toMatchObject({ code: "invalid_record" });
    }
    expect(await keysUnder(send, p)).toEqual([]);
  });

  it("rolls a rotation back when the replacement cannot be inserted", async () => {
    const store = redisStore({ client: io, prefix: `${prefix}:rollback` });
    const old = makeRecord({ expiresAt: 1_900_000_000_000 });
    const taken = makeRecord();
    await store.insert(old);
    await store.insert(taken);
    const clash = makeRecord({ owner: old.owner, hash: taken.hash });
    await expect(Promise.resolve(store.rotate(old.id, clash, 1_800_000_000_000))).rejects.toMatchObject({
      code: "duplicate_record",
    });
    expect(await store.get(old.id)).toEqual(old);
    expect(await store.get(clash.id)).toBeNull();
    expect(await store.findByHash(taken.hash)).toEqual(taken);
  });

  it("validates its options", () => {
    expect(() => redisStore({} as never)).toThrow(TypeError);
    expect(() => redisStore({ client: {} as never })).toThrow(TypeError);
    expect(() => redisStore({ client: io, prefix: "" })).toThrow(TypeError);
    expect(redisStore({ sendCommand: send }).watch).toBeUndefined();
    expect(redisStore({ client: io }).prefix).toBe("keyward");
  });
});
