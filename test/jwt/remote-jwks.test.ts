import { SignJWT } from "jose";
import { StoreUnavailableError } from "keyward";
import { jwtActor } from "keyward/jwt";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  AUDIENCE,
  bearer,
  ISSUER,
  type JwksServer,
  jwksOf,
  makeKey,
  type SigningKey,
  sign,
  startJwksServer,
  toActor,
} from "../support/jwt.js";

let k1: SigningKey;
let k2: SigningKey;
let server: JwksServer | undefined;

beforeAll(async () => {
  [k1, k2] = await Promise.all([makeKey("k1"), makeKey("k2")]);
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const remote = (url: string, extra: { cooldownDuration?: number; cacheMaxAge?: number; timeoutDuration?: number } = {}) =>
  jwtActor({ jwks: url, issuer: ISSUER, audience: AUDIENCE, toActor, ...extra });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("jwtActor with a remote JWKS", () => {
  it("fetches the set once and serves later verifications from the cache", async () => {
    server = await startJwksServer(jwksOf(k1));
    const actor = remote(server.url);
    expect(server.hits()).toBe(0); // nothing is fetched at construction
    const tokens = await Promise.all([sign(k1), sign(k1), sign(k1)]);
    expect(await Promise.all(tokens.map((t) => actor(bearer(t))))).toEqual(
      tokens.map(() => expect.objectContaining({ id: "user_1" })),
    );
    for (const token of tokens) expect(await actor(bearer(token))).toMatchObject({ owner: "org_1" });
    expect(server.hits()).toBe(1);
  });

  it("accepts a URL object", async () => {
    server = await startJwksServer(jwksOf(k1));
    expect(await remote(new URL(server.url).href)(bearer(await sign(k1)))).toMatchObject({ id: "user_1" });
    const fromUrl = jwtActor({ jwks: new URL(server.url), toActor });
    expect(await fromUrl(bearer(await sign(k1)))).toMatchObject({ id: "user_1" });
  });

  it("picks up a rotated key (new kid) once the cooldown has passed", async () => {
    server = await startJwksServer(jwksOf(k1));
    const actor = remote(server.url, { cooldownDuration: 300 });
    expect(await actor(bearer(await sign(k1)))).toMatchObject({ id: "user_1" });
    server.setKeys(jwksOf(k2));
    const rotated = await sign(k2);
    expect(await actor(bearer(rotated))).toBeNull(); // still cooling down: no refetch
    expect(server.hits()).toBe(1);
    await sleep(350);
    expect(await actor(bearer(rotated))).toMatchObject({ id: "user_1" });
    expect(server.hits()).toBe(2);
    expect(await actor(bearer(await sign(k1)))).toBeNull(); // the retired key is gone
  });

  it("resolves null (not 503) for an unknown kid when the JWKS answers", async () => {
    server = await startJwksServer(jwksOf(k1));
    expect(await remote(server.url, { cooldownDuration: 0 })(bearer(await sign(k2)))).toBeNull();
  });

  it("never fetches for alg none or an HS256 token", async () => {
    server = await startJwksServer(jwksOf(k1));
    const secret = new TextEncoder().encode(JSON.stringify(k1.jwk));
    const hs = await new SignJWT({ sub: "u", org_id: "o" }).setProtectedHeader({ alg: "HS256", kid: "k1" }).sign(secret);
    const none = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from('{"sub":"u","org_id":"o"}').toString("base64url")}.`;
    const actor = remote(server.url);
    expect(await actor(bearer(hs))).toBeNull();
    expect(await actor(bearer(none))).toBeNull();
    expect(server.hits()).toBe(0);
  });

  it("keeps verifying from the cache while the JWKS server is down", async () => {
    server = await startJwksServer(jwksOf(k1));
    const actor = remote(server.url);
    expect(await actor(bearer(await sign(k1)))).toMatchObject({ id: "user_1" });
    await server.close();
    server = undefined;
    expect(await actor(bearer(await sign(k1)))).toMatchObject({ id: "user_1" });
  });
});

describe("jwtActor when the remote JWKS is unavailable (503, not 401)", () => {
  async function expectOutage(actor: (r: unknown) => Promise<unknown>, token: string) {
    const error = await actor(bearer(token)).then(
      () => expect.unreachable("should have thrown"),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as StoreUnavailableError).status).toBe(503);
    expect(JSON.stringify({ message: (error as Error).message, stack: (error as Error).stack })).not.toContain(token);
  }

  it("throws StoreUnavailableError when nothing listens", async () => {
    const down = await startJwksServer(jwksOf(k1));
    const url = down.url;
    await down.close();
    await expectOutage(remote(url), await sign(k1));
  });

  it("throws StoreUnavailableError on a 500 answer", async () => {
    server = await startJwksServer(jwksOf(k1));
    server.setMode("error");
    await expectOutage(remote(server.url), await sign(k1));
  });

  it("throws StoreUnavailableError on a timeout", async () => {
    server = await startJwksServer(jwksOf(k1));
    server.setMode("hang");
    await expectOutage(remote(server.url, { timeoutDuration: 100 }), await sign(k1));
  });

  it("throws StoreUnavailableError when the answer is not a key set", async () => {
    server = await startJwksServer({ nope: true } as never);
    await expectOutage(remote(server.url), await sign(k1));
  });

  it("throws StoreUnavailableError when a refetch for a new kid fails after the cooldown", async () => {
    server = await startJwksServer(jwksOf(k1));
    const actor = remote(server.url, { cooldownDuration: 0 });
    expect(await actor(bearer(await sign(k1)))).toMatchObject({ id: "user_1" });
    server.setMode("error");
    await expectOutage(actor, await sign(k2));
    expect(await actor(bearer(await sign(k1)))).toMatchObject({ id: "user_1" }); // known keys still verify
  });
});
