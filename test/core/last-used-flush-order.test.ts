import { memoryStore } from "keyward/memory";
import { describe, expect, it } from "vitest";
import { LastUsedTracker } from "../../src/last-used.js";
import type { KeyStore, Use } from "../../src/store.js";

describe("last-used flushes", () => {
  it("run one write at a time, and each resolves only once the uses queued before it are written", async () => {
    const base = memoryStore();
    const written: string[][] = [];
    let writing = 0;
    let overlapped = false;
    const store: KeyStore = {
      ...base,
      touch: async (uses: readonly Use[]) => {
        overlapped ||= writing > 0;
        writing++;
        await new Promise((r) => setTimeout(r, 20));
        written.push(uses.map((u) => u.id));
        writing--;
      },
    };
    const tracker = new LastUsedTracker(store, { window: 60_000, flushDelay: 60_000 });
    tracker.record("a", 1);
    const first = tracker.flush();
    tracker.record("b", 2);
    const second = tracker.flush();
    const third = tracker.flush();
    await third; // waits for the write of "b" that `second` started while it waited too
    expect(written).toEqual([["a"], ["b"]]);
    await Promise.all([first, second]);
    expect(overlapped).toBe(false);
  });
});
