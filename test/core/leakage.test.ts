import type { KeywardEvent } from "keyward";
import { createKeyward, generateKey, type KeyStore } from "keyward";
import { memoryStore } from "keyward/memory";
import { describe, expect, it } from "vitest";
import { actor, manualClock, ROLES, secretOf } from "../support/core.js";

/** Every 16-character window of every secret, and every raw key: none may appear in `text`. */
function leaks(text: string, keys: readonly string[]): string[] {
  const found: string[] = [];
  for (const key of keys) {
    if (text.includes(key)) found.push("raw key");
    const secret = secretOf(key);
    for (let i = 0; i + 16 <= secret.length; i++) if (text.includes(secret.slice(i, i + 16))) found.push(`secret window at ${i}`);
  }
  return found;
}

function describeError(e: unknown): unknown {
  if (!(e instanceof Error)) return e;
  return { ...e, name: e.name, message: e.message, stack: e.stack, cause: describeError((e as { cause?: unknown }).cause) };
}

describe("no raw key or secret fragment leaks (SECURITY 34, 36)", () => {
  it("not in events, errors, stored records, list/get results or verify results", async () => {
    const events: KeywardEvent[] = [];
    const errors: unknown[] = [];
    const outputs: unknown[] = [];
    const clock = manualClock();
    const store = memoryStore();
    const kw = createKeyward({
      store,
      prefix: "kw",
      roles: ROLES,
      pepper: ["current", "older"],
      cache: { ttl: 1_000 },
      mutableScopes: true,
      now: clock.now,
      lastUsed: { flushDelay: 3_600_000 },
      onEvent: (e) => void events.push(structuredClone(e)),
    });
    const admin = actor({ owner: "org_1" });
    const keys: string[] = [];
    const catchAll = async (p: Promise<unknown>) =>
      p.then(
        (v) => outputs.push(v),
        (e) => errors.push(describeError(e)),
      );

    const a = await kw.create({ label: "a", scopes: ["jobs:read"], metadata: { note: "x" } }, { actor: admin });
    const b = await kw.create({ label: "b", role: "viewer", expiresAt: clock.now() + 10 }, { actor: admin });
    const c = await kw.create({ owner: "org_1", label: "c" });
    keys.push(a.key, b.key, c.key);
    outputs.push(a.apiKey, b.apiKey, c.apiKey);

    // verifications of every kind, and the keys themselves dressed up as other inputs
    for (const k of keys) {
      outputs.push(await kw.verify(k), await kw.verify(k, { scopes: ["jobs:write"] }), await kw.verify(`${k}x`));
      outputs.push(await kw.verify(k.slice(0, -1) + (k.endsWith("a") ? "b" : "a")));
      await catchAll(kw.create({ owner: "org_1", label: "x", role: k }));
      await catchAll(kw.create({ owner: "org_1", label: "x", expiresAt: k }));
      await catchAll(kw.get(k));
      await catchAll(kw.revoke(k, { actor: admin }));
      await catchAll(kw.list("org_1", { cursor: k }));
      await catchAll((async () => kw.verify(k, { scopes: [k] }))());
    }
    outputs.push(await kw.verify(generateKey("kw").key), await kw.verify(""), await kw.verify("kw_x"));

    // management, successful and refused
    await catchAll(kw.update(a.apiKey.id, { label: "a2", scopes: ["jobs:read"] }, { actor: admin }));
    await catchAll(kw.disable(a.apiKey.id, { actor: admin }));
    await catchAll(kw.enable(a.apiKey.id, { actor: admin }));
    const rotated = await kw.rotate(c.apiKey.id, { gracePeriod: 5, actor: admin });
    keys.push(rotated.key);
    outputs.push(rotated.apiKey);
    await catchAll(kw.revoke(b.apiKey.id, { actor: admin }));
    await catchAll(kw.enable(b.apiKey.id, { actor: admin }));
    await catchAll(kw.rotate(c.apiKey.id, { actor: admin }));
    await catchAll(kw.create({ label: "x", role: "owner" }, { actor: admin }));
    await catchAll(kw.get(a.apiKey.id, { actor: actor({ owner: "org_2" }) }));
    await catchAll(kw.update(a.apiKey.id, { label: "" }, { actor: actor({ owner: "org_2" }) }));
    await catchAll(kw.create({ label: "x" }, { actor: actor({ role: "viewer" }) }));
    clock.advance(20);
    for (const k of keys) outputs.push(await kw.verify(k));
    await kw.close();

    // a broken store: its errors must not carry the key either
    const broken = createKeyward({
      store: { ...store, findByHash: () => Promise.reject(new Error("down")) } as KeyStore,
      prefix: "kw",
      onEvent: (e) => void events.push(e),
    });
    for (const k of keys) outputs.push(await broken.verify(k));

    const page = await kw.list("org_1", { limit: 100 });
    outputs.push(page);
    for (const r of page.data) outputs.push(await kw.get(r.id));
    const records = await store.list({ owner: "org_1", limit: 101, after: null, now: clock.now() });

    expect(events.length).toBeGreaterThan(20);
    expect(errors.length).toBeGreaterThan(12);
    expect(records.length).toBe(4);
    expect(page.data).toHaveLength(4);
    const all = JSON.stringify({ events, errors, outputs, records });
    expect(leaks(all, keys)).toEqual([]);
    // the check itself finds a key when there is one
    expect(leaks(JSON.stringify({ outputs, k: a.key }), keys)).not.toEqual([]);
    expect(leaks(JSON.stringify({ x: secretOf(b.key).slice(10, 26) }), keys)).not.toEqual([]);
  });

  it("the ApiKey from verify, get, list, create and rotate holds no hash, and is JSON-safe", async () => {
    const store = memoryStore();
    const kw = createKeyward({ store, prefix: "kw", lastUsed: false });
    const { key, apiKey } = await kw.create({ owner: "o", label: "k" });
    const hash = (await store.get(apiKey.id))?.hash as string;
    const result = await kw.verify(key);
    if (!result.ok) throw new Error("expected ok");
    const rotated = await kw.rotate(apiKey.id, { gracePeriod: 1000 });
    const views = [apiKey, result.key, await kw.get(apiKey.id), (await kw.list("o")).data[0], rotated.apiKey];
    for (const view of views) {
      expect(view).not.toHaveProperty("hash");
      expect(Object.keys(view as object)).not.toContain("hash");
      expect(JSON.parse(JSON.stringify(view))).toEqual(view);
      expect(JSON.stringify(view)).not.toContain(hash.slice(3));
      expect(JSON.stringify(view)).not.toContain(key);
    }
    expect(Object.keys(result).sort()).toEqual(["key", "ok", "scopes"]);
  });

  it("events carry time, key id, owner, actor and the key's expiry only", async () => {
    const events: KeywardEvent[] = [];
    const kw = createKeyward({ store: memoryStore(), prefix: "kw", roles: ROLES, onEvent: (e) => void events.push(e) });
    const admin = actor();
    const { apiKey } = await kw.create({ label: "k" }, { actor: admin });
    await kw.disable(apiKey.id, { actor: admin });
    await kw.enable(apiKey.id, { actor: admin });
    await kw.update(apiKey.id, { label: "k2" }, { actor: admin });
    const { apiKey: next } = await kw.rotate(apiKey.id, { actor: admin });
    await kw.revoke(next.id, { actor: admin });
    expect(events.map((e) => e.type)).toEqual([
      "key.created",
      "key.disabled",
      "key.enabled",
      "key.updated",
      "key.rotated",
      "key.revoked",
    ]);
    for (const e of events) {
      expect(Object.keys(e).sort()).toEqual(
        e.type === "key.rotated"
          ? ["actor", "expiresAt", "keyId", "owner", "rotatedTo", "time", "type"]
          : ["actor", "expiresAt", "keyId", "owner", "time", "type"],
      );
      // the key's expiry after the change: none, except the rotated key's grace period end
      expect(e.expiresAt).toSatisfy((v) => v === null || !Number.isNaN(Date.parse(v as string)));
      expect(e.actor).toEqual({ id: admin.id, owner: admin.owner });
      expect(e.owner).toBe("org_1");
      expect(Number.isNaN(Date.parse(e.time))).toBe(false);
    }
    expect(events[4]?.rotatedTo).toBe(next.id);
  });
});
