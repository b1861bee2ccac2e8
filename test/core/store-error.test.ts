import { createKeyward, isKeywardError, type KeyStore, KeywardError, StoreError, StoreUnavailableError } from "keyward";
import { memoryStore } from "keyward/memory";
import { makeRecord } from "keyward/testing";
import { describe, expect, it } from "vitest";

/** What `fn` threw (or rejected with). */
async function thrown(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

describe("StoreError: one error convention for stores", () => {
  it("carries a stable code, status 503, the class name and the cause; it is a KeywardError", () => {
    const cause = new Error("ECONNREFUSED");
    const error = new StoreError("store_unreachable", "myStore: the database did not answer", { cause });
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toBeInstanceOf(KeywardError);
    expect(isKeywardError(error)).toBe(true);
    expect(error).toMatchObject({ name: "StoreError", code: "store_unreachable", status: 503, cause });
    expect(error.message).toBe("myStore: the database did not answer");
  });

  it("the memory store refuses a duplicate id or hash with code duplicate_record, naming neither value", async () => {
    const store = memoryStore();
    const record = makeRecord();
    store.insert(record);
    for (const duplicate of [makeRecord({ id: record.id }), makeRecord({ hash: record.hash })]) {
      const error = await thrown(() => store.insert(duplicate));
      expect(error).toBeInstanceOf(StoreError);
      expect(error).toMatchObject({ code: "duplicate_record" });
      expect((error as Error).message).not.toContain(record.hash);
      expect((error as Error).message).not.toContain(record.id);
    }
    expect(store.size).toBe(1);
  });

  it("keyward still fails closed on it: a management call throws StoreUnavailableError with the StoreError as cause", async () => {
    const inner = memoryStore();
    const store: KeyStore = Object.assign(Object.create(inner) as KeyStore, {
      insert: () => {
        throw new StoreError("duplicate_record", "myStore: a record with this id already exists");
      },
    });
    const error = await thrown(() => createKeyward({ store }).create({ owner: "o", label: "l" }));
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as StoreUnavailableError).cause).toBeInstanceOf(StoreError);
    expect((error as StoreUnavailableError).cause).toMatchObject({ code: "duplicate_record" });
  });
});

describe("the memory store's change feed is a ChangeFanout", () => {
  it("every watcher is live at once and hears every change; one that throws does not stop the others; unwatching stops it", async () => {
    const store = memoryStore();
    const seen: string[] = [];
    store.watch?.({
      onChange: () => {
        throw new Error("bad watcher");
      },
      onReset: () => {},
      onDown: () => {},
    });
    const unwatch = await store.watch?.({ onChange: (id) => seen.push(id), onReset: () => seen.push("reset"), onDown: () => {} });
    const record = makeRecord();
    store.insert(record);
    store.update(record.id, { label: "renamed" });
    store.clear();
    await unwatch?.();
    store.insert(record);
    store.update(record.id, { label: "again" });
    // live from the start (in-process), then the change, then the reset of clear()
    expect(seen).toEqual(["reset", record.id, "reset"]);
  });

  it("refuses a watcher that is not a listener", () => {
    expect(() => memoryStore().watch?.({} as never)).toThrow(TypeError);
  });
});
