import { jwtActor } from "keyward/jwt";
import { beforeAll, describe, expect, it } from "vitest";
import { AUDIENCE, bearer, ISSUER, jwksOf, makeKey, requests, type SigningKey, sign, toActor } from "../support/jwt.js";

const secret = new TextEncoder().encode("a-32-byte-test-secret-0123456789");

describe("jwtActor with an HS256 secret", () => {
  const actor = jwtActor({ secret, issuer: ISSUER, audience: AUDIENCE, toActor });

  it("maps a valid token, from all three request shapes", async () => {
    const token = await sign(secret);
    for (const request of Object.values(requests(`Bearer ${token}`))) {
      expect(await actor(...request)).toEqual({ id: "user_1", owner: "org_1", scopes: ["api_keys:manage", "keys:read"] });
    }
  });

  it("accepts the secret as a string", async () => {
    const fromString = jwtActor({ secret: new TextDecoder().decode(secret), toActor });
    expect(await fromString(bearer(await sign(secret)))).toMatchObject({ id: "user_1" });
  });

  it("resolves null for another secret, an expired token, a wrong audience and an HS512 token", async () => {
    const wrong = new TextEncoder().encode("another-32-byte-secret-abcdefghij");
    expect(await actor(bearer(await sign(wrong)))).toBeNull();
    expect(await actor(bearer(await sign(secret, { expiresIn: Math.floor(Date.now() / 1000) - 5 })))).toBeNull();
    expect(await actor(bearer(await sign(secret, { audience: "https://other.example.test" })))).toBeNull();
    const long = new Uint8Array(64).fill(7);
    const hs512 = jwtActor({ secret: long, toActor });
    expect(await hs512(bearer(await sign(long, { alg: "HS512" })))).toBeNull();
    expect(
      await jwtActor({ secret: long, algorithms: ["HS512"], toActor })(bearer(await sign(long, { alg: "HS512" }))),
    ).toMatchObject({
      owner: "org_1",
    });
  });

  it("refuses an ES256 token in secret mode", async () => {
    const key = await makeKey("k1");
    expect(await actor(bearer(await sign(key)))).toBeNull();
  });
});

describe("toActor", () => {
  let key: SigningKey;
  beforeAll(async () => {
    key = await makeKey("k1");
  });
  const resolveWith = (map: (p: Record<string, unknown>) => unknown) =>
    jwtActor({ jwks: jwksOf(key), toActor: map as Parameters<typeof jwtActor>[0]["toActor"] });

  it("receives the verified claims", async () => {
    let seen: Record<string, unknown> | undefined;
    await resolveWith((p) => {
      seen = p;
      return null;
    })(bearer(await sign(key, { claims: { role: "admin" } })));
    expect(seen).toMatchObject({ sub: "user_1", org_id: "org_1", role: "admin", iss: ISSUER, aud: AUDIENCE });
  });

  it("resolves null when it returns null, undefined or a bad shape", async () => {
    const token = await sign(key);
    const bad: unknown[] = [
      null,
      undefined,
      "user_1",
      {},
      { id: "user_1" },
      { owner: "org_1" },
      { id: 1, owner: "org_1" },
      { id: "user_1", owner: "" },
      { id: "user_1", owner: "org_1", scopes: "keys:read" },
      { id: "user_1", owner: "org_1", scopes: [1] },
      { id: "user_1", owner: "org_1", role: 3 },
    ];
    for (const value of bad) expect(await resolveWith(() => value)(bearer(token)), JSON.stringify(value)).toBeNull();
  });

  it("keeps only the actor fields, drops empty scopes, and may be async", async () => {
    const token = await sign(key, { claims: { scope: "" } });
    const resolve = resolveWith(async (p) => ({
      id: p.sub,
      owner: p.org_id,
      scopes: String(p.scope).split(" "),
      role: "admin",
      x: 1,
    }));
    expect(await resolve(bearer(token))).toEqual({ id: "user_1", owner: "org_1", scopes: [], role: "admin" });
    expect(await resolveWith((p) => ({ id: p.sub, owner: p.org_id, role: null }))(bearer(token))).toEqual({
      id: "user_1",
      owner: "org_1",
      role: null,
    });
  });

  it("is not called for a token that fails verification", async () => {
    let calls = 0;
    const resolve = resolveWith(() => {
      calls++;
      return { id: "x", owner: "y" };
    });
    expect(await resolve(bearer(await sign(key, { expiresIn: Math.floor(Date.now() / 1000) - 5 })))).toBeNull();
    expect(calls).toBe(0);
  });

  it("lets an exception of toActor itself propagate (an application bug, not a bad token)", async () => {
    const resolve = resolveWith(() => {
      throw new Error("mapping bug");
    });
    await expect(resolve(bearer(await sign(key)))).rejects.toThrow("mapping bug");
  });
});
