/**
 * A database store decodes a new record object on every read. Verification
 * reuses what it built from the previous read of the same key while the data
 * is the same, and must notice every change made elsewhere (another
 * instance) at once: scopes, metadata, status.
 */
import { createKeyward, type KeyStore } from "keyward";
import { memoryStore } from "keyward/memory";
import { describe, expect, it } from "vitest";

/** The memory store behind a wall that hands out a fresh deep copy per read, as a database does. */
function copyingStore(): KeyStore {
  const inner = memoryStore();
  const copy = <T>(value: T): T => (value === null ? value : structuredClone(value));
  return {
    ...inner,
    findByHash: (hash) => copy(inner.findByHash(hash) as ReturnType<KeyStore["findByHash"]> & object),
    get: (id) => copy(inner.get(id) as ReturnType<KeyStore["get"]> & object),
  } as KeyStore;
}

describe("fresh copies of a record on every read", () => {
  it("see a change made on another instance at once: scopes narrowed, metadata changed, key revoked", async () => {
    const store = copyingStore();
    const options = { store, prefix: "cho", mutableScopes: true, lastUsed: false as const };
    const verifying = createKeyward(options);
    const managing = createKeyward(options);
    const { key, apiKey } = await managing.create({
      owner: "org_1",
      label: "k",
      scopes: ["jobs:read", "jobs:write"],
      metadata: { team: "a", tags: ["x"] },
    });

    const first = await verifying.verify(key, { scopes: ["jobs:write"] });
    const again = await verifying.verify(key, { scopes: ["jobs:write"] });
    expect(first.ok && again.ok).toBe(true);
    if (first.ok && again.ok) expect(again.key).toBe(first.key); // the same data: the same frozen result

    await managing.update(apiKey.id, { metadata: { team: "a", tags: ["y"] } });
    const changed = await verifying.verify(key, { scopes: ["jobs:write"] });
    expect(changed.ok && changed.key.metadata).toEqual({ team: "a", tags: ["y"] });

    await managing.update(apiKey.id, { scopes: ["jobs:read"] });
    expect(await verifying.verify(key, { scopes: ["jobs:write"] })).toMatchObject({
      ok: false,
      error: { code: "insufficient_scope" },
    });
    expect((await verifying.verify(key, { scopes: ["jobs:read"] })).ok).toBe(true);

    await managing.revoke(apiKey.id);
    expect(await verifying.verify(key)).toMatchObject({ ok: false, error: { code: "revoked" } });
  });
});
