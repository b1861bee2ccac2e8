import type { KeyStore } from "../store.js";

/**
 * An optional, internal capability of an in-process store, under this
 * registered symbol: `{ findByHash, under(tag) }`, where `under(tag)`
 * returns a synchronous lookup by digest answering exactly what
 * `findByHash(tag + digest)` answers. Verification then needs no tagged
 * string (about a sixth of the work of an in-memory verification).
 * `keyward/memory` has it; the symbol is registered (`Symbol.for`) because
 * a store's bundle reaches keyward only through the package name.
 */
export const DIGEST_LOOKUP: symbol = Symbol.for("keyward.digestLookup");

/** A store's lookup by digest under one tag, and the `findByHash` it stands for. */
export interface DirectLookup {
  readonly findByHash: unknown;
  readonly lookup: (digest: string) => unknown;
}

/**
 * The lookup by digest of `store` under `tag`, or null when it has none (or
 * fails to give one). Use it only while `store.findByHash === findByHash`:
 * a store wrapped or spied on afterwards must be asked through its own method.
 */
export function digestLookup(store: KeyStore, tag: string): DirectLookup | null {
  try {
    const capability: unknown = (store as unknown as Record<symbol, unknown>)[DIGEST_LOOKUP];
    if (capability === null || typeof capability !== "object") return null;
    const { findByHash, under } = capability as { findByHash?: unknown; under?: unknown };
    if (typeof findByHash !== "function" || typeof under !== "function") return null;
    const lookup: unknown = under.call(capability, tag);
    return typeof lookup === "function" ? { findByHash, lookup: lookup as (digest: string) => unknown } : null;
  } catch {
    return null;
  }
}
