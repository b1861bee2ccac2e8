/**
 * Background store failures reach `onEvent` as `store.error` instead of
 * vanishing: a last-used write that fails (`touch`), a change feed that
 * cannot be subscribed to (`watch`) or that drops (`feed`). The event names
 * the operation and the error's name and message — never a key, a hash or a
 * fragment of one — and nothing reaches the request. A listener that
 * throws or returns a rejected promise never causes an unhandled rejection.
 */
import { type ChangeListener, createKeyward, type KeyStore, type KeywardEvent } from "keyward";
import { memoryStore } from "keyward/memory";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const storeErrors = (events: KeywardEvent[]) => events.filter((e) => e.type === "store.error");

describe("store.error events", () => {
  it("a failed last-used write: operation touch, the error's name and message with any key or hash redacted", async () => {
    const base = memoryStore();
    let leak = "";
    const store: KeyStore = {
      ...base,
      touch: () => {
        const error = new RangeError(`write refused for ${leak}`);
        throw error;
      },
    };
    const events: KeywardEvent[] = [];
    const kw = createKeyward({ store, prefix: "cho", onEvent: (e) => void events.push(e), lastUsed: { flushDelay: 1 } });
    const { key, apiKey } = await kw.create({ owner: "org_1", label: "k" });
    const hash = (await base.get(apiKey.id))?.hash ?? "";
    leak = `key ${key} hash ${hash} digest ${hash.slice(3)}`;

    expect((await kw.verify(key)).ok).toBe(true); // the request is untouched
    await kw.close(); // flushes: the write fails (and is retried once, failing again)

    const errors = storeErrors(events);
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors[0]).toMatchObject({
      type: "store.error",
      operation: "touch",
      keyId: null,
      owner: null,
      actor: null,
      error: { name: "RangeError", message: expect.stringMatching(/^write refused for key \[redacted\] hash \[redacted\]/) },
    });
    expect(typeof errors[0]?.time).toBe("string");
    const text = JSON.stringify(events);
    for (const secret of [key, key.slice(4, 30), hash, hash.slice(3), hash.slice(10, 40)]) expect(text).not.toContain(secret);
  });

  it("a change feed that cannot be subscribed to: operation watch, and the cache stops serving", async () => {
    const base = memoryStore();
    let lookups = 0;
    const store: KeyStore = {
      ...base,
      findByHash: (hash) => {
        lookups++;
        return base.findByHash(hash);
      },
      watch: () => Promise.reject(new Error("LISTEN refused: permission denied")),
    };
    const events: KeywardEvent[] = [];
    const kw = createKeyward({ store, prefix: "cho", cache: { ttl: 60_000 }, onEvent: (e) => void events.push(e) });
    const { key, apiKey } = await kw.create({ owner: "org_1", label: "k" });
    await new Promise((resolve) => setImmediate(resolve));
    expect(storeErrors(events)).toEqual([
      expect.objectContaining({ operation: "watch", error: { name: "Error", message: "LISTEN refused: permission denied" } }),
    ]);
    // without a feed a change made elsewhere would go unseen: every verification reads the store
    await kw.verify(key);
    await kw.verify(key);
    expect(lookups).toBe(2);
    base.transition(apiKey.id, "revoke", Date.now()); // another instance revokes it
    expect(await kw.verify(key)).toMatchObject({ ok: false, error: { code: "revoked" } });
    await kw.close();
  });

  it("a change feed that drops: operation feed", async () => {
    let listener: ChangeListener | undefined;
    const store: KeyStore = {
      ...memoryStore(),
      watch: (l) => {
        listener = l;
        return () => {};
      },
    };
    const events: KeywardEvent[] = [];
    const kw = createKeyward({ store, prefix: "cho", cache: { ttl: 60_000 }, onEvent: (e) => void events.push(e) });
    listener?.onDown?.();
    expect(storeErrors(events)).toEqual([
      expect.objectContaining({ type: "store.error", operation: "feed", error: expect.objectContaining({ name: "Error" }) }),
    ]);
    await kw.close();
  });
});

describe("an onEvent listener that fails", () => {
  const unhandled: unknown[] = [];
  const record = (reason: unknown) => void unhandled.push(reason);
  beforeEach(() => {
    unhandled.length = 0;
    process.on("unhandledRejection", record);
  });
  afterEach(() => {
    process.off("unhandledRejection", record);
  });

  it.each([
    ["returns a rejected promise", () => Promise.reject(new Error("audit log down"))],
    [
      "is async and throws",
      async () => {
        throw new Error("audit log down");
      },
    ],
    [
      "throws",
      () => {
        throw new Error("audit log down");
      },
    ],
  ])("%s: every operation still succeeds, and no rejection goes unhandled", async (_name, listener) => {
    const store: KeyStore = { ...memoryStore(), touch: () => Promise.reject(new Error("touch failed")) };
    const kw = createKeyward({ store, prefix: "cho", onEvent: listener, lastUsed: { flushDelay: 1 } });
    const { key, apiKey } = await kw.create({ owner: "org_1", label: "k" });
    expect((await kw.verify(key)).ok).toBe(true);
    expect((await kw.verify("cho_nope")).ok).toBe(false);
    await kw.disable(apiKey.id);
    await kw.close(); // the touch failure is reported to the failing listener too
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(unhandled).toEqual([]);
  });
});
