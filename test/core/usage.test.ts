import { ConfigError, createKeyward, type KeyStore, type KeywardEvent, ValidationError } from "keyward";
import { memoryStore } from "keyward/memory";
import { describe, expect, it } from "vitest";
import { manualClock, setup } from "../support/core.js";

describe("rate limits", () => {
  it("admits exactly `limit` verifications per window, then refuses with rate_limited (429) and a retry time", async () => {
    const clock = manualClock();
    const { kw } = setup({ now: clock.now });
    const { key } = await kw.create({ owner: "org_1", label: "limited", ratelimit: { limit: 3, window: 1_000 } });
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await kw.verify(key));
    expect(results.map((r) => r.ok)).toEqual([true, true, true, false]);
    expect(results.map((r) => r.ratelimit?.remaining)).toEqual([2, 1, 0, 0]);
    const refused = results[3];
    if (refused?.ok !== false) throw new Error("expected a refusal");
    expect(refused.error).toMatchObject({ code: "rate_limited", status: 429 });
    expect(refused.error.retryAfter).toBeGreaterThan(0);
    clock.advance(refused.error.retryAfter as number);
    expect((await kw.verify(key)).ok).toBe(true);
  });

  it("anchors the window at first use: a steady client over the limit is refused, not reset by each request", async () => {
    const clock = manualClock();
    const { kw } = setup({ now: clock.now });
    const { key } = await kw.create({ owner: "org_1", label: "steady", ratelimit: { limit: 10, window: 1_000 } });
    let accepted = 0;
    for (let i = 0; i < 100; i++) {
      if ((await kw.verify(key)).ok) accepted++;
      clock.advance(50); // 20 per second against a limit of 10
    }
    // 5 s of traffic: never more than the limit in any window, and at least the limit per window once steady
    expect(accepted).toBeLessThanOrEqual(60);
    expect(accepted).toBeGreaterThanOrEqual(45);
  });

  it("applies the configured default to keys without their own, and a key's own limit over it", async () => {
    const clock = manualClock();
    const { kw } = setup({ now: clock.now, ratelimit: { limit: 2, window: 60_000 } });
    const plain = await kw.create({ owner: "org_1", label: "default" });
    const own = await kw.create({ owner: "org_1", label: "own", ratelimit: { limit: 5, window: 60_000 } });
    const oks = async (key: string, n: number) => {
      let ok = 0;
      for (let i = 0; i < n; i++) if ((await kw.verify(key)).ok) ok++;
      return ok;
    };
    expect(await oks(plain.key, 6)).toBe(2);
    expect(await oks(own.key, 6)).toBe(5);
    expect(plain.apiKey.ratelimit).toBeNull();
  });

  it("refuses a default rate limit on a store without consume() at configuration time", () => {
    const { consume: _, ...plain } = memoryStore();
    expect(() => createKeyward({ store: plain as KeyStore, ratelimit: { limit: 1, window: 1 } })).toThrow(ConfigError);
    expect(() => createKeyward({ store: memoryStore(), ratelimit: { limit: 0, window: 1 } })).toThrow(ConfigError);
  });
});

describe("credits", () => {
  it("spends `cost` per success, never goes below zero, and keeps the key when it runs out", async () => {
    const { kw } = setup();
    const { key, apiKey } = await kw.create({ owner: "org_1", label: "metered", credits: { remaining: 10 } });
    expect(apiKey).toMatchObject({ remaining: 10, credits: { remaining: 10, refill: null } });
    const first = await kw.verify(key, { cost: 4 });
    expect(first.ok && first.key.remaining).toBe(6);
    expect((await kw.verify(key, { cost: 7 })).ok).toBe(false); // would go negative: refused, nothing spent
    const last = await kw.verify(key, { cost: 6 });
    expect(last.ok && last.key.remaining).toBe(0);
    const out = await kw.verify(key);
    expect(out.ok === false && out.error).toMatchObject({ code: "usage_exceeded", status: 429 });
    expect(out.ok === false && out.error.retryAfter).toBeUndefined();
    expect(await kw.get(apiKey.id)).toMatchObject({ status: "active", remaining: 0 });
  });

  it("refills to `amount` once per interval", async () => {
    const clock = manualClock();
    const { kw } = setup({ now: clock.now });
    const { key } = await kw.create({
      owner: "org_1",
      label: "refilled",
      credits: { remaining: 1, refill: { amount: 2, interval: 1_000 } },
    });
    expect((await kw.verify(key)).ok).toBe(true);
    const refused = await kw.verify(key);
    expect(refused.ok === false && refused.error.retryAfter).toBe(1_000);
    clock.advance(2_500); // two intervals passed: still one refill, to `amount`
    const results = await Promise.all([kw.verify(key), kw.verify(key), kw.verify(key)]);
    expect(results.filter((r) => r.ok)).toHaveLength(2);
  });

  it("treats cost 0 as free but still refuses an exhausted key", async () => {
    const { kw } = setup();
    const { key } = await kw.create({ owner: "org_1", label: "zero", credits: { remaining: 1 } });
    expect((await kw.verify(key, { cost: 0 })).ok).toBe(true);
    expect((await kw.verify(key, { cost: 1 })).ok).toBe(true);
    expect((await kw.verify(key, { cost: 0 })).ok).toBe(true);
    await expect(kw.verify(key, { cost: -1 })).rejects.toThrow(TypeError);
    await expect(kw.verify(key, { cost: 1.5 })).rejects.toThrow(TypeError);
  });
});

describe("IP allowlists", () => {
  it("refuses a key presented from outside its allowlist, or with no address, with ip_not_allowed (403)", async () => {
    const { kw } = setup();
    const { key, apiKey } = await kw.create({ owner: "org_1", label: "office", allowedIps: ["203.0.113.0/24", "2001:DB8::/32"] });
    expect(apiKey.allowedIps).toEqual(["203.0.113.0/24", "2001:db8::/32"]);
    expect((await kw.verify(key, { ip: "203.0.113.9" })).ok).toBe(true);
    expect((await kw.verify(key, { ip: "::ffff:203.0.113.9" })).ok).toBe(true);
    expect((await kw.verify(key, { ip: "2001:db8::7" })).ok).toBe(true);
    for (const ip of ["198.51.100.1", "2001:db9::1", "garbage", undefined]) {
      const result = await kw.verify(key, { ip });
      expect(result.ok === false && result.error).toMatchObject({ code: "ip_not_allowed", status: 403 });
    }
  });

  it("reports every bad entry as a validation error (422) with details", async () => {
    const { kw } = setup();
    const error = await kw
      .create({ owner: "org_1", label: "bad", allowedIps: ["10.0.0.0/8", "10.0.0.0/33", "nope"] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).details.map((d) => d.field)).toEqual(["allowedIps[1]", "allowedIps[2]"]);
  });
});

describe("usage controls on keys and stores", () => {
  it("validates ratelimit and credits on create and update", async () => {
    const { kw } = setup();
    const bad = await kw
      .create({ owner: "org_1", label: "x", ratelimit: { limit: 1.5, window: 10 }, credits: { remaining: -1 } })
      .catch((e: unknown) => e);
    expect((bad as ValidationError).details.map((d) => d.field)).toEqual(["ratelimit", "credits.remaining"]);
    const { apiKey } = await kw.create({ owner: "org_1", label: "x" });
    const patched = await kw.update(apiKey.id, { ratelimit: { limit: 5, window: 1_000 }, credits: { remaining: 3 } });
    expect(patched).toMatchObject({ ratelimit: { limit: 5, window: 1_000 }, remaining: 3 });
    const cleared = await kw.update(apiKey.id, { ratelimit: null, credits: null, allowedIps: null });
    expect(cleared).toMatchObject({ ratelimit: null, credits: null, remaining: null, allowedIps: null });
  });

  it("refuses usage controls on a store without consume(), and fails closed if a limited key appears on such a store", async () => {
    const inner = memoryStore();
    const { consume: _, ...plain } = inner;
    const kw = createKeyward({ store: plain as KeyStore, lastUsed: false });
    for (const controls of [
      { ratelimit: { limit: 1, window: 1 } },
      { credits: { remaining: 1 } },
      { allowedIps: ["10.0.0.0/8"] }, // a store that cannot say it keeps them might drop them
    ]) {
      await expect(kw.create({ owner: "org_1", label: "x", ...controls })).rejects.toThrow(ConfigError);
    }
    const { key } = await createKeyward({ store: inner, lastUsed: false }).create({
      owner: "org_1",
      label: "made elsewhere",
      ratelimit: { limit: 5, window: 1_000 },
    });
    const result = await kw.verify(key);
    expect(result.ok === false && result.error.code).toBe("unavailable");
  });

  it("rotation copies the limit, the allowlist and the balance to the replacement", async () => {
    const { kw } = setup();
    const { key, apiKey } = await kw.create({
      owner: "org_1",
      label: "rotating",
      ratelimit: { limit: 5, window: 1_000 },
      credits: { remaining: 7 },
      allowedIps: ["10.0.0.0/8"],
    });
    await kw.verify(key, { ip: "10.0.0.1", cost: 2 });
    const rotated = await kw.rotate(apiKey.id, { gracePeriod: 60_000 });
    expect(rotated.apiKey).toMatchObject({ ratelimit: { limit: 5, window: 1_000 }, remaining: 5, allowedIps: ["10.0.0.0/8"] });
    // the old key keeps working for the grace period, but the balance went with the replacement
    const old = await kw.verify(key, { ip: "10.0.0.1" });
    expect(old.ok === false && old.error.code).toBe("usage_exceeded");
    expect((await kw.verify(rotated.key, { ip: "10.0.0.1" })).ok).toBe(true);
  });

  it("emits key.rate_limited at most once per key per second under a flood, never with the key", async () => {
    const clock = manualClock();
    const events: KeywardEvent[] = [];
    const { kw } = setup({ now: clock.now, onEvent: (e) => events.push(e) });
    const { key, apiKey } = await kw.create({ owner: "org_1", label: "flood", ratelimit: { limit: 1, window: 60_000 } });
    for (let i = 0; i < 200; i++) await kw.verify(key);
    clock.advance(1_000);
    for (let i = 0; i < 50; i++) await kw.verify(key);
    const limited = events.filter((e) => e.type === "key.rate_limited");
    expect(limited.map((e) => e.refused)).toEqual([1, 199]);
    expect(limited[0]).toMatchObject({ keyId: apiKey.id, owner: "org_1" });
    expect(events.filter((e) => e.type === "key.verification_failed")).toHaveLength(0);
    expect(JSON.stringify(events)).not.toContain(key);
  });

  it("fails closed when the store's consume answers with something malformed", async () => {
    const store = memoryStore();
    const damaged: KeyStore = new Proxy(store, {
      get: (t, p, r) =>
        p === "consume" ? () => ({ ok: true, reason: null, window: null, credits: null }) : Reflect.get(t, p, r),
    });
    const kw = createKeyward({ store: damaged, lastUsed: false });
    const { key } = await kw.create({ owner: "org_1", label: "x", ratelimit: { limit: 1, window: 1_000 } });
    const result = await kw.verify(key);
    expect(result.ok === false && result.error.code).toBe("unavailable");
  });
});
