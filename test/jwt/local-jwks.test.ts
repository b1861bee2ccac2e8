import { base64url, exportJWK, generateKeyPair, SignJWT, UnsecuredJWT } from "jose";
import { jwtActor } from "keyward/jwt";
import { beforeAll, describe, expect, it } from "vitest";
import { AUDIENCE, bearer, ISSUER, jwksOf, makeKey, requests, type SigningKey, sign, tamper, toActor } from "../support/jwt.js";

let key: SigningKey;
let other: SigningKey;
let actor: ReturnType<typeof jwtActor>;

beforeAll(async () => {
  key = await makeKey("k1");
  other = await makeKey("k1"); // same kid, different key pair: not in the set
  actor = jwtActor({ jwks: jwksOf(key), issuer: ISSUER, audience: AUDIENCE, toActor });
});

const expected = { id: "user_1", owner: "org_1", scopes: ["api_keys:manage", "keys:read"] };

describe("jwtActor with a local JWKS", () => {
  it("maps a valid token to the actor, from a Fetch Request, an Express req and a Hono c", async () => {
    const token = await sign(key);
    for (const [kind, request] of Object.entries(requests(`Bearer ${token}`))) {
      expect(await actor(...request), kind).toEqual(expected);
    }
  });

  it("accepts the Bearer scheme in any case", async () => {
    const token = await sign(key);
    const [req] = requests(`bEaReR ${token}`).express ?? [];
    expect(await actor(req)).toEqual(expected);
  });

  it("resolves null without a credential, with another scheme, or with a doubled header", async () => {
    const token = await sign(key);
    for (const request of Object.values(requests())) expect(await actor(...request)).toBeNull();
    for (const request of Object.values(requests("Basic dXNlcjpwYXNz"))) expect(await actor(...request)).toBeNull();
    expect(await actor({ rawHeaders: ["Authorization", `Bearer ${token}`, "Authorization", `Bearer ${token}`] })).toBeNull();
    expect(await actor({}, { header: () => [] })).toBeNull();
  });

  it("called without the management API's context, reads only a Node request, a Fetch Request or Headers", async () => {
    const token = await sign(key);
    expect(await actor(new Headers({ authorization: `Bearer ${token}` }))).toEqual(expected);
    for (const other of [{}, null, { req: { raw: bearer(token) } }, { headers: { authorization: `Bearer ${token}` } }]) {
      await expect(actor(other)).rejects.toThrow(/jwtActor: pass on the context/);
    }
  });

  it("never reads the query string", async () => {
    const token = await sign(key);
    expect(await actor(new Request(`http://localhost/?access_token=${token}`))).toBeNull();
  });

  it("resolves null for an expired token and a token not yet valid", async () => {
    expect(await actor(bearer(await sign(key, { expiresIn: Math.floor(Date.now() / 1000) - 10 })))).toBeNull();
    expect(await actor(bearer(await sign(key, { notBefore: "10m" })))).toBeNull();
  });

  it("honours clockToleranceMs, in milliseconds or as a duration string", async () => {
    const expired = await sign(key, { expiresIn: Math.floor(Date.now() / 1000) - 10 });
    const early = await sign(key, { notBefore: "20s" });
    const tooOld = await sign(key, { expiresIn: Math.floor(Date.now() / 1000) - 120 });
    for (const clockToleranceMs of [60_000, "1 minute", "60s"]) {
      const lenient = jwtActor({ jwks: jwksOf(key), issuer: ISSUER, audience: AUDIENCE, clockToleranceMs, toActor });
      expect(await lenient(bearer(expired)), String(clockToleranceMs)).toEqual(expected);
      expect(await lenient(bearer(early)), String(clockToleranceMs)).toEqual(expected);
      expect(await lenient(bearer(tooOld)), String(clockToleranceMs)).toBeNull();
    }
    // 30 ms is not 30 s: the unit is milliseconds
    const strict = jwtActor({ jwks: jwksOf(key), clockToleranceMs: 30, toActor });
    expect(await strict(bearer(expired))).toBeNull();
  });

  it("clockToleranceMs wins over the deprecated clockTolerance when both are given", async () => {
    const expired = await sign(key, { expiresIn: Math.floor(Date.now() / 1000) - 10 });
    const wider = jwtActor({ jwks: jwksOf(key), clockToleranceMs: 60_000, clockTolerance: 0, toActor });
    expect(await wider(bearer(expired))).toEqual(expected);
    const narrower = jwtActor({ jwks: jwksOf(key), clockToleranceMs: 0, clockTolerance: 60, toActor });
    expect(await narrower(bearer(expired))).toBeNull();
  });

  it("honours the deprecated clockTolerance with its old meaning (seconds, or a duration string)", async () => {
    const lenient = jwtActor({ jwks: jwksOf(key), issuer: ISSUER, audience: AUDIENCE, clockTolerance: "1 minute", toActor });
    const expired = await sign(key, { expiresIn: Math.floor(Date.now() / 1000) - 10 });
    const early = await sign(key, { notBefore: "20s" });
    expect(await lenient(bearer(expired))).toEqual(expected);
    expect(await lenient(bearer(early))).toEqual(expected);
    const tooOld = await sign(key, { expiresIn: Math.floor(Date.now() / 1000) - 120 });
    expect(await lenient(bearer(tooOld))).toBeNull();
    const numeric = jwtActor({ jwks: jwksOf(key), clockTolerance: 30, toActor });
    expect(await numeric(bearer(expired))).toEqual(expected);
    const bareString = jwtActor({ jwks: jwksOf(key), clockTolerance: "30", toActor });
    expect(await bareString(bearer(expired))).toEqual(expected);
  });

  it("resolves null for a tampered header, payload or signature", async () => {
    const token = await sign(key);
    for (const segment of [0, 1, 2] as const) expect(await actor(bearer(tamper(token, segment)))).toBeNull();
    const [h, , s] = token.split(".");
    const forged = base64url.encode(JSON.stringify({ sub: "admin", org_id: "org_2", iss: ISSUER, aud: AUDIENCE }));
    expect(await actor(bearer(`${h}.${forged}.${s}`))).toBeNull();
  });

  it("resolves null for a token signed by a key outside the set, or with an unknown kid", async () => {
    expect(await actor(bearer(await sign(other)))).toBeNull();
    expect(await actor(bearer(await sign(key, { kid: "unknown" })))).toBeNull();
  });

  it("resolves null for a wrong issuer or audience", async () => {
    expect(await actor(bearer(await sign(key, { issuer: "https://evil.example.test/" })))).toBeNull();
    expect(await actor(bearer(await sign(key, { audience: "https://other-api.example.test" })))).toBeNull();
  });

  it("refuses alg none and HS256 tokens (algorithm confusion)", async () => {
    const claims = { sub: "user_1", org_id: "org_1", scope: "api_keys:manage" };
    const none = new UnsecuredJWT(claims).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime("5m").encode();
    expect(await actor(bearer(none))).toBeNull();
    // HS256 signed with the public JWK's bytes as the HMAC secret: the classic confusion attack
    const secret = new TextEncoder().encode(JSON.stringify(key.jwk));
    const hs = await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256", kid: "k1" })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime("5m")
      .sign(secret);
    expect(await actor(bearer(hs))).toBeNull();
  });

  it("resolves null for garbage and oversized tokens", async () => {
    for (const junk of ["abc", "a.b.c", "a.b", "....", `${"a".repeat(9000)}.b.c`]) expect(await actor(bearer(junk))).toBeNull();
  });

  it("restricts algorithms to the configured list", async () => {
    const rsa = await makeKey("r1", "RS256");
    const both = jwksOf(key, rsa);
    expect(await jwtActor({ jwks: both, toActor })(bearer(await sign(rsa, { alg: "RS256" })))).toMatchObject({ id: "user_1" });
    const esOnly = jwtActor({ jwks: both, algorithms: ["ES256"], toActor });
    expect(await esOnly(bearer(await sign(rsa, { alg: "RS256" })))).toBeNull();
    expect(await esOnly(bearer(await sign(key)))).toMatchObject({ id: "user_1" });
  });

  it("works with an EdDSA key", async () => {
    const { privateKey, publicKey } = await generateKeyPair("Ed25519");
    const ed = { kid: "ed", privateKey, jwk: { ...(await exportJWK(publicKey)), kid: "ed" } };
    const resolve = jwtActor({ jwks: jwksOf(ed), toActor });
    expect(await resolve(bearer(await sign(ed, { alg: "EdDSA" })))).toMatchObject({ owner: "org_1" });
  });
});
