/**
 * SECURITY 10, in process: the credential parser answers every input with a
 * result — never a throw — and a value carrying CR or LF never authenticates.
 * Over HTTP such values cannot even be sent (Node refuses them), so the
 * parser and the authenticator behind every adapter are driven directly,
 * with header values no transport would have cleaned up.
 */
import fc from "fast-check";
import { createKeyward, type Keyward } from "keyward";
import { createAuthenticator, readCredential } from "keyward/http";
import { memoryStore } from "keyward/memory";
import { beforeAll, describe, expect, it } from "vitest";

const KINDS = ["none", "invalid", "token"];
let kw: Keyward;
let valid = "";

beforeAll(async () => {
  kw = createKeyward({ store: memoryStore(), prefix: "cho", roles: { viewer: ["jobs:read"] }, lastUsed: false });
  valid = (await kw.create({ owner: "org_a", label: "k", role: "viewer" })).key;
});

/** Anything at all, and near-misses of a real credential. */
const anyValue = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.string({ unit: "binary", maxLength: 300 }),
    fc.string({ unit: "grapheme", maxLength: 40 }),
    fc.constantFrom("", " ", "Bearer", "Bearer ", "bearer\t", "Basic x", "Bearer ,Bearer", "\r\n", "Bearer \u0000"),
    fc
      .tuple(fc.constantFrom("Bearer ", "bearer ", "BEARER   ", "", "Basic "), fc.nat({ max: 80 }), fc.string({ maxLength: 4 }))
      .map(([scheme, at, junk]) => {
        const credential = `${scheme}${valid}`;
        const cut = at % (credential.length + 1);
        return credential.slice(0, cut) + junk + credential.slice(cut);
      }),
  );

/** A real credential with CR and/or LF put anywhere in it (start, middle, end, around the scheme). */
const withLineBreak = (): fc.Arbitrary<{ value: string; header: "authorization" | "apiKey" }> =>
  fc
    .record({
      header: fc.constantFrom("authorization" as const, "apiKey" as const),
      at: fc.nat(),
      brk: fc.constantFrom("\r", "\n", "\r\n", "\n\r", " \r\n", "\r\n "),
    })
    .map(({ header, at, brk }) => {
      const credential = header === "authorization" ? `Bearer ${valid}` : valid;
      const cut = at % (credential.length + 1);
      return { header, value: credential.slice(0, cut) + brk + credential.slice(cut) };
    });

describe("readCredential on arbitrary header values", () => {
  it("always returns none, invalid or token; never throws; two or more values are always invalid", () => {
    fc.assert(
      fc.property(
        fc.array(anyValue(), { maxLength: 3 }),
        fc.option(fc.array(anyValue(), { maxLength: 3 }), { nil: undefined }),
        (authorization, apiKey) => {
          const credential = readCredential({ authorization, ...(apiKey !== undefined && { apiKey }) });
          expect(KINDS).toContain(credential.kind);
          if (authorization.length + (apiKey?.length ?? 0) > 1) expect(credential.kind).toBe("invalid");
          if (credential.kind === "token") {
            expect(typeof credential.token).toBe("string");
            expect(credential.token.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("never hands on a token of key length or less that holds CR, LF, whitespace or a non-ASCII character", () => {
    fc.assert(
      fc.property(anyValue(), fc.boolean(), (value, asApiKey) => {
        const credential = readCredential(asApiKey ? { authorization: [], apiKey: [value] } : { authorization: [value] });
        if (credential.kind === "token" && credential.token.length <= 256) {
          expect(credential.token).toMatch(/^[\x21-\x7e]+$/);
          expect(/[\r\n]/.test(credential.token)).toBe(false);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe("the authenticator behind every adapter", () => {
  it("answers every input with ok, 400 or 401 — never a throw, never a 5xx", async () => {
    const auth = createAuthenticator(kw, { header: "x-api-key" });
    await fc.assert(
      fc.asyncProperty(
        fc.array(anyValue(), { maxLength: 2 }),
        fc.array(anyValue(), { maxLength: 2 }),
        async (authorization, apiKey) => {
          const outcome = await auth.authenticate({ authorization, apiKey }, "/v1/jobs");
          if (!outcome.ok) expect([400, 401]).toContain(outcome.response.status);
          else expect(outcome.apiKey.owner).toBe("org_a");
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("a real key with CR or LF anywhere in it never authenticates", async () => {
    const auth = createAuthenticator(kw, { header: "x-api-key" });
    // the clean credential does authenticate, in both places
    expect((await auth.authenticate({ authorization: [`Bearer ${valid}`] }, "/")).ok).toBe(true);
    expect((await auth.authenticate({ authorization: [], apiKey: [valid] }, "/")).ok).toBe(true);
    await fc.assert(
      fc.asyncProperty(withLineBreak(), async ({ header, value }) => {
        const sources = header === "authorization" ? { authorization: [value] } : { authorization: [], apiKey: [value] };
        expect(readCredential(sources).kind).not.toBe("token");
        const outcome = await auth.authenticate(sources, "/v1/jobs");
        expect(outcome.ok).toBe(false);
        if (!outcome.ok) expect([400, 401]).toContain(outcome.response.status);
        expect(await kw.verify(value)).toMatchObject({ ok: false });
      }),
      { numRuns: 1000 },
    );
  });
});
