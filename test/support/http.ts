/**
 * Shared fixtures of the HTTP suites: a store that counts, fails or hangs on
 * demand, a keyward "world" with keys in every state, test actors, and a
 * raw HTTP client that can send doubled headers.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Actor, ActorContext, ApiKey, CreateInput, KeyStore, Keyward, KeywardOptions } from "keyward";
import { createKeyward, generateKey } from "keyward";
import { memoryStore } from "keyward/memory";
import { vi } from "vitest";

export const PREFIX = "cho";
export const START = Date.UTC(2030, 0, 1);

export const ROLES = {
  owner: ["*"],
  admin: ["jobs:*", "api_keys:manage"],
  viewer: ["jobs:read"],
};

/** Who the test "session" says is calling (header `x-test-user`). */
export const ACTORS: Record<string, Actor> = {
  owner: { id: "u_owner", owner: "org_a", role: "owner" },
  admin: { id: "u_admin", owner: "org_a", role: "admin" },
  viewer: { id: "u_viewer", owner: "org_a", role: "viewer" },
  other: { id: "u_other", owner: "org_b", role: "admin" },
};

/** An actor resolver that works on Express `req`, Hono `c` and Koa `ctx` alike: it reads the header the context gives. */
export function testActor(_native: unknown, context: ActorContext): Actor | null {
  const name = context.header("x-test-user")[0];
  return name !== undefined && Object.hasOwn(ACTORS, name) ? (ACTORS[name] as Actor) : null;
}

export type StoreMode = "ok" | "throw" | "hang";

/** A store wrapper that counts `findByHash` calls and can be switched to fail or hang. */
export interface ControlledStore extends KeyStore {
  mode: StoreMode;
  lookups: number;
}

export function controlledStore(inner: KeyStore = memoryStore()): ControlledStore {
  const state = { mode: "ok" as StoreMode, lookups: 0 };
  return new Proxy(inner as ControlledStore, {
    get(target, prop, receiver) {
      if (prop === "mode" || prop === "lookups") return state[prop];
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function" || prop === "watch") return value;
      return (...args: unknown[]) => {
        if (prop === "findByHash") state.lookups++;
        if (state.mode === "throw") throw new Error("store is down");
        if (state.mode === "hang") return new Promise(() => {});
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
    set(_target, prop, value) {
      if (prop === "mode" || prop === "lookups") {
        (state as Record<string, unknown>)[prop] = value;
        return true;
      }
      return false;
    },
  });
}

/** The keys of a world, by the state they are in. */
export interface Keys {
  valid: string;
  admin: string;
  revoked: string;
  disabled: string;
  expired: string;
  unknown: string;
  badChecksum: string;
  otherPrefix: string;
  storedHash: string;
  /** The stored hash without its `v1:`/`v2:` tag: a syntactically valid Bearer token. */
  storedDigest: string;
  /** The digest dressed as a key of this prefix. */
  storedDigestAsKey: string;
  /** A viewer key whose rate limit (1 an hour) is used up. */
  exhausted: string;
  /** A viewer key with no credits left. */
  spent: string;
  /** A viewer key with a generous rate limit (a million a minute). */
  limited: string;
  /** A viewer key allowed only from 192.0.2.0/24 (the tests connect from 127.0.0.1). */
  officeOnly: string;
  /** A viewer key allowed only from the loopback addresses. */
  localOnly: string;
}

export interface World {
  kw: Keyward;
  store: ControlledStore;
  keys: Keys;
  records: Record<keyof Keys, ApiKey | undefined>;
  /** Number of key hashes computed since the last `reset()`. */
  hashes(): number;
  reset(): void;
  clock: { now: () => number; advance(ms: number): void };
}

/** A keyward instance on a controlled memory store, with a key in every state (org_a). */
export async function createWorld(options: Partial<KeywardOptions> = {}): Promise<World> {
  let t = START;
  const clock = { now: () => t, advance: (ms: number) => void (t += ms) };
  const store = controlledStore(memoryStore());
  const kw = createKeyward({ store, prefix: PREFIX, roles: ROLES, storeTimeout: 150, now: clock.now, ...options });
  const make = (label: string, role: string, extra: { expiresAt?: number } = {}) =>
    kw.create({ owner: "org_a", label, role, ...extra });
  const valid = await make("valid", "viewer");
  const admin = await make("admin", "admin");
  const revoked = await make("revoked", "viewer");
  await kw.revoke(revoked.apiKey.id);
  const disabled = await make("disabled", "viewer");
  await kw.disable(disabled.apiKey.id);
  const expired = await make("expired", "viewer", { expiresAt: START + 60_000 });
  const usage = (label: string, controls: Pick<CreateInput, "ratelimit" | "credits" | "allowedIps">) =>
    kw.create({ owner: "org_a", label, role: "viewer", ...controls });
  const exhausted = await usage("exhausted", { ratelimit: { limit: 1, window: 3_600_000 } });
  await kw.verify(exhausted.key);
  const spent = await usage("spent", { credits: { remaining: 0 } });
  const limited = await usage("limited", { ratelimit: { limit: 1_000_000, window: 60_000 } });
  const officeOnly = await usage("office only", { allowedIps: ["192.0.2.0/24"] });
  const localOnly = await usage("local only", { allowedIps: ["127.0.0.0/8", "::1"] });
  clock.advance(120_000);
  const stored = await store.get(valid.apiKey.id);
  const last = valid.key.at(-1) === "A" ? "B" : "A";
  const keys: Keys = {
    valid: valid.key,
    admin: admin.key,
    revoked: revoked.key,
    disabled: disabled.key,
    expired: expired.key,
    unknown: generateKey(PREFIX).key,
    badChecksum: valid.key.slice(0, -1) + last,
    otherPrefix: generateKey("sk_live").key,
    storedHash: stored?.hash ?? "",
    storedDigest: (stored?.hash ?? "").slice(3),
    storedDigestAsKey: `${PREFIX}_${(stored?.hash ?? "").slice(3)}`,
    exhausted: exhausted.key,
    spent: spent.key,
    limited: limited.key,
    officeOnly: officeOnly.key,
    localOnly: localOnly.key,
  };
  const internals = kw as unknown as {
    hasher?: { hash(k: string): string };
    verifier?: { parts?: { digest(k: string): string } };
  };
  const hasher = internals.hasher;
  const parts = internals.verifier?.parts;
  if (!hasher || !parts) {
    throw new Error(
      "test support: keyward no longer keeps its hasher in `hasher` and verification's in `verifier.parts`; update createWorld",
    );
  }
  // hashes computed: by management (the tagged hash) and by verification (the digest alone)
  const spy = vi.spyOn(hasher, "hash");
  const digestSpy = vi.spyOn(parts, "digest");
  return {
    kw,
    store,
    keys,
    records: {
      valid: valid.apiKey,
      admin: admin.apiKey,
      revoked: revoked.apiKey,
      disabled: disabled.apiKey,
      expired: expired.apiKey,
      unknown: undefined,
      badChecksum: undefined,
      otherPrefix: undefined,
      storedHash: undefined,
      storedDigest: undefined,
      storedDigestAsKey: undefined,
      exhausted: exhausted.apiKey,
      spent: spent.apiKey,
      limited: limited.apiKey,
      officeOnly: officeOnly.apiKey,
      localOnly: localOnly.apiKey,
    },
    hashes: () => spy.mock.calls.length + digestSpy.mock.calls.length,
    reset() {
      store.lookups = 0;
      store.mode = "ok";
      spy.mockClear();
      digestSpy.mockClear();
    },
    clock,
  };
}

/** One HTTP exchange, as seen on the wire. */
export interface Exchange {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: unknown;
}

export interface RawRequest {
  method?: string;
  path: string;
  /** Sent as given, in order, doubled names included. */
  headers?: readonly (readonly [string, string])[];
  body?: string;
  /** Send the body in pieces with `Transfer-Encoding: chunked`, announcing no length. */
  chunked?: boolean;
  /** A route the API description does not have (an unknown route or method), for `check`. */
  undocumented?: boolean;
}

/** Checks one answer, e.g. against the OpenAPI document (`OpenApiChecker`); throws to fail the test. */
export type ResponseCheck = (req: RawRequest, res: Exchange) => void;

/**
 * Sends a request with a raw header list (so headers can be doubled) and
 * reads the whole answer; `check`, when given, judges the answer first.
 */
export async function request(port: number, req: RawRequest, check?: ResponseCheck): Promise<Exchange> {
  const res = await send(port, req);
  check?.(req, res);
  return res;
}

function send(port: number, req: RawRequest): Promise<Exchange> {
  const flat: string[] = ["Host", `127.0.0.1:${port}`];
  for (const [name, value] of req.headers ?? []) flat.push(name, value);
  if (req.body !== undefined && req.chunked) flat.push("transfer-encoding", "chunked");
  else if (req.body !== undefined) flat.push("content-length", String(Buffer.byteLength(req.body)));
  return new Promise((resolve, reject) => {
    const r = http.request(
      { host: "127.0.0.1", port, method: req.method ?? "GET", path: req.path, headers: flat, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: unknown;
          try {
            json = text === "" ? undefined : JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on("error", reject);
      },
    );
    r.on("error", reject);
    r.setTimeout(10_000, () => r.destroy(new Error("request timed out")));
    if (req.chunked && req.body !== undefined) {
      for (let i = 0; i < req.body.length; i += 1024) r.write(req.body.slice(i, i + 1024));
      r.end();
    } else {
      r.end(req.body);
    }
  });
}

/** Listens on 127.0.0.1, port 0; resolves the port and a closer. */
export function listen(server: http.Server): Promise<{ port: number; close(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        port,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
