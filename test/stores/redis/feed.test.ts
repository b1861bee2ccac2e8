import { EventEmitter } from "node:events";
import { type ChangeListener, createKeyward } from "keyward";
import { redisStore } from "keyward/redis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Heartbeat } from "../../../adapters/shared/heartbeat.js";
import { sleep, until } from "../../support/redis.js";

/** An ioredis-shaped subscriber connection, wired to the fake server below. */
class FakeSubscriber extends EventEmitter {
  status = "ready";
  readonly channels = new Set<string>();
  hangUnsubscribe = false;
  call() {
    throw new Error("a subscriber runs no commands");
  }
  async subscribe(channel: string) {
    this.channels.add(channel);
    return 1;
  }
  unsubscribe(channel: string) {
    if (this.hangUnsubscribe) return new Promise(() => {});
    this.channels.delete(channel);
    return Promise.resolve(0);
  }
}

/** A store on a fake server: PUBLISH reaches the subscriber unless the server went `silent`. */
function harness(options: { heartbeat?: number; downAfter?: number } = {}) {
  const subscriber = new FakeSubscriber();
  const state = { silent: false, published: [] as string[] };
  const store = redisStore({
    prefix: "t",
    subscriber,
    feed: { heartbeat: options.heartbeat ?? 20, downAfter: options.downAfter ?? 60 },
    sendCommand: async (command) => {
      if (command[0] !== "PUBLISH") return null;
      const [, channel, message] = command as [string, string, string];
      state.published.push(message);
      if (!state.silent && subscriber.channels.has(channel)) setTimeout(() => subscriber.emit("message", channel, message), 1);
      return 1;
    },
  });
  const events: string[] = [];
  const listener: ChangeListener = {
    onChange: (id) => events.push(`change:${id}`),
    onReset: () => events.push("reset"),
    onDown: () => events.push("down"),
  };
  return { store, subscriber, state, events, listener };
}

describe("the Redis change feed's heartbeat (no server needed)", () => {
  const rejections: unknown[] = [];
  const onRejection = (e: unknown) => rejections.push(e);
  beforeEach(() => {
    rejections.length = 0;
    process.on("unhandledRejection", onRejection);
  });
  afterEach(() => {
    process.off("unhandledRejection", onRejection);
    expect(rejections).toEqual([]);
  });

  it("starts down and is live only once its own beat came back through the channel; beats are never changes", async () => {
    const h = harness();
    const watching = h.store.watch?.(h.listener);
    expect(h.events).toEqual([]); // down until proven: the listener hears nothing yet
    const stop = await watching;
    expect(h.events).toEqual(["reset"]);
    expect(h.state.published[0]).toMatch(/^~kw-beat:[0-9a-f]{18}:1$/); // never a record id (a UUID)
    h.subscriber.emit("message", "t:changes", "id-1");
    h.subscriber.emit("message", "t:changes", "~kw-beat:0123456789abcdef01:3"); // another instance's beat
    h.subscriber.emit("message", "other", "id-2");
    await sleep(120); // several beats of its own come and go
    expect(h.events).toEqual(["reset", "change:id-1"]);
    await stop?.();
  });

  it("goes down within downAfter when its beats stop coming back (a silent server, a half-open socket, a deaf cluster subscriber), and resets once they return", async () => {
    const h = harness();
    const stop = await h.store.watch?.(h.listener);
    h.state.silent = true;
    const silencedAt = performance.now();
    expect(await until(() => h.events.at(-1) === "down", 2_000, 2)).toBe(true);
    expect(performance.now() - silencedAt).toBeGreaterThanOrEqual(40); // not before its beats were due
    h.state.silent = false;
    expect(await until(() => h.events.at(-1) === "reset", 2_000, 2)).toBe(true);
    expect(h.events).toEqual(["reset", "down", "reset"]);
    await stop?.();
  });

  it("resets when one of its beats goes missing while live (messages around it may be lost)", async () => {
    const h = harness({ heartbeat: 30, downAfter: 1_000 });
    const stop = await h.store.watch?.(h.listener);
    h.state.silent = true;
    await sleep(45); // exactly one beat is swallowed
    h.state.silent = false;
    expect(await until(() => h.events.length >= 2, 1_000, 2)).toBe(true);
    expect(h.events).toEqual(["reset", "reset"]); // a gap, never down: the next beat came in time
    await stop?.();
  });

  it("does not take a stall of its own event loop for a silent feed", async () => {
    const events: string[] = [];
    // delivery like a pg Pool's: the query is written on a later turn of the event loop, the notification comes after
    const publish = (payload: string) => {
      setImmediate(() => setTimeout(() => beat.receive(payload), 5));
      return Promise.resolve();
    };
    const beat = new Heartbeat(
      { interval: 1_000, downAfter: 60 },
      { publish, up: () => events.push("up"), down: () => events.push("down"), gap: () => events.push("gap") },
    );
    beat.start();
    expect(await until(() => beat.isLive, 1_000, 2)).toBe(true);
    beat.beat(); // a beat in flight…
    const end = Date.now() + 300; // …when a CPU-bound stretch blocks timers, input and output alike
    while (Date.now() < end) {}
    await sleep(50);
    expect(events).toEqual(["up"]);
    expect(beat.isLive).toBe(true);
    beat.stop();
  });

  it("a connection drop reported by the client makes it down at once, not after downAfter", async () => {
    const h = harness({ heartbeat: 20, downAfter: 5_000 });
    const stop = await h.store.watch?.(h.listener);
    h.subscriber.emit("close");
    expect(h.events).toEqual(["reset", "down"]);
    h.subscriber.emit("ready"); // reconnected: it subscribes again, and its next beat proves it
    expect(await until(() => h.events.at(-1) === "reset", 1_000, 2)).toBe(true);
    await stop?.();
  });

  it("stops within its bound when a subscriber you passed hangs, and keyward.close() within storeTimeout", async () => {
    const h = harness();
    h.subscriber.hangUnsubscribe = true;
    const stop = await h.store.watch?.(h.listener);
    const started = performance.now();
    await stop?.();
    expect(performance.now() - started).toBeLessThan(1_500);

    const again = harness();
    again.subscriber.hangUnsubscribe = true;
    const kw = createKeyward({ store: again.store, prefix: "kw", cache: { ttl: 60_000 }, storeTimeout: 200 });
    expect(await until(() => again.events.length > 0 || again.state.published.length > 0, 1_000)).toBe(true);
    let closed = false;
    void kw.close().then(() => (closed = true));
    expect(await until(() => closed, 600, 5)).toBe(true);
  });

  it("shares one subscription between its watchers, resets a late one at once, and unsubscribes after the last one leaves", async () => {
    const h = harness();
    const stopOne = await h.store.watch?.(h.listener);
    const seen: string[] = [];
    const stopTwo = await h.store.watch?.({
      onChange: (id) => seen.push(id),
      onReset: () => seen.push("reset"),
      onDown: () => seen.push("down"),
    });
    expect(seen).toEqual(["reset"]); // already live: it may cache at once
    expect(h.subscriber.listenerCount("message")).toBe(1); // one subscription for both
    h.subscriber.emit("message", "t:changes", "id-5");
    expect(h.events.at(-1)).toBe("change:id-5");
    expect(seen).toEqual(["reset", "id-5"]);
    await stopOne?.();
    expect(h.subscriber.channels.has("t:changes")).toBe(true); // the other watcher still listens
    h.subscriber.emit("message", "t:changes", "id-6");
    expect(seen.at(-1)).toBe("id-6");
    expect(h.events.at(-1)).toBe("change:id-5"); // the first one no longer hears anything
    await stopTwo?.();
    expect(h.subscriber.channels.has("t:changes")).toBe(false);
    const published = h.state.published.length;
    await sleep(60);
    expect(h.state.published.length).toBe(published); // no heartbeat after the last watcher left

    const again = await h.store.watch?.(h.listener); // and a new watcher subscribes again
    expect(h.subscriber.channels.has("t:changes")).toBe(true);
    expect(h.events.at(-1)).toBe("reset");
    await again?.();
  });

  it("a throwing watcher never stops the others nor reaches the client's event loop", async () => {
    const h = harness();
    const thrower = () => {
      throw new Error("bad listener");
    };
    const stopBad = await h.store.watch?.({ onChange: thrower, onReset: thrower, onDown: thrower });
    const stop = await h.store.watch?.(h.listener); // reset at once: the feed is live despite the thrower
    expect(h.events).toEqual(["reset"]);
    expect(() => h.subscriber.emit("message", "t:changes", "id-7")).not.toThrow();
    expect(() => h.subscriber.emit("close")).not.toThrow();
    expect(h.events).toEqual(["reset", "change:id-7", "down"]);
    await stop?.();
    await stopBad?.();
  });

  it("resets a watcher without onDown (untyped code) when the feed goes down", async () => {
    const h = harness();
    const events: string[] = [];
    const legacy = { onChange: (id: string) => events.push(id), onReset: () => events.push("reset") };
    const stop = await h.store.watch?.(legacy as unknown as ChangeListener);
    h.subscriber.emit("close");
    expect(events).toEqual(["reset", "reset"]);
    await stop?.();
  });

  it("refuses a watcher that is not a listener, subscribing nothing", () => {
    const h = harness();
    expect(() => h.store.watch?.({ onChange: () => {} } as never)).toThrow(TypeError);
    expect(h.subscriber.channels.size).toBe(0);
    expect(h.state.published).toEqual([]);
  });

  it("validates its heartbeat and replica options", () => {
    const sendCommand = async () => null;
    for (const feed of [
      { heartbeat: 0 },
      { heartbeat: -5 },
      { heartbeat: Number.POSITIVE_INFINITY },
      { downAfter: 150 },
      { heartbeat: 100, downAfter: 50 },
    ]) {
      expect(() => redisStore({ sendCommand, feed }), JSON.stringify(feed)).toThrow(/feed\.(heartbeat|downAfter)/);
    }
    for (const replicas of [
      { count: 0, timeout: 100 },
      { count: 1.5, timeout: 100 },
      { count: 1, timeout: 0 },
      { count: 1 },
      null,
    ]) {
      expect(() => redisStore({ sendCommand, replicas: replicas as never }), JSON.stringify(replicas)).toThrow(/replicas\./);
    }
    expect(() =>
      redisStore({ sendCommand, feed: { heartbeat: 100, downAfter: 250 }, replicas: { count: 1, timeout: 50 } }),
    ).not.toThrow();
  });
});
