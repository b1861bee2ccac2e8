import type Redis from "ioredis";
import { createKeyward } from "keyward";
import { redisStore, type SendCommand } from "keyward/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, ioredis, keysUnder, noteSkip, REDIS_URL, sendOf, sleep, uniquePrefix } from "../../support/redis.js";

noteSkip("redis-leakage");

/** Characters of the random secret in a key body (after `<prefix>_`). */
const SECRET_LENGTH = 48;

describe.skipIf(!REDIS_URL)("what redisStore keeps in Redis", () => {
  const prefix = uniquePrefix("leak");
  let client: Redis;
  let subscriber: Redis;
  let send: SendCommand;
  const published: string[] = [];

  beforeAll(async () => {
    client = ioredis();
    subscriber = ioredis();
    send = sendOf(client);
    subscriber.on("message", (_channel, message) => published.push(message));
    await subscriber.subscribe(`${prefix}:changes`);
  });

  afterAll(async () => {
    await cleanup(send, prefix);
    client.disconnect();
    subscriber.disconnect();
  });

  it("holds no raw key and no secret part of one, in any key, value or change message", async () => {
    const issued: string[] = [];
    for (const pepper of [undefined, "pepper-for-the-leak-test"]) {
      const kw = createKeyward({
        store: redisStore({ client, prefix }),
        prefix: "cho",
        lastUsed: { window: 0, flushDelay: 1 },
        ...(pepper ? { pepper } : {}),
        roles: { viewer: ["jobs:read"] },
        mutableScopes: true,
      });
      for (let i = 0; i < 10; i++) {
        const { key, apiKey } = await kw.create({
          owner: `org_leak_${i % 3}`,
          label: `key ${i}`,
          role: "viewer",
          metadata: { i },
        });
        issued.push(key);
        expect((await kw.verify(key)).ok).toBe(true);
        if (i % 3 === 0) issued.push((await kw.rotate(apiKey.id, { gracePeriod: 60_000 })).key);
        if (i % 3 === 1) await kw.update(apiKey.id, { label: "renamed", scopes: ["jobs:write"] });
        if (i % 3 === 2) await kw.revoke(apiKey.id);
      }
      await kw.close();
    }
    await sleep(50);

    const dump: string[] = [];
    const names = await keysUnder(send, prefix);
    expect(names.length).toBeGreaterThan(20);
    for (const name of names) {
      const type = await send(["TYPE", name]);
      const value =
        type === "hash"
          ? await send(["HGETALL", name])
          : type === "zset"
            ? await send(["ZRANGE", name, "0", "-1", "WITHSCORES"])
            : await send(["GET", name]);
      dump.push(name, JSON.stringify(value));
    }
    const everything = [...dump, ...published].join("\n");
    for (const key of issued) {
      const secret = key.slice("cho_".length, "cho_".length + SECRET_LENGTH);
      expect(secret).toHaveLength(SECRET_LENGTH);
      // assert on booleans so a failure never prints a key
      expect(everything.includes(key)).toBe(false);
      expect(everything.includes(secret)).toBe(false);
    }
  });
});
