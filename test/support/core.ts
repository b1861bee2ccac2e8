/**
 * Shared helpers for the core suites: store wrappers that count or stall
 * calls, a settable clock, actors, and a way to name a key's secret part
 * without ever printing it.
 */
import type { Actor, KeyStore, KeywardOptions } from "keyward";
import { createKeyward } from "keyward";
import { type MemoryStore, memoryStore } from "keyward/memory";

const METHODS = ["insert", "findByHash", "get", "list", "update", "transition", "rotate", "touch", "watch"] as const;
type StoreMethod = (typeof METHODS)[number];

/** A store wrapper that counts each method's calls. */
export interface CountingStore extends KeyStore {
  readonly calls: Record<StoreMethod, number>;
  total(): number;
  reset(): void;
}

export function countingStore(inner: KeyStore = memoryStore()): CountingStore {
  const calls = {} as Record<StoreMethod, number>;
  const reset = (): void => {
    for (const m of METHODS) calls[m] = 0;
  };
  reset();
  return new Proxy(inner as CountingStore, {
    get(target, prop, receiver) {
      if (prop === "calls") return calls;
      if (prop === "reset") return reset;
      if (prop === "total") return () => Object.values(calls).reduce((a, b) => a + b, 0);
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function" || !(prop in calls)) return value;
      return (...args: unknown[]) => {
        calls[prop as StoreMethod]++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** A clock the test moves by hand. */
export function manualClock(start = Date.UTC(2030, 0, 1)): {
  now: () => number;
  set(ms: number): void;
  advance(ms: number): void;
} {
  let t = start;
  return {
    now: () => t,
    set(ms) {
      t = ms;
    },
    advance(ms) {
      t += ms;
    },
  };
}

export const ROLES = {
  owner: ["*"],
  admin: ["jobs:*", "reports:read", "api_keys:manage"],
  manager: ["jobs:read", "jobs:write", "api_keys:manage"],
  viewer: ["jobs:read"],
};

export function actor(overrides: Partial<Actor> = {}): Actor {
  return { id: "user_1", owner: "org_1", role: "admin", ...overrides };
}

/** A keyward over a fresh memory store (or the one given), prefix `kw`, the ROLES table. */
export function setup<S extends KeyStore = MemoryStore>(options: Partial<Omit<KeywardOptions, "store">> & { store?: S } = {}) {
  const store = (options.store ?? memoryStore()) as S;
  const kw = createKeyward({ prefix: "kw", roles: { ...ROLES }, lastUsed: false, ...options, store });
  return { kw, store };
}

/** The random (secret) part of a key: between `<prefix>_` and the 6-char checksum. */
export function secretOf(key: string, prefix = "kw"): string {
  return key.slice(prefix.length + 1, -6);
}

/** Replace one character of `key` at `index` with a different base62 character. */
export function flipChar(key: string, index: number): string {
  const c = key[index] as string;
  const next = c === "a" ? "b" : "a";
  return key.slice(0, index) + next + key.slice(index + 1);
}

/** A deferred value. */
export function deferred<T>(): { promise: Promise<T>; resolve(value: T): void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
