import { createKeyward, type KeyStore } from "keyward";
import { memoryStore } from "keyward/memory";
import { describe, expect, it } from "vitest";

describe("a last-used write that never answers", () => {
  it("times out like any store call: tracking resumes when the store answers again, and close() does not hang", async () => {
    const base = memoryStore();
    let hang = true;
    const store: KeyStore = {
      ...base,
      touch: (uses) => (hang ? new Promise<void>(() => {}) : base.touch(uses)),
    };
    let now = 1_800_000_000_000;
    const kw = createKeyward({
      store,
      prefix: "kw",
      now: () => now,
      storeTimeout: 50,
      lastUsed: { window: 1_000, flushDelay: 1 },
    });
    const { key, apiKey } = await kw.create({ owner: "o", label: "k" });
    expect((await kw.verify(key)).ok).toBe(true);
    await kw.close(); // the hung write is abandoned after storeTimeout; close() resolves
    expect((await kw.get(apiKey.id))?.lastUsedAt).toBeNull();

    hang = false;
    now += 5_000; // a later window
    expect((await kw.verify(key)).ok).toBe(true);
    await kw.close();
    expect((await kw.get(apiKey.id))?.lastUsedAt).toBe(new Date(now).toISOString());
  });
});
