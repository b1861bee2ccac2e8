import { EventEmitter } from "node:events";
import { type ChangeListener, createKeyward } from "keyward";
import { type PgListenConnection, postgresStore } from "keyward/postgres";
import { describe, expect, it } from "vitest";
import { waitFor } from "../../support/postgres.js";

/** A stand-in for a dedicated pg connection: records queries, can fail on demand. */
class FakeConnection extends EventEmitter {
  readonly queries: string[] = [];
  released = false;
  failListen = false;
  hangListen = false;
  hangPing = false;
  /** Like a LISTEN through a transaction pooler: it "succeeds" but hears nothing. */
  deaf = false;
  readonly channels = new Set<string>();
  async query(text: string): Promise<{ rows: unknown[] }> {
    this.queries.push(text);
    if (this.released) throw new Error("connection released");
    if (text.startsWith("LISTEN") && this.failListen) throw new Error("LISTEN failed");
    if (text.startsWith("LISTEN") && this.hangListen) return new Promise(() => {});
    if (text.startsWith("LISTEN")) this.channels.add(text.slice(8, -1));
    if (text === "SELECT 1" && this.hangPing) return new Promise(() => {});
    return { rows: [] };
  }
  release(): void {
    this.released = true;
  }
  notify(channel: string, payload?: string): void {
    if (!this.released && !this.deaf && this.channels.has(channel)) this.emit("notification", { channel, payload });
  }
}

/** The notifications that did not reach a listener: every change, no heartbeat. */
const changes = (events: string[]) => events.filter((e) => e.startsWith("change:"));

function harness(
  options: {
    failFirst?: number;
    hangFactory?: boolean;
    /** Stops delivering pg_notify (a server that went silent, a half-open connection). */
    silent?: () => boolean;
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
  // the store's query client: pg_notify is delivered (asynchronously, like a server) to every LISTENing connection
  const client = {
    query: async (text: string, values?: unknown[]) => {
      if (text.includes("pg_notify") && !options.silent?.()) {
        const [channel, payload] = values as [string, string];
        setTimeout(() => {
          for (const c of connections) c.notify(channel, payload);
        }, 1);
      }
      return { rows: [] };
    },
  };
  const store = postgresStore({
    client,
    listen,
    feed: { minDelay: 5, maxDelay: 20, heartbeat: 20, downAfter: 60, timeout: 100, onError: (e) => errors.push(e) },
  });
  const events: string[] = [];
  const listener: ChangeListener = {
    onChange: (id) => events.push(`change:${id}`),
    onReset: () => events.push("reset"),
    onDown: () => events.push("down"),
  };
  return { store, connections, errors, events, listener, calls: () => calls };
}

describe("change feed connection handling (no server needed)", () => {
  it("starts down, is live once its own heartbeat comes back through LISTEN, and forwards its channel's ids only", async () => {
    const h = harness();
    const watching = h.store.watch?.(h.listener);
    expect(h.store.listening).toBe(false); // down until proven: the listener hears nothing yet
    expect(h.events).toEqual([]);
    const unwatch = await watching;
    expect(h.store.listening).toBe(true);
    expect(h.events).toEqual(["reset"]); // its own beat came back: live
    const conn = h.connections[0] as FakeConnection;
    expect(conn.queries).toEqual(['LISTEN "keyward_keys_changes"']);
    conn.notify("keyward_keys_changes", "id-1");
    conn.notify("other_channel", "id-2");
    conn.notify("keyward_keys_changes", "");
    conn.notify("keyward_keys_changes", "~kw-beat:0123456789abcdef01:7"); // another instance's heartbeat
    await new Promise((resolve) => setTimeout(resolve, 100)); // several of its own beats come and go
    expect(changes(h.events)).toEqual(["change:id-1"]); // heartbeats are never changes
    expect(h.events.filter((e) => e !== "change:id-1")).toEqual(["reset"]);
    await unwatch?.();
    expect(conn.released).toBe(true);
    expect(h.store.listening).toBe(false);
  });

  it("on a connection error: down at once, reports, reconnects by itself, and is live again once a beat returns", async () => {
    const h = harness();
    await h.store.watch?.(h.listener);
    (h.connections[0] as FakeConnection).emit("error", new Error("terminating connection due to administrator command"));
    expect(h.events).toEqual(["reset", "down"]);
    expect(h.store.listening).toBe(false);
    expect((h.connections[0] as FakeConnection).released).toBe(true);
    expect(await waitFor(() => h.store.listening)).not.toBeNull();
    expect(h.events).toEqual(["reset", "down", "reset"]); // reset once live again
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

  it("never reports live while LISTEN cannot be opened, retrying with backoff without rejecting", async () => {
    const h = harness({ failFirst: 3 });
    const unwatch = await h.store.watch?.(h.listener);
    expect(await waitFor(() => h.store.listening)).not.toBeNull();
    expect(h.calls()).toBe(4);
    expect(h.errors.length).toBeGreaterThanOrEqual(3);
    expect(h.events).toEqual(["reset"]); // nothing through every refused attempt, live only after the fourth
    await unwatch?.();
  });

  it("retries when LISTEN itself fails, releasing that connection", async () => {
    const h = harness({
      onConnect: (c, n) => {
        if (n === 1) c.failListen = true;
      },
    });
    await h.store.watch?.(h.listener);
    expect(await waitFor(() => h.store.listening)).not.toBeNull();
    expect((h.connections[0] as FakeConnection).released).toBe(true);
    expect((h.connections[1] as FakeConnection).released).toBe(false);
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

  it("goes down within downAfter when its heartbeat stops coming back (a silent server or a half-open connection), and up when it returns", async () => {
    let silent = false;
    const h = harness({ silent: () => silent });
    await h.store.watch?.(h.listener);
    expect(h.store.listening).toBe(true);
    silent = true;
    expect(await waitFor(() => h.events.at(-1) === "down", 2_000)).not.toBeNull();
    expect(h.store.listening).toBe(false);
    expect(h.errors.some((e) => String(e).includes("no heartbeat came back within 60 ms"))).toBe(true);
    silent = false;
    expect(await waitFor(() => h.store.listening, 2_000)).not.toBeNull();
    expect(h.events.slice(-2)).toEqual(["down", "reset"]);
  });

  it("never goes live on a LISTEN that hears nothing (a transaction pooler), and replaces that connection", async () => {
    const h = harness({ onConnect: (c) => (c.deaf = true) });
    const unwatch = await h.store.watch?.(h.listener);
    expect(h.store.listening).toBe(false);
    expect(h.events).toEqual([]); // never reset: nothing may be cached
    // it keeps trying on fresh connections (each deaf here), never trusting the cache
    expect(await waitFor(() => h.connections.length >= 2, 5_000)).not.toBeNull();
    expect((h.connections[0] as FakeConnection).released).toBe(true);
    expect(h.events).toEqual([]);
    expect(h.errors.some((e) => String(e).includes("do not reach the LISTEN connection"))).toBe(true);
    await unwatch?.();
  });

  it("does not hang watch() when connecting hangs, and stops cleanly", async () => {
    const h = harness({ hangFactory: true });
    const unwatch = await h.store.watch?.(h.listener);
    expect(h.store.listening).toBe(false);
    expect(h.events).toEqual([]); // never reset: nothing may be cached
    await unwatch?.();
  });

  it("shares one connection between listeners, tells a late one it is live, and closes it after the last one leaves", async () => {
    const h = harness();
    const seen: string[] = [];
    const one = await h.store.watch?.(h.listener);
    let resets = 0;
    const two = await h.store.watch?.({ onChange: (id) => seen.push(id), onReset: () => resets++, onDown: () => {} });
    expect(resets).toBe(1); // already live: it may cache at once
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

  it("keeps notifying the other listeners when one throws, and reports what it threw to feed.onError", async () => {
    const h = harness();
    const seen: string[] = [];
    await h.store.watch?.({
      onChange: () => {
        throw new Error("bad listener (change)");
      },
      onReset: () => {
        throw new Error("bad listener (reset)");
      },
      onDown: () => {},
    });
    expect(h.errors.map(String)).toContain("Error: bad listener (reset)");
    await h.store.watch?.({ onChange: (id) => seen.push(id), onReset: () => seen.push("reset"), onDown: () => {} });
    (h.connections[0] as FakeConnection).notify("keyward_keys_changes", "id-4");
    expect(seen).toEqual(["reset", "id-4"]);
    expect(h.errors.map(String)).toContain("Error: bad listener (change)");
  });

  it("refuses a watcher that is not a listener, opening nothing", () => {
    const h = harness();
    expect(() => h.store.watch?.({} as never)).toThrow(TypeError);
    expect(h.calls()).toBe(0);
  });

  it("stops listening once the pg Pool is ending, so pool.end() is not held up", async () => {
    const conn = new FakeConnection();
    const pool = {
      totalCount: 1,
      ending: false,
      query: async (text: string, values?: unknown[]) => {
        if (text.includes("pg_notify")) setTimeout(() => conn.notify(values?.[0] as string, values?.[1] as string), 1);
        return { rows: [] };
      },
      connect: async () => conn,
    };
    const store = postgresStore({ client: pool, feed: { heartbeat: 10 } });
    const events: string[] = [];
    await store.watch?.({ onChange: () => {}, onReset: () => events.push("reset"), onDown: () => events.push("down") });
    expect(conn.queries).toEqual(['LISTEN "keyward_keys_changes"']);
    expect(store.listening).toBe(true);
    pool.ending = true;
    expect(await waitFor(() => conn.released, 5_000)).not.toBeNull();
    expect(store.listening).toBe(false);
    expect(events).toEqual(["reset", "down"]);
  });

  it("keyward.close() settles within storeTimeout whatever the LISTEN connection does (hung LISTEN, hung end)", async () => {
    for (const hang of ["listen", "end"] as const) {
      const conn = new FakeConnection();
      if (hang === "listen") conn.hangListen = true;
      const stuck = Object.assign(conn, { release: undefined, end: () => new Promise(() => {}) });
      const store = postgresStore({
        client: {
          query: async (text: string, values?: unknown[]) => {
            if (text.includes("pg_notify")) setTimeout(() => conn.notify(values?.[0] as string, values?.[1] as string), 1);
            return { rows: [] };
          },
        },
        listen: async () => stuck,
        feed: { heartbeat: 20, timeout: 60_000 },
      });
      const kw = createKeyward({ store, prefix: "kw", cache: { ttl: 60_000 }, storeTimeout: 200 });
      await waitFor(() => conn.queries.length > 0);
      let closed = false;
      void kw.close().then(() => (closed = true));
      expect(await waitFor(() => closed, 600), hang).not.toBeNull();
    }
  });

  it("validates the heartbeat options", () => {
    const client = { query: async () => ({ rows: [] }) };
    for (const feed of [
      { heartbeat: 0 },
      { heartbeat: -1 },
      { heartbeat: Number.NaN },
      { downAfter: 100 },
      { heartbeat: 200, downAfter: 200 },
    ]) {
      expect(() => postgresStore({ client, feed }), JSON.stringify(feed)).toThrow(/feed\.(heartbeat|downAfter)/);
    }
    expect(() => postgresStore({ client, feed: { heartbeat: 100, downAfter: 250 } })).not.toThrow();
  });
});
