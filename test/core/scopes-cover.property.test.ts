/**
 * `scopesCover(granted, required)`, the linear check a request principal
 * answers `has()` and `requireScopes` with, agrees with `ScopeSet` (the set
 * the verifier and the ceiling use) on every list of granted scopes and every
 * probe — tricks, wildcards and malformed strings included.
 */
import fc from "fast-check";
import { isValidScope, ScopeSet, scopesCover } from "keyward";
import { describe, expect, it } from "vitest";

const segment = fc.constantFrom("jobs", "read", "write", "a", "b", "*", "__proto__", "Jobs", " read", "", "rеad");
const scope = fc
  .array(segment, { minLength: 1, maxLength: 4 })
  .map((parts) => parts.join(":"))
  .chain((s) => fc.constantFrom(s, "*", `${s}:*`, ` ${s}`, s.toUpperCase()));

describe("scopesCover", () => {
  it("answers as ScopeSet does, for every granted list and every probe", () => {
    fc.assert(
      fc.property(fc.array(scope, { maxLength: 8 }), fc.array(scope, { maxLength: 4 }), (held, required) => {
        const set = new ScopeSet(held);
        expect(scopesCover(set.list, required)).toBe(set.coversAll(required));
      }),
      { numRuns: 5000 },
    );
  });

  it("never covers a malformed scope, not even under *", () => {
    fc.assert(
      fc.property(scope, (probe) => {
        if (!isValidScope(probe)) expect(scopesCover(["*"], [probe])).toBe(false);
      }),
      { numRuns: 2000 },
    );
    expect(scopesCover(["*"], ["__proto__"])).toBe(true); // a well-formed name is just a name
    expect(scopesCover(["jobs:*"], ["jobs:"])).toBe(false);
    expect(scopesCover(["jobs:read", "jobs:write"], ["jobs:*"])).toBe(false);
    expect(scopesCover(["jobs:read"], [])).toBe(true);
  });
});
