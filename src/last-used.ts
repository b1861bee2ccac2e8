import { callStore } from "./internal/store-call.js";
import type { KeyStore, Use } from "./store.js";

/**
 * Options of the last-used coalescer.
 *
 * @example
 * ```ts
 * const lastUsed: LastUsedOptions = { window: 5 * 60_000, flushDelay: 2_000 }; // fewer, larger writes
 * const keyward = createKeyward({ store, prefix: "cho", lastUsed });
 * createKeyward({ store, prefix: "cho", lastUsed: false }); // no last-used tracking at all
 * ```
 */
export interface LastUsedOptions {
  /** At most one write per key per window, in ms. Default 60 000. */
  window?: number | undefined;
  /** How long uses are batched before a write, in ms. Default 1 000. */
  flushDelay?: number | undefined;
  /** Deadline of one write, in ms, after which it counts as failed. Default: the instance's `storeTimeout`. */
  timeout?: number | undefined;
}

/** How late (ms) a flush timer must be, at least, before a use writes its batch instead. */
const OVERDUE = 1_000;

/**
 * Coalesces `lastUsedAt` writes: at most one per key per window, batched,
 * monotonic (the store only moves it forward), and never blocking or failing
 * a verification. A failed write is retried with the next batch once, then
 * dropped (the next use in a later window writes again).
 */
export class LastUsedTracker {
  /** At most one write per key per this many ms. */
  readonly window: number;
  private readonly flushDelay: number;
  /** Deadline of one write: a store that never answers must not stall tracking or `close()`. */
  private readonly timeout: number;
  /** key id → time of the last use that was queued. */
  private readonly seen = new Map<string, number>();
  /** key id → use waiting to be written (with how many writes it failed). */
  private pending = new Map<string, { at: number; failures: number }>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** When `timer` is due (wall-clock ms). */
  private dueAt = 0;
  private inflight: Promise<void> | null = null;
  private sweptAt = 0;

  constructor(
    private readonly store: KeyStore,
    options: LastUsedOptions = {},
    /** The clock verifications are timed with: the sweep must use the same one. */
    private readonly clock: () => number = Date.now,
    private readonly onError: (error: unknown) => void = () => {},
  ) {
    this.window = options.window ?? 60_000;
    this.flushDelay = options.flushDelay ?? 1_000;
    this.timeout = options.timeout ?? 2_000;
  }

  /** Note a successful verification of `id` at `now`. O(1), no I/O. Returns the time of the use last queued for `id`. */
  record(id: string, now: number): number {
    const last = this.seen.get(id);
    if (last !== undefined && now - last < this.window) return last;
    this.seen.set(id, now);
    this.pending.set(id, { at: now, failures: 0 });
    this.schedule();
    return now;
  }

  private schedule(): void {
    if (this.timer !== null) {
      // Cloudflare Workers drop a request's timers when it ends: a flush long overdue will never
      // run, so this later use writes the batch instead of leaving it (and every later use) waiting
      if (this.inflight === null && Date.now() - this.dueAt > Math.max(this.flushDelay, OVERDUE)) void this.flush();
      return;
    }
    this.dueAt = Date.now() + this.flushDelay;
    this.timer = setTimeout(() => void this.flush(), this.flushDelay);
    (this.timer as { unref?: () => void }).unref?.();
  }

  /** Write everything pending now. Never rejects. */
  async flush(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    // one write at a time: whoever waited wakes after the write it waited on, and after any started since
    while (this.inflight) await this.inflight;
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const uses: Use[] = [];
    for (const [id, { at }] of batch) uses.push({ id, at });
    this.inflight = (async () => {
      try {
        await callStore(this.timeout, () => this.store.touch(uses));
      } catch (error) {
        this.onError(error);
        for (const [id, use] of batch) {
          if (use.failures === 0 && !this.pending.has(id)) this.pending.set(id, { at: use.at, failures: 1 });
        }
      }
    })();
    await this.inflight;
    this.inflight = null;
    if (this.pending.size > 0) this.schedule(); // retry what failed
    this.sweep(this.clock());
  }

  /** Forget uses older than the window so the map stays bounded by active keys. */
  private sweep(now: number): void {
    if (now - this.sweptAt < this.window) return;
    this.sweptAt = now;
    for (const [id, at] of this.seen) if (now - at >= this.window) this.seen.delete(id);
  }

  /** Forget a key (after a state change), so its next use is written. */
  forget(id: string): void {
    this.seen.delete(id);
    this.pending.delete(id);
  }
}
