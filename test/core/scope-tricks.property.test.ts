import fc from "fast-check";
import { createKeyward, ForbiddenError, isValidScope, RoleBook, ScopeSet, ValidationError } from "keyward";
import { memoryStore } from "keyward/memory";
import { describe, expect, it } from "vitest";

const BASE = ["jobs:read", "jobs:write", "reports:read"];
/** Names and variants that must never match anything but themselves. */
const TRICKS = [
  "__proto__",
  "constructor",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "prototype",
  "__proto__:*",
  "constructor:*",
  "JOBS:READ",
  "Jobs:Read",
  "jobs:READ",
  " jobs:read",
  "jobs:read ",
  "jobs:read\n",
  "\tjobs:read",
  "jobs: read",
  "jobs:rеad", // Cyrillic е
  "jоbs:read", // Cyrillic о
  "ｊobs:read", // fullwidth j
  "jobs:read\u200b", // zero-width space
  "jobs::read",
  "jobs:",
  ":read",
  "*:read",
  "* ",
  "**",
  "jobs:*:*",
  "",
];

/** Scopes covered by a set holding exactly `held`, per the spec's matching rule. */
function specCovers(held: readonly string[], scope: string): boolean {
  if (!isValidScope(scope)) return false;
  return held.some(
    (h) => isValidScope(h) && (h === scope || h === "*" || (h.endsWith(":*") && scope.startsWith(h.slice(0, -1)))),
  );
}

const heldArb = fc.array(fc.constantFrom(...BASE, ...TRICKS, "jobs:*", "*"), { maxLength: 8 });
const probeArb = fc.constantFrom(...BASE, ...TRICKS, "jobs:*", "*", "reports:*");

describe("scope strings that look like something else never widen access", () => {
  it("ScopeSet.covers never answers true beyond the spec's rule, for any mix of tricks and duplicates", () => {
    fc.assert(
      fc.property(heldArb, probeArb, (held, probe) => {
        expect(new ScopeSet(held).covers(probe)).toBe(specCovers(held, probe));
      }),
      { numRuns: 3000 },
    );
  });

  it("duplicates change nothing", () => {
    fc.assert(
      fc.property(heldArb, probeArb, (held, probe) => {
        expect(new ScopeSet([...held, ...held]).covers(probe)).toBe(new ScopeSet(held).covers(probe));
      }),
      { numRuns: 500 },
    );
  });

  it.each(TRICKS)("an empty set does not cover %j, and neither does jobs:read", (trick) => {
    expect(new ScopeSet([]).covers(trick)).toBe(false);
    if (trick !== "jobs:read") expect(new ScopeSet(["jobs:read"]).covers(trick)).toBe(false);
  });

  it("malformed variants are not valid scopes, and a valid set ignores them", () => {
    for (const t of TRICKS.filter((s) => /\s|[^\x21-\x7e]|^$|::|:$|^:|\*.|^\*\*/.test(s))) {
      expect(isValidScope(t), t).toBe(false);
    }
    expect(new ScopeSet([" *", "*\n", "jobs:*\t"]).covers("jobs:read")).toBe(false);
  });
});

describe("verify({ scopes }) with tricky required scopes", () => {
  it("a key holding jobs:read is granted no trick variant, and nothing is ever widened", async () => {
    const kw = createKeyward({ store: memoryStore(), prefix: "kw", lastUsed: false });
    const { key } = await kw.create({ owner: "o", label: "k", scopes: ["jobs:read"] });
    for (const trick of TRICKS) {
      if (trick === "jobs:read") continue;
      let ok = false;
      try {
        ok = (await kw.verify(key, { scopes: [trick] })).ok;
      } catch (error) {
        // a malformed required scope is the application's misconfiguration: it throws, never grants
        expect(error).toBeInstanceOf(TypeError);
      }
      expect(ok, trick).toBe(false);
    }
  });

  it("a key created with a trick scope is refused at creation (422), never stored", async () => {
    const store = memoryStore();
    const kw = createKeyward({ store, prefix: "kw" });
    for (const trick of TRICKS.filter((t) => !isValidScope(t))) {
      await expect(kw.create({ owner: "o", label: "k", scopes: [trick] })).rejects.toBeInstanceOf(ValidationError);
    }
    expect(store.size).toBe(0);
  });

  it("valid look-alike names (__proto__, constructor, toString) are just names: only exact matches", async () => {
    const kw = createKeyward({ store: memoryStore(), prefix: "kw", lastUsed: false });
    const { key } = await kw.create({ owner: "o", label: "k", scopes: ["__proto__", "constructor", "toString"] });
    expect((await kw.verify(key, { scopes: ["__proto__"] })).ok).toBe(true);
    for (const other of ["jobs:read", "hasOwnProperty", "valueOf", "__proto__:x", "*"]) {
      expect((await kw.verify(key, { scopes: [other] })).ok, other).toBe(false);
    }
  });
});

describe("the ceiling with tricky actor scopes", () => {
  it("an actor holding only trick variants of jobs:read cannot grant jobs:read", async () => {
    const kw = createKeyward({ store: memoryStore(), prefix: "kw" });
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.constantFrom(...TRICKS.filter((t) => t !== "")), { maxLength: 6 }), async (held) => {
        const actor = { id: "u", owner: "o", scopes: [...held, "api_keys:manage"] };
        await expect(kw.create({ label: "k", scopes: ["jobs:read"] }, { actor })).rejects.toBeInstanceOf(ForbiddenError);
      }),
      { numRuns: 300 },
    );
  });

  it("an actor whose role is an Object.prototype name holds nothing from it", async () => {
    const kw = createKeyward({ store: memoryStore(), prefix: "kw", roles: {} });
    for (const role of ["__proto__", "constructor", "toString", "hasOwnProperty"]) {
      const actor = { id: "u", owner: "o", role, scopes: ["api_keys:manage"] };
      await expect(kw.create({ label: "k", scopes: ["jobs:read"] }, { actor })).rejects.toBeInstanceOf(ForbiddenError);
      expect(kw.grantableRoles(actor)).toEqual([]);
    }
  });
});

describe("role names that are Object.prototype properties", () => {
  it.each(["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"])(
    "roles: {} does not resolve %j",
    async (role) => {
      const book = new RoleBook({});
      expect(book.scopesOf(role)).toEqual([]);
      expect(book.has(role)).toBe(false);
      expect(book.effective([], role).list).toEqual([]);
      const kw = createKeyward({ store: memoryStore(), prefix: "kw", roles: {} });
      const err = await kw.create({ owner: "o", label: "k", role }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).details).toEqual([{ field: "role", message: expect.any(String) }]);
      expect(kw.grantableRoles({ id: "u", owner: "o", role })).toEqual([]);
    },
  );

  it("a key stored with role __proto__ gets no scopes from it at verification", async () => {
    const store = memoryStore();
    const kw = createKeyward({ store, prefix: "kw", roles: {}, lastUsed: false });
    const { key, apiKey } = await kw.create({ owner: "o", label: "k" });
    // simulate a record written by hand (or by an older version) naming such a role
    await store.update(apiKey.id, { role: "__proto__" });
    const result = await kw.verify(key);
    expect(result.ok && result.scopes).toEqual([]);
    expect((await kw.verify(key, { scopes: ["jobs:read"] })).ok).toBe(false);
  });
});
