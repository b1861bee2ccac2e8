import fc from "fast-check";
import { type Actor, type ApiKey, createKeyward, ForbiddenError, ipAllowed, type UpdateInput } from "keyward";
import { memoryStore } from "keyward/memory";
import { describe, expect, it } from "vitest";

const RANGES = [
  "10.0.0.0/8",
  "10.1.0.0/16",
  "10.1.2.0/24",
  "10.1.2.3",
  "10.2.0.0/16",
  "192.0.2.0/24",
  "192.0.2.128/25",
  "0.0.0.0/0",
  "2001:db8::/32",
  "2001:db8:1::/48",
  "::/0",
];
/** Addresses at the edges of the ranges above, and elsewhere. */
const PROBES = [
  "10.0.0.0",
  "10.1.2.3",
  "10.1.2.4",
  "10.1.255.255",
  "10.2.0.1",
  "10.255.255.255",
  "11.0.0.0",
  "192.0.2.1",
  "192.0.2.200",
  "192.0.3.1",
  "2001:db8::1",
  "2001:db8:1::1",
  "2001:db8:2::1",
  "2001:db9::1",
  "::1",
];

const DEFAULT = { limit: 50, window: 1_000 };

const rateArb = fc.option(
  fc.record({ limit: fc.constantFrom(1, 10, 50, 100, 1_000), window: fc.constantFrom(100, 1_000, 60_000) }),
  { nil: null },
);
const creditsArb = fc.option(
  fc.record({
    remaining: fc.constantFrom(0, 5, 100, 1_000),
    refill: fc.option(fc.record({ amount: fc.constantFrom(1, 100, 1_000), interval: fc.constantFrom(1_000, 60_000) }), {
      nil: null,
    }),
  }),
  { nil: null },
);
const ipsArb = fc.option(fc.uniqueArray(fc.constantFrom(...RANGES), { minLength: 1, maxLength: 3 }), { nil: null });
const controlsArb = fc.record({ ratelimit: rateArb, credits: creditsArb, allowedIps: ipsArb });
/** A change: each control left out (undefined) or set, null included. */
const changeArb = fc.record(
  { ratelimit: rateArb, credits: creditsArb, allowedIps: ipsArb },
  { requiredKeys: [] },
) as fc.Arbitrary<Pick<UpdateInput, "ratelimit" | "credits" | "allowedIps">>;

/** The rate a key gets: its own limit, else the default. Narrower: no more per window, no shorter window. */
function rateNarrower(after: ApiKey, before: ApiKey): boolean {
  const a = after.ratelimit ?? DEFAULT;
  const b = before.ratelimit ?? DEFAULT;
  return a.limit <= b.limit && a.window >= b.window;
}

function creditsNarrower(after: ApiKey, before: ApiKey): boolean {
  const a = after.credits ?? null;
  const b = before.credits ?? null;
  if (a === null) return b === null;
  if (b === null) return a.remaining === 0 && a.refill === null;
  if (a.remaining > b.remaining) return false;
  if (a.refill === null) return true;
  return b.refill !== null && a.refill.amount <= b.refill.amount && a.refill.interval >= b.refill.interval;
}

/** Every probe address the key admits after the change it admitted before. */
function ipsNarrower(after: ApiKey, before: ApiKey): boolean {
  const admits = (k: ApiKey, ip: string) => k.allowedIps == null || ipAllowed(k.allowedIps, ip);
  return PROBES.every((ip) => !admits(after, ip) || admits(before, ip));
}

describe("usage controls an actor may change (property)", () => {
  it("through an actor, an update either only narrows the limit, the credits and the allowlist, or is refused (2,000 runs)", async () => {
    const kw = createKeyward({ store: memoryStore(), roles: { admin: ["*"] }, ratelimit: DEFAULT, lastUsed: false });
    const actor: Actor = { id: "u", owner: "org_1", role: "admin" };
    let accepted = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(controlsArb, changeArb, async (initial, change) => {
        const { apiKey: before } = await kw.create({ owner: "org_1", label: "k", ...initial });
        const outcome = await kw.update(before.id, change, { actor }).catch((e: unknown) => e);
        if (outcome instanceof ForbiddenError) {
          refused++;
          expect(await kw.get(before.id)).toEqual(before); // nothing changed
          return;
        }
        if (outcome instanceof Error) throw outcome;
        accepted++;
        const after = outcome as ApiKey;
        expect(rateNarrower(after, before)).toBe(true);
        expect(creditsNarrower(after, before)).toBe(true);
        expect(ipsNarrower(after, before)).toBe(true);
      }),
      { numRuns: 2_000 },
    );
    expect(accepted).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });

  it("through an actor, create grants no credits and no limit above the default; server code may do anything", async () => {
    const kw = createKeyward({ store: memoryStore(), roles: { admin: ["*"] }, ratelimit: DEFAULT, lastUsed: false });
    const actor: Actor = { id: "u", owner: "org_1", role: "admin" };
    await fc.assert(
      fc.asyncProperty(controlsArb, async (controls) => {
        const made = await kw.create({ label: "k", ...controls }, { actor }).catch((e: unknown) => e);
        const plain = (await kw.create({ owner: "org_1", label: "plain" })).apiKey;
        if (made instanceof ForbiddenError) {
          const server = await kw.create({ owner: "org_1", label: "server", ...controls });
          expect(server.apiKey.allowedIps).toEqual(controls.allowedIps);
          return;
        }
        if (made instanceof Error) throw made;
        const { apiKey } = made as { apiKey: ApiKey };
        expect(rateNarrower(apiKey, plain)).toBe(true);
        expect(creditsNarrower(apiKey, plain)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("lets the usagePolicy hook allow a widening change, and treats a throwing hook as a refusal", async () => {
    const seen: unknown[] = [];
    const kw = createKeyward({
      store: memoryStore(),
      roles: { admin: ["*"] },
      lastUsed: false,
      usagePolicy: (change) => {
        seen.push(change);
        if (change.owner === "org_boom") throw new Error("policy down");
        return change.actor.id === "billing";
      },
    });
    const billing: Actor = { id: "billing", owner: "org_1", role: "admin" };
    const admin: Actor = { id: "admin", owner: "org_1", role: "admin" };
    const { apiKey } = await kw.create({ label: "k", credits: { remaining: 100 } }, { actor: billing });
    expect(apiKey.remaining).toBe(100);
    await expect(kw.update(apiKey.id, { credits: { remaining: 500 } }, { actor: admin })).rejects.toThrow(ForbiddenError);
    expect((await kw.update(apiKey.id, { credits: { remaining: 50 } }, { actor: admin })).remaining).toBe(50);
    expect((await kw.update(apiKey.id, { credits: { remaining: 500 } }, { actor: billing })).remaining).toBe(500);
    expect(seen[0]).toMatchObject({
      operation: "create",
      before: null,
      widened: ["credits"],
      after: { credits: { remaining: 100 } },
    });
    const boom: Actor = { id: "billing", owner: "org_boom", role: "admin" };
    await expect(kw.create({ label: "k", credits: { remaining: 1 } }, { actor: boom })).rejects.toThrow(ForbiddenError);
  });
});
