/**
 * `redisStore({ namespace })` names every key and the change channel;
 * `prefix` is its deprecated alias (still honoured, `namespace` wins). Runs
 * without a Redis: the store talks to a command function that records.
 */
import { createKeyward, type KeyStore } from "keyward";
import { type RedisStoreOptions, redisStore } from "keyward/redis";
import { describe, expect, it } from "vitest";

/** Key names of a recorded command (EVAL/EVALSHA carry them after the script and their count). */
function keysOf(command: string[]): string[] {
  const [name] = command;
  if (name === "EVALSHA" || name === "EVAL") return command.slice(3, 3 + Number(command[2]));
  return command.slice(1, 2);
}

/** A store over a command function that answers like an empty Redis; returns every key name it was sent. */
async function keyNamesUsed(
  options: Omit<RedisStoreOptions, "client" | "sendCommand">,
): Promise<{ store: KeyStore; names: string[] }> {
  const names: string[] = [];
  const store = redisStore({
    ...options,
    sendCommand: async (command) => {
      names.push(...keysOf(command));
      if (command[0] === "SET") return "OK";
      if (command[0] === "HGETALL" || command[0] === "ZREVRANGEBYLEX") return [];
      return 1;
    },
  } as RedisStoreOptions);
  const kw = createKeyward({ store, lastUsed: false });
  const { key } = await kw.create({ owner: "org_1", label: "namespaced" });
  await kw.verify(key);
  await kw.list("org_1");
  return { store, names };
}

describe("redisStore namespace", () => {
  it("every key name starts with the namespace, and so does the change channel", async () => {
    const { store, names } = await keyNamesUsed({ namespace: "app1" });
    expect(names.length).toBeGreaterThan(3);
    for (const name of names) expect(name.startsWith("app1:"), name).toBe(true);
    expect(store).toMatchObject({ namespace: "app1", channel: "app1:changes" });
  });

  it("defaults to keyward", async () => {
    const { store, names } = await keyNamesUsed({});
    for (const name of names) expect(name.startsWith("keyward:"), name).toBe(true);
    expect(store).toMatchObject({ namespace: "keyward", prefix: "keyward", channel: "keyward:changes" });
  });

  it("the deprecated prefix option still names the namespace", async () => {
    const { store, names } = await keyNamesUsed({ prefix: "app2" });
    for (const name of names) expect(name.startsWith("app2:"), name).toBe(true);
    expect(store).toMatchObject({ namespace: "app2", prefix: "app2", channel: "app2:changes" });
  });

  it("namespace wins when both are given", async () => {
    const { store, names } = await keyNamesUsed({ namespace: "new", prefix: "old" });
    for (const name of names) expect(name.startsWith("new:"), name).toBe(true);
    expect(store).toMatchObject({ namespace: "new", prefix: "new" });
  });

  it("refuses an empty or non-string namespace under the name it was given", () => {
    const send = async () => null;
    expect(() => redisStore({ sendCommand: send, namespace: "" })).toThrow(/`namespace` must be a non-empty string/);
    expect(() => redisStore({ sendCommand: send, prefix: "" })).toThrow(/`prefix` must be a non-empty string/);
    expect(() => redisStore({ sendCommand: send, namespace: 42 as unknown as string })).toThrow(TypeError);
    expect(() => redisStore({ sendCommand: send, namespace: "ok", prefix: "" })).toThrow(/`prefix`/);
  });
});
