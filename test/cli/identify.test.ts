/**
 * The CLI finds a key by its raw value through `keyward.identify`, never
 * around it: the same checksum check and the same hashes, in the same order,
 * as `verify`; the store it opened is only handed to keyward.
 */
import { createHasher, createKeyward, type KeyStore, NotFoundError } from "keyward";
import { memoryStore } from "keyward/memory";
import { describe, expect, it } from "vitest";
import { COMMANDS, type Context } from "../../cli/commands.js";
import type { OpenStore } from "../../cli/connect.js";
import { UsageError } from "../../cli/errors.js";
import type { Settings } from "../../cli/settings.js";

/** A store that records every hash looked up. */
function recording(inner: KeyStore = memoryStore()): KeyStore & { lookups: string[] } {
  const lookups: string[] = [];
  return Object.assign(Object.create(inner) as KeyStore, {
    lookups,
    findByHash(hash: string) {
      lookups.push(hash);
      return inner.findByHash(hash);
    },
  });
}

/** What the CLI opened: a store that throws on every call, so a lookup made around keyward fails the test. */
const poisoned: OpenStore = {
  kind: "postgres",
  store: new Proxy({} as KeyStore, {
    get: () => () => {
      throw new Error("the CLI called the store around keyward");
    },
  }),
  where: "test",
  migrate: async () => null,
  close: async () => {},
};

function settingsWith(peppers: string[], prefix = "kw", prefixSet = false): Settings {
  return { prefix, prefixSet, roles: {}, peppers };
}

/** Runs `keyward <command> --stdin` in-process, reading `key`, against a keyward over `store`. */
async function runByKey(command: "get" | "revoke", key: string, settings: Settings, store: KeyStore) {
  const prepare = COMMANDS[command]?.prepare;
  if (!prepare) throw new Error(`no preparation for ${command}`);
  const prepared = await prepare({
    inv: { command, args: [], flags: { stdin: true }, help: false },
    settings,
    readStdin: async () => `${key}\n`,
    now: Date.now(),
  });
  const keyward = createKeyward({
    store,
    prefix: prepared.prefix ?? settings.prefix,
    ...(settings.peppers.length > 0 && { pepper: settings.peppers }),
    lastUsed: false,
  });
  const out: string[] = [];
  const ctx: Context = { keyward, opened: poisoned, settings, json: true, out: (l) => out.push(l), note: () => {} };
  await prepared.run(ctx);
  return JSON.parse(out.join("\n")) as { id: string; status: string };
}

describe("the CLI's --stdin goes through keyward.identify", () => {
  it("finds a key made under an older pepper with the hashes verify tries, in verify's order", async () => {
    const inner = memoryStore();
    const { key, apiKey } = await createKeyward({ store: inner, pepper: "old" }).create({ owner: "o", label: "l" });
    const store = recording(inner);

    const revoked = await runByKey("revoke", key, settingsWith(["new", "old"]), store);
    expect(revoked).toMatchObject({ id: apiKey.id, status: "revoked" });
    const cliLookups = [...store.lookups];
    expect(cliLookups).toEqual([createHasher("new").hash(key), createHasher("old").hash(key)]);

    store.lookups.length = 0;
    const verified = await createKeyward({ store, pepper: ["new", "old"], lastUsed: false }).verify(key);
    expect(verified.ok ? null : verified.error.code).toBe("revoked");
    expect(store.lookups).toEqual(cliLookups);
  });

  it("tries every pepper, then none: a key hashed before any pepper is found on the third lookup", async () => {
    const inner = memoryStore();
    const { key, apiKey } = await createKeyward({ store: inner }).create({ owner: "o", label: "l" });
    const store = recording(inner);
    expect(await runByKey("get", key, settingsWith(["new", "old"]), store)).toMatchObject({ id: apiKey.id, status: "active" });
    expect(store.lookups).toEqual([createHasher("new").hash(key), createHasher("old").hash(key), createHasher().hash(key)]);
  });

  it("an unknown key: not found after one lookup per hash, and the message never holds the key", async () => {
    const store = recording();
    const { key } = await createKeyward({ store: memoryStore() }).create({ owner: "o", label: "l" });
    const error = await runByKey("revoke", key, settingsWith(["new", "old"]), store).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(String((error as Error).message)).not.toContain(key);
    expect(store.lookups).toHaveLength(3);
  });

  it("with no prefix configured, uses the prefix of the key read; a configured prefix that differs is a usage error", async () => {
    const inner = memoryStore();
    const { key, apiKey } = await createKeyward({ store: inner, prefix: "sk_live" }).create({ owner: "o", label: "l" });
    expect(await runByKey("get", key, settingsWith([]), inner)).toMatchObject({ id: apiKey.id });
    expect(await runByKey("get", key, settingsWith([], "sk_live", true), inner)).toMatchObject({ id: apiKey.id });
    const error = await runByKey("get", key, settingsWith([], "sk_test", true), inner).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/prefix "sk_live", not the configured "sk_test"/);
    expect((error as Error).message).not.toContain(key);
  });
});
