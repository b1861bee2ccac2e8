import fc from "fast-check";
import { type Actor, createKeyward, ForbiddenError, ScopeSet } from "keyward";
import { memoryStore } from "keyward/memory";
import { describe, expect, it } from "vitest";

/**
 * An independent model of scope matching, written from SPEC §3.3: `*` covers
 * everything, `res:*` covers every scope starting with `res:`, anything else
 * only itself. Held strings are compared literally, so a malformed one can
 * only ever match itself.
 */
function modelCovers(held: readonly string[], scope: string): boolean {
  return held.some((h) => h === scope || h === "*" || (h.endsWith(":*") && h.length > 2 && scope.startsWith(h.slice(0, -1))));
}

const ROLES: Record<string, string[]> = {
  owner: ["*"],
  admin: ["jobs:*", "reports:read", "api_keys:manage"],
  writer: ["jobs:read", "jobs:write"],
  viewer: ["jobs:read"],
  auditor: ["reports:*", "keys:read"],
  runner: ["jobs:runs:*"],
};

const VALID = [
  "*",
  "jobs:*",
  "jobs:read",
  "jobs:write",
  "jobs:delete",
  "jobs:runs:*",
  "jobs:runs:read",
  "reports:*",
  "reports:read",
  "reports:export",
  "keys:*",
  "keys:read",
  "api_keys:manage",
  "billing:read",
];
/** Strings an actor might hold that must never count for more than themselves. */
const TRICKS = [
  "JOBS:*",
  " *",
  "*\n",
  "jobs:*\t",
  "__proto__",
  "constructor",
  "jobs:rеad",
  "jobs",
  "jobs:",
  ":*",
  "**",
  "jobs:**",
];
const PROBES = [...VALID, "jobs:runs:start", "reports:x:y", "keys:write", "api_keys:*", "other:thing", "jobs:runs"];

const actorArb = fc.record({
  scopes: fc.uniqueArray(fc.constantFrom(...VALID, ...TRICKS), { maxLength: 6 }),
  role: fc.option(fc.constantFrom(...Object.keys(ROLES), "ghost", "__proto__", "constructor"), { nil: null }),
});
const requestArb = fc.record({
  scopes: fc.uniqueArray(fc.constantFrom(...VALID), { maxLength: 5 }),
  role: fc.option(fc.constantFrom(...Object.keys(ROLES)), { nil: null }),
});

function actorHeld(a: { scopes: string[]; role: string | null }): string[] {
  return [...a.scopes, ...(a.role !== null && Object.hasOwn(ROLES, a.role) ? (ROLES[a.role] as string[]) : [])];
}

describe("the role ceiling (property)", () => {
  it("never lets a created key cover a scope its creator does not cover (10,000 runs)", async () => {
    const kw = createKeyward({ store: memoryStore(), prefix: "kw", roles: ROLES, lastUsed: false });
    let accepted = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(actorArb, requestArb, async (a, req) => {
        // everyone here may manage keys; what they may grant is the question
        const actor: Actor = { id: "u", owner: "org_1", scopes: [...a.scopes, "api_keys:manage"], role: a.role };
        const held = actorHeld({ scopes: actor.scopes as string[], role: a.role });
        const wanted = [...req.scopes, ...(req.role ? (ROLES[req.role] as string[]) : [])];
        const allowed = wanted.every((s) => modelCovers(held, s));

        let key: string | null = null;
        try {
          key = (await kw.create({ label: "p", scopes: req.scopes, role: req.role }, { actor })).key;
        } catch (error) {
          expect(error).toBeInstanceOf(ForbiddenError);
        }
        expect(key !== null).toBe(allowed);
        if (key === null) return void refused++;
        accepted++;

        const result = await kw.verify(key);
        if (!result.ok) throw new Error(`created key did not verify: ${result.error.code}`);
        const keySet = new ScopeSet(result.scopes);
        for (const probe of PROBES) {
          if (keySet.covers(probe)) expect(modelCovers(held, probe), probe).toBe(true);
        }
        // and through verify itself, for one probe per run
        const probe = PROBES[(accepted * 7) % PROBES.length] as string;
        if ((await kw.verify(key, { scopes: [probe] })).ok) expect(modelCovers(held, probe)).toBe(true);
      }),
      { numRuns: 10_000 },
    );
    // the property must have exercised both sides
    expect(accepted).toBeGreaterThan(500);
    expect(refused).toBeGreaterThan(500);
  }, 60_000);

  it("grantableRoles lists exactly the roles whose every scope the actor covers", () => {
    const kw = createKeyward({ store: memoryStore(), prefix: "kw", roles: ROLES });
    fc.assert(
      fc.property(actorArb, (a) => {
        const actor: Actor = { id: "u", owner: "o", scopes: a.scopes, role: a.role };
        const held = actorHeld(a);
        const expected = Object.keys(ROLES).filter((r) => (ROLES[r] as string[]).every((s) => modelCovers(held, s)));
        expect(kw.grantableRoles(actor)).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });
});
