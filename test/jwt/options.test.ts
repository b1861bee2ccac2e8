import { exportJWK, generateKeyPair } from "jose";
import { ConfigError } from "keyward";
import { jwtActor } from "keyward/jwt";
import { beforeAll, describe, expect, it } from "vitest";
import { bearer, jwksOf, makeKey, type SigningKey, sign, toActor } from "../support/jwt.js";

let key: SigningKey;
beforeAll(async () => {
  key = await makeKey("k1");
});
const secret = "x".repeat(32);
// biome-ignore lint/suspicious/noExplicitAny: feeding deliberately wrong options
const build = (options: any) => () => jwtActor(options);

describe("jwtActor option validation", () => {
  it("accepts each key source", () => {
    expect(typeof jwtActor({ jwks: jwksOf(key), toActor })).toBe("function");
    expect(typeof jwtActor({ jwks: "https://auth.example.test/jwks.json", cooldownDuration: 1000, toActor })).toBe("function");
    expect(typeof jwtActor({ jwks: new URL("http://localhost:8080/jwks.json"), toActor })).toBe("function");
    expect(typeof jwtActor({ secret, toActor })).toBe("function");
  });

  it.each([
    ["options missing", undefined, /options must be an object/],
    ["toActor missing", { secret }, /`toActor` must be a function/],
    ["no key source", { toActor }, /pass `jwks`/],
    ["both jwks and secret", { secret, jwks: { keys: [] }, toActor }, /either `jwks` or `secret`, not both/],
    ["a short secret", { secret: "short", toActor }, /at least 32 bytes/],
    ["a secret too short for HS512", { secret, algorithms: ["HS512"], toActor }, /at least 64 bytes/],
    ["a secret of another type", { secret: 42, toActor }, /string or a Uint8Array/],
    ["alg none", { secret, algorithms: ["none"], toActor }, /must not contain "none"/],
    ["an asymmetric alg with a secret", { secret, algorithms: ["RS256"], toActor }, /cannot be used with `secret`/],
    ["HS256 with a jwks", { jwks: "https://a.test/jwks", algorithms: ["HS256"], toActor }, /cannot be used with `jwks`/],
    ["an empty algorithms list", { secret, algorithms: [], toActor }, /`algorithms` must be a non-empty list/],
    ["an unknown option (typo)", { secret, audiance: "x", toActor }, /unknown option `audiance`/],
    ["an empty issuer", { secret, issuer: "", toActor }, /`issuer` must not be empty/],
    ["a bad audience", { secret, audience: [1], toActor }, /`audience` must be a non-empty list/],
    ["a bad clockTolerance", { secret, clockTolerance: "soon", toActor }, /`clockTolerance`/],
    ["a negative clockTolerance", { secret, clockTolerance: -1, toActor }, /`clockTolerance`/],
    ["a bad clockToleranceMs", { secret, clockToleranceMs: "soon", toActor }, /`clockToleranceMs` must be/],
    ["a bare-number string as clockToleranceMs", { secret, clockToleranceMs: "30", toActor }, /`clockToleranceMs` must be/],
    ["a negative clockToleranceMs", { secret, clockToleranceMs: -1, toActor }, /`clockToleranceMs` must be/],
    ["clockToleranceMs: NaN", { secret, clockToleranceMs: Number.NaN, toActor }, /`clockToleranceMs` must be/],
    [
      "a bad deprecated clockTolerance beside a good clockToleranceMs",
      { secret, clockToleranceMs: 1000, clockTolerance: "soon", toActor },
      /`clockTolerance` must be/,
    ],
    ["bad requiredClaims", { secret, requiredClaims: "sub", toActor }, /`requiredClaims`/],
    ["a jwks without keys", { jwks: { keys: [] }, toActor }, /holds no keys/],
    ["a jwks of another shape", { jwks: { foo: 1 }, toActor }, /JSON Web Key Set/],
    ["a malformed key", { jwks: { keys: [{ x: 1 }] }, toActor }, /malformed key/],
    ["a jwks URL that is not a URL", { jwks: "not a url", toActor }, /not a valid URL/],
    ["a plain-http remote jwks", { jwks: "http://auth.example.test/jwks.json", toActor }, /must use https/],
    ["a negative cooldown", { jwks: "https://a.test/jwks", cooldownDuration: -1, toActor }, /`cooldownDuration`/],
    [
      "cache options with a local jwks",
      { jwks: { keys: [{ kty: "EC" }] }, cacheMaxAge: 1, toActor },
      /only applies to a jwks URL/,
    ],
    ["cache options with a secret", { secret, timeoutDuration: 1, toActor }, /only applies to a jwks URL/],
  ])("refuses %s", (_name, options, message) => {
    expect(build(options)).toThrow(ConfigError);
    expect(build(options)).toThrow(message);
  });

  it("refuses private or symmetric keys in a jwks", async () => {
    const pair = await generateKeyPair("ES256", { extractable: true });
    expect(build({ jwks: { keys: [await exportJWK(pair.privateKey)] }, toActor })).toThrow(/public keys only/);
    expect(build({ jwks: { keys: [{ kty: "oct", k: "c2VjcmV0" }] }, toActor })).toThrow(/public keys only/);
  });

  it("snapshots a local jwks: later mutation of the caller's object has no effect", async () => {
    const jwks = jwksOf(key);
    const actor = jwtActor({ jwks, toActor });
    jwks.keys.length = 0;
    expect(await actor(bearer(await sign(key)))).toMatchObject({ id: "user_1" });
  });
});
