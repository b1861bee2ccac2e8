import { createKeyward, type KeyStore, type Use } from "keyward";
import { memoryStore } from "keyward/memory";
import { afterEach, describe, expect, it, vi } from "vitest";

const FLUSH_DELAY = 25;

describe("last-used writes where timers do not outlive a request (Cloudflare Workers)", () => {
  afterEach(() => vi.restoreAllMocks());

  it("a later use writes the batch whose flush timer was dropped, instead of waiting on it forever", async () => {
    const base = memoryStore();
    const touched: (readonly Use[])[] = [];
    const store: KeyStore = { ...base, touch: (uses) => (touched.push(uses), base.touch(uses)) };
    const kw = createKeyward({ store, prefix: "kw", lastUsed: { window: 60_000, flushDelay: FLUSH_DELAY } });
    const { key, apiKey } = await kw.create({ owner: "o", label: "k" });
    const other = await kw.create({ owner: "o", label: "other" });

    // the runtime drops the flush timer, as workerd does when the request that set it ends
    const setTimer = globalThis.setTimeout;
    const dropped = vi
      .spyOn(globalThis, "setTimeout")
      .mockImplementation(((fn: () => void, ms?: number) =>
        ms === FLUSH_DELAY ? setTimer(() => {}, 0) : setTimer(fn, ms)) as typeof setTimeout);
    expect((await kw.verify(key)).ok).toBe(true);
    expect(dropped.mock.calls.some(([, ms]) => ms === FLUSH_DELAY)).toBe(true);
    await new Promise((r) => setTimer(r, FLUSH_DELAY + 1_200)); // over a second past the flush that never runs
    expect(touched).toEqual([]);

    // the next use the tracker sees (another key) writes the overdue batch, its own use included
    expect((await kw.verify(other.key)).ok).toBe(true);
    await vi.waitFor(() => expect(touched).toHaveLength(1));
    expect(touched[0]?.map((u) => u.id)).toEqual([apiKey.id, other.apiKey.id]);
    expect((await kw.get(apiKey.id))?.lastUsedAt).not.toBeNull();
    expect((await kw.get(other.apiKey.id))?.lastUsedAt).not.toBeNull();
    await kw.close();
  });
});
