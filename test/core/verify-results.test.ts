import { createKeyward, generateKey, type KeyStore, type VerifyResult } from "keyward";
import { memoryStore } from "keyward/memory";
import { describe, expect, it } from "vitest";
import { manualClock, setup } from "../support/core.js";

/** Asserts a refusal with exactly this code and status, and a message that does not echo the key. */
function expectRefused(result: VerifyResult, code: string, status: number, key = ""): void {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(Object.keys(result.error).sort()).toEqual(["code", "message", "status"]);
  expect(result.error.code).toBe(code);
  expect(result.error.status).toBe(status);
  expect(result.error.message.length).toBeGreaterThan(0);
  if (key) expect(result.error.message).not.toContain(key.slice(3, 20));
}

/** A store whose every method throws (or rejects, or never answers). */
function brokenStore(mode: "throw" | "reject" | "hang"): KeyStore {
  const fail = (): never => {
    throw new Error("connection refused");
  };
  const act = (): unknown =>
    mode === "throw" ? fail() : mode === "reject" ? Promise.reject(new Error("connection refused")) : new Promise(() => {});
  return {
    insert: act,
    findByHash: act,
    get: act,
    list: act,
    update: act,
    transition: act,
    rotate: act,
    touch: act,
  } as unknown as KeyStore;
}

describe("verify result codes (SPEC §3.6)", () => {
  it("ok: the public key record and the effective scopes", async () => {
    const { kw } = setup();
    const { key, apiKey } = await kw.create({ owner: "o", label: "k", role: "viewer", scopes: ["reports:read"] });
    const result = await kw.verify(key, { scopes: ["jobs:read"] });
    expect(result).toEqual({
      ok: true,
      key: expect.objectContaining({ id: apiKey.id, owner: "o", status: "active" }),
      scopes: ["reports:read", "jobs:read"],
    });
  });

  /** Tries to change what the promise `verify` handed back answers, as careless code might. */
  function tamper(handed: Promise<VerifyResult>): void {
    const forged = (resolve: (r: unknown) => void) => resolve({ ok: true, key: {}, scopes: ["*"] });
    try {
      // biome-ignore lint/suspicious/noThenProperty: the test replaces a promise's then on purpose
      (handed as { then: unknown }).then = forged;
    } catch {
      // an answer shared between callers cannot be changed
    }
    try {
      // biome-ignore lint/suspicious/noThenProperty: the test replaces a promise's then on purpose
      Object.defineProperty(handed, "then", { value: forged });
    } catch {
      // idem
    }
  }

  /** What `verify(key)` answers through `.then` (as callers without await use it; `await` never reads an own `then`). */
  function viaThen(kw: ReturnType<typeof setup>["kw"], key: string): Promise<VerifyResult> {
    return new Promise<VerifyResult>((resolve, reject) => {
      kw.verify(key).then(resolve, reject);
      setTimeout(() => reject(new Error("no answer")), 1_000);
    });
  }

  it("a caller cannot change the answer later callers of verify get, a success nor a failure", async () => {
    const { kw } = setup();
    const { key, apiKey } = await kw.create({ owner: "o", label: "k" });
    await kw.verify(key);
    for (let i = 0; i < 3; i++) {
      tamper(kw.verify(key));
      tamper(kw.verify(""));
      tamper(kw.verify("kw_short"));
    }
    const later = await viaThen(kw, key);
    expect(later.ok).toBe(true);
    if (later.ok) expect(later.key.id).toBe(apiKey.id);
    expectRefused(await viaThen(kw, ""), "missing", 401);
    expectRefused(await viaThen(kw, "kw_short"), "malformed", 401);
    await kw.revoke(apiKey.id);
    expectRefused(await viaThen(kw, key), "revoked", 401);
  });

  it("missing (401) for no key or an empty string", async () => {
    const { kw } = setup();
    expectRefused(await kw.verify(undefined), "missing", 401);
    expectRefused(await kw.verify(""), "missing", 401);
  });

  it("malformed (401) for a bad checksum or shape", async () => {
    const { kw } = setup();
    const { key } = await kw.create({ owner: "o", label: "k" });
    expectRefused(await kw.verify(`${key.slice(0, -1)}${key.endsWith("A") ? "B" : "A"}`), "malformed", 401, key);
    expectRefused(await kw.verify("kw_short"), "malformed", 401);
  });

  it("invalid (401) for a well-formed unknown key", async () => {
    const { kw } = setup();
    const { key } = generateKey("kw");
    expectRefused(await kw.verify(key), "invalid", 401, key);
  });

  it("disabled, expired and revoked (401)", async () => {
    const clock = manualClock();
    const { kw } = setup({ now: clock.now });
    const d = await kw.create({ owner: "o", label: "d" });
    const e = await kw.create({ owner: "o", label: "e", expiresAt: clock.now() + 5 });
    const r = await kw.create({ owner: "o", label: "r" });
    await kw.disable(d.apiKey.id);
    await kw.revoke(r.apiKey.id);
    clock.advance(5);
    expectRefused(await kw.verify(d.key), "disabled", 401, d.key);
    expectRefused(await kw.verify(e.key), "expired", 401, e.key);
    expectRefused(await kw.verify(r.key), "revoked", 401, r.key);
  });

  it("insufficient_scope (403) when any required scope is missing, never 401", async () => {
    const { kw } = setup();
    const { key } = await kw.create({ owner: "o", label: "k", scopes: ["jobs:read"] });
    expectRefused(await kw.verify(key, { scopes: ["jobs:write"] }), "insufficient_scope", 403, key);
    expectRefused(await kw.verify(key, { scopes: ["jobs:read", "jobs:write"] }), "insufficient_scope", 403, key);
    expect((await kw.verify(key, { scopes: [] })).ok).toBe(true);
  });

  it("a revoked key and an unknown key are told apart only by code, never by status", async () => {
    const { kw } = setup();
    const { key, apiKey } = await kw.create({ owner: "o", label: "k" });
    await kw.revoke(apiKey.id);
    const revoked = await kw.verify(key);
    const unknown = await kw.verify(generateKey("kw").key);
    expect(!revoked.ok && revoked.error.status).toBe(!unknown.ok && unknown.error.status);
  });

  it("throws (misconfiguration) for a malformed required scope, even with a bad key", async () => {
    const { kw } = setup();
    // the async wrapper catches a synchronous throw and a rejection alike
    await expect((async () => kw.verify("anything", { scopes: ["jobs read"] }))()).rejects.toThrow(TypeError);
  });

  it("emits key.verification_failed with the reason, and nothing on success", async () => {
    const events: { type: string; reason?: string }[] = [];
    const { kw } = setup({ onEvent: (e) => void events.push(e) });
    const { key } = await kw.create({ owner: "o", label: "k", scopes: ["jobs:read"] });
    events.length = 0;
    await kw.verify(key);
    await kw.verify("");
    await kw.verify(key, { scopes: ["jobs:write"] });
    expect(events.map((e) => [e.type, e.reason])).toEqual([
      ["key.verification_failed", "missing"],
      ["key.verification_failed", "insufficient_scope"],
    ]);
  });

  it("a throwing event listener never changes the outcome", async () => {
    const { kw } = setup({
      onEvent: () => {
        throw new Error("listener broke");
      },
    });
    const { key } = await kw.create({ owner: "o", label: "k" });
    expect((await kw.verify(key)).ok).toBe(true);
    expectRefused(await kw.verify("nope"), "malformed", 401);
  });
});

describe("a failing store means unavailable (503), fail closed", () => {
  const { key } = generateKey("kw");

  it.each(["throw", "reject"] as const)("resolves with unavailable when the store calls %s", async (mode) => {
    const kw = createKeyward({ store: brokenStore(mode), prefix: "kw", lastUsed: false });
    expectRefused(await kw.verify(key), "unavailable", 503, key);
  });

  it("resolves with unavailable when the store hangs past storeTimeout", async () => {
    const kw = createKeyward({ store: brokenStore("hang"), prefix: "kw", lastUsed: false, storeTimeout: 30 });
    expectRefused(await kw.verify(key), "unavailable", 503, key);
  });

  it("times out each hung read at its own deadline, whatever the reads around it do", async () => {
    const inner = memoryStore();
    let call = 0;
    // reads alternate: hang, answer later, answer at once, hang, ...
    const mixed: KeyStore = {
      ...inner,
      findByHash: (hash) => {
        const n = call++ % 3;
        if (n === 0) return new Promise(() => {});
        const answer = Promise.resolve(inner.findByHash(hash));
        return n === 1 ? new Promise((resolve) => setTimeout(() => resolve(answer), 5)) : answer;
      },
    };
    const kw = createKeyward({ store: mixed, prefix: "kw", lastUsed: false, storeTimeout: 40 });
    const { key: real } = await kw.create({ owner: "o", label: "k" });
    const first = await Promise.all(Array.from({ length: 9 }, () => kw.verify(real)));
    await new Promise((resolve) => setTimeout(resolve, 60)); // the queue runs empty: a later hang arms a new timer
    const later = await Promise.all(Array.from({ length: 3 }, () => kw.verify(real)));
    for (const results of [first, later]) {
      expect(results.map((r) => (r.ok ? "ok" : r.error.code))).toEqual(
        results.map((_, i) => (i % 3 === 0 ? "unavailable" : "ok")),
      );
    }
  });

  it("still refuses a malformed key without touching a broken store (401, not 503)", async () => {
    const kw = createKeyward({ store: brokenStore("throw"), prefix: "kw", lastUsed: false });
    expectRefused(await kw.verify("kw_nope"), "malformed", 401);
  });

  it("recovers by itself once the store answers again", async () => {
    const inner = memoryStore();
    let down = false;
    const flaky: KeyStore = {
      ...inner,
      findByHash: (hash) => {
        if (down) throw new Error("down");
        return inner.findByHash(hash);
      },
    };
    const kw = createKeyward({ store: flaky, prefix: "kw", lastUsed: false });
    const { key: real } = await kw.create({ owner: "o", label: "k" });
    down = true;
    expectRefused(await kw.verify(real), "unavailable", 503, real);
    down = false;
    expect((await kw.verify(real)).ok).toBe(true);
  });

  it("management calls on a broken store reject with StoreUnavailableError (503)", async () => {
    const kw = createKeyward({ store: brokenStore("hang"), prefix: "kw", lastUsed: false, storeTimeout: 30 });
    await expect(kw.create({ owner: "o", label: "k" })).rejects.toMatchObject({ code: "unavailable", status: 503 });
    await expect(kw.revoke("id")).rejects.toMatchObject({ status: 503 });
  });
});
