import { EventEmitter } from "node:events";
import type { ChangeListener } from "keyward";
import { type PgListenConnection, postgresStore } from "keyward/postgres";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { waitFor } from "./postgres-helpers";

/** A listener written before `onDown` was required (untyped code): the feed resets it instead when it drops. */
const withoutOnDown = (listener: Omit<ChangeListener, "onDown">): ChangeListener => listener as ChangeListener;

/** A stand-in for a dedicated pg connection: records queries, can fail on demand. */
class FakeConnection extends EventEmitter {
  readonly queries: string[] = [];
  released = false;
  failListen = false;
  hangListen = false;
  hangPing = false;
  async query(text: string): Promise<{ rows: unknown[] }> {
    this.queries.push(text);
    if (this.released) throw new Error("connection released");
    if (text.startsWith("LISTEN") && this.failListen) throw new Error("LISTEN failed");
    if (text.startsWith("LISTEN") && this.hangListen) return new Promise(() => {});
    if (text === "SELECT 1" && this.hangPing) return new Promise(() => {});
    return { rows: [] };
  }
  release(): void {
    this.released = true;
  }
  notify(channel: string, payload?: string): void {
    this.emit("notification", { channel, payload });
  }
}

function harness(
  options: {
    failFirst?: number;
    heartbeat?: number;
    hangFactory?: boolean;
    onConnect?: (c: FakeConnection, n: number) => void;
  } = {},
) {
  const connections: FakeConnection[] = [];
  const errors: unknown[] = [];
  let calls = 0;
  const listen = async (): Promise<PgListenConnection> => {
    calls++;
    if (options.hangFactory) return new Promise(() => {});
    if (calls <= (options.failFirst ?? 0)) throw new Error(`connect refused (${calls})`);
    const c = new FakeConnection();
    connections.push(c);
    options.onConnect?.(c, connections.length);
    return c;
  };
  const store = postgresStore({
    client: { query: async () => ({ rows: [] }) },
    listen,
    feed: { minDelay: 5, maxDelay: 20, heartbeat: options.heartbeat ?? 0, timeout: 100, onError: (e) => errors.push(e) },
  });
  const events: string[] = [];
  const listener = withoutOnDown({ onChange: (id) => events.push(`change:${id}`), onReset: () => events.push("reset") });
  return { store, connections, errors, events, listener, calls: () => calls };
}

describe("change feed connection handling (no server needed)", () => {
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

  it("LISTENs on a dedicated connection, resets caches once live and forwards its channel's ids only", async () => {
    const h = harness();
    const unwatch = await h.store.watch?.(h.listener);
    expect(h.store.listening).toBe(true);
    const conn = h.connections[0] as FakeConnection;
    expect(conn.queries).toEqual(['LISTEN "keyward_keys_changes"']);
    conn.notify("keyward_keys_changes", "id-1");
    conn.notify("other_channel", "id-2");
    conn.notify("keyward_keys_changes", "");
    expect(h.events).toEqual(["reset", "change:id-1"]);
    await unwatch?.();
    expect(conn.released).toBe(true);
    expect(h.store.listening).toBe(false);
  });

  it("on a connection error: resets, reports, and reconnects by itself", async () => {
    const h = harness();
    await h.store.watch?.(h.listener);
    (h.connections[0] as FakeConnection).emit("error", new Error("terminating connection due to administrator command"));
    expect(h.events).toEqual(["reset", "reset"]);
    expect(h.store.listening).toBe(false);
    expect((h.connections[0] as FakeConnection).released).toBe(true);
    expect(await waitFor(() => h.store.listening)).not.toBeNull();
    expect(h.events).toEqual(["reset", "reset", "reset"]); // once more when live again
    (h.connections[1] as FakeConnection).notify("keyward_keys_changes", "id-9");
    expect(h.events.at(-1)).toBe("change:id-9");
    expect(String(h.errors[0])).toContain("administrator command");
    // a late error or end on the old connection changes nothing and throws nothing
    (h.connections[0] as FakeConnection).emit("error", new Error("late"));
    (h.connections[0] as FakeConnection).emit("end");
    expect(h.store.listening).toBe(true);
  });

  it("treats the connection ending as lost", async () => {
    const h = harness();
    await h.store.watch?.(h.listener);
    (h.connections[0] as FakeConnection).emit("end");
    expect(h.store.listening).toBe(false);
    expect(await waitFor(() => h.store.listening)).not.toBeNull();
    expect(h.connections).toHaveLength(2);
  });

  it("retries a failing connect with backoff, without rejecting", async () => {
    const h = harness({ failFirst: 3 });
    const unwatch = await h.store.watch?.(h.listener);
    expect(h.store.listening).toBe(false);
    expect(await waitFor(() => h.store.listening)).not.toBeNull();
    expect(h.calls()).toBe(4);
    expect(h.errors).toHaveLength(3);
    expect(h.events).toEqual(["reset"]);
    await unwatch?.();
  });

  it("retries when LISTEN itself fails, releasing that connection", async () => {
    const h = harness();
    let first = true;
    const original = FakeConnection.prototype.query;
    FakeConnection.prototype.query = async function (this: FakeConnection, text: string) {
      if (first && text.startsWith("LISTEN")) {
        first = false;
        this.failListen = true;
      }
      return original.call(this, text);
    };
    try {
      await h.store.watch?.(h.listener);
      expect(await waitFor(() => h.store.listening)).not.toBeNull();
      expect((h.connections[0] as FakeConnection).released).toBe(true);
      expect((h.connections[1] as FakeConnection).released).toBe(false);
    } finally {
      FakeConnection.prototype.query = original;
    }
  });

  it("recovers when the connection fails while its LISTEN is still pending", async () => {
    const h = harness({
      onConnect: (c, n) => {
        if (n !== 1) return;
        c.hangListen = true;
        setTimeout(() => c.emit("error", new Error("reset by peer")), 1);
      },
    });
    await h.store.watch?.(h.listener);
    expect(await waitFor(() => h.store.listening)).not.toBeNull();
    expect(h.connections.length).toBeGreaterThanOrEqual(2);
    expect((h.connections[0] as FakeConnection).released).toBe(true);
  });

  it("detects a silently dead connection with the heartbeat", async () => {
    const h = harness({ heartbeat: 10 });
    await h.store.watch?.(h.listener);
    (h.connections[0] as FakeConnection).hangPing = true;
    expect(await waitFor(() => h.connections.length === 2 && h.store.listening)).not.toBeNull();
    expect((h.connections[0] as FakeConnection).released).toBe(true);
    expect(h.events.filter((e) => e === "reset").length).toBeGreaterThanOrEqual(3);
  });

  it("does not hang watch() when connecting hangs, and stops cleanly", async () => {
    const h = harness({ hangFactory: true });
    const unwatch = await h.store.watch?.(h.listener);
    expect(h.store.listening).toBe(false);
    await unwatch?.();
  });

  it("shares one connection between listeners and closes it after the last one leaves", async () => {
    const h = harness();
    const seen: string[] = [];
    const one = await h.store.watch?.(h.listener);
    const two = await h.store.watch?.(withoutOnDown({ onChange: (id) => seen.push(id), onReset: () => {} }));
    expect(h.connections).toHaveLength(1);
    (h.connections[0] as FakeConnection).notify("keyward_keys_changes", "id-3");
    expect(seen).toEqual(["id-3"]);
    await one?.();
    expect((h.connections[0] as FakeConnection).released).toBe(false);
    await two?.();
    expect((h.connections[0] as FakeConnection).released).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(h.connections).toHaveLength(1); // no reconnect after stopping
  });

  it("keeps notifying the other listeners when one throws", async () => {
    const h = harness();
    const seen: string[] = [];
    await h.store.watch?.(
      withoutOnDown({
        onChange: () => {
          throw new Error("bad listener");
        },
        onReset: () => {
          throw new Error("bad listener");
        },
      }),
    );
    await h.store.watch?.(withoutOnDown({ onChange: (id) => seen.push(id), onReset: () => {} }));
    (h.connections[0] as FakeConnection).notify("keyward_keys_changes", "id-4");
    expect(seen).toEqual(["id-4"]);
  });

  it("stops listening once the pg Pool is ending, so pool.end() is not held up", async () => {
    const conn = new FakeConnection();
    const pool = { totalCount: 1, ending: false, query: async () => ({ rows: [] }), connect: async () => conn };
    const store = postgresStore({ client: pool, feed: { heartbeat: 10 } });
    const resets: number[] = [];
    await store.watch?.(withoutOnDown({ onChange: () => {}, onReset: () => resets.push(1) }));
    expect(conn.queries).toEqual(['LISTEN "keyward_keys_changes"']);
    pool.ending = true;
    expect(await waitFor(() => conn.released)).not.toBeNull();
    expect(store.listening).toBe(false);
    expect(resets.length).toBe(2);
  });
});
