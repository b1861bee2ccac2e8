import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type CryptoKey, exportJWK, generateKeyPair, type JSONWebKeySet, type JWK, type JWTPayload, SignJWT } from "jose";
import type { Actor, ActorContext } from "keyward";

export const ISSUER = "https://auth.example.test/";
export const AUDIENCE = "https://api.example.test";

/** The documented mapping: `sub` → id, `org_id` → owner, space-separated `scope` → scopes. */
export const toActor = (p: JWTPayload): Actor | null =>
  typeof p.sub === "string" && typeof p.org_id === "string"
    ? { id: p.sub, owner: p.org_id, scopes: String(p.scope ?? "").split(" ") }
    : null;

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

/** An ES256 key pair with its public JWK (kid, alg, use set). */
export async function makeKey(kid: string, alg = "ES256"): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: "sig" };
  return { kid, privateKey, jwk };
}

export const jwksOf = (...keys: SigningKey[]): JSONWebKeySet => ({ keys: keys.map((k) => k.jwk) });

export interface SignOptions {
  claims?: JWTPayload;
  issuer?: string;
  audience?: string;
  expiresIn?: string | number;
  notBefore?: string | number;
  alg?: string;
  kid?: string;
}

/** A token with `sub`, `org_id`, `scope`, `iss`, `aud`, `iat` and `exp` (5 min), overridable. */
export function sign(key: SigningKey | Uint8Array, o: SignOptions = {}): Promise<string> {
  const isSecret = key instanceof Uint8Array;
  const alg = o.alg ?? (isSecret ? "HS256" : "ES256");
  const jwt = new SignJWT({ org_id: "org_1", scope: "api_keys:manage keys:read", ...o.claims })
    .setProtectedHeader({ alg, ...(isSecret ? {} : { kid: o.kid ?? key.kid }), typ: "JWT" })
    .setSubject("user_1")
    .setIssuer(o.issuer ?? ISSUER)
    .setAudience(o.audience ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(o.expiresIn ?? "5m");
  if (o.notBefore !== undefined) jwt.setNotBefore(o.notBefore);
  return jwt.sign(isSecret ? key : key.privateKey);
}

/**
 * The same `Authorization` header, as the arguments of an actor resolver: a
 * Fetch Request and an Express-like req alone (read without a context), and
 * a Hono-like c with the context the management API passes.
 */
export function requests(authorization?: string): Record<string, readonly [unknown, ActorContext?]> {
  const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
  const context: ActorContext = {
    header: (name) => (name.toLowerCase() === "authorization" && authorization !== undefined ? [authorization] : []),
  };
  return {
    fetch: [new Request("http://localhost/settings/api-keys", { headers })],
    express: [
      { rawHeaders: authorization === undefined ? ["Host", "localhost"] : ["Host", "localhost", "Authorization", authorization] },
    ],
    hono: [{ req: { raw: new Request("http://localhost/settings/api-keys", { headers }) } }, context],
  };
}

export const bearer = (token: string) => new Request("http://localhost/", { headers: { authorization: `Bearer ${token}` } });

/** Flips one character in the middle of a base64url segment (0 header, 1 payload, 2 signature). */
export function tamper(token: string, segment: 0 | 1 | 2): string {
  const parts = token.split(".");
  const part = parts[segment] as string;
  const i = Math.floor(part.length / 2);
  parts[segment] = part.slice(0, i) + (part[i] === "A" ? "B" : "A") + part.slice(i + 1);
  return parts.join(".");
}

export interface JwksServer {
  url: string;
  hits: () => number;
  setKeys: (jwks: JSONWebKeySet) => void;
  /** `"ok"` serves the set; `"error"` answers 500; `"hang"` never answers. */
  setMode: (mode: "ok" | "error" | "hang") => void;
  close: () => Promise<void>;
}

/** A JWKS endpoint on 127.0.0.1, port 0, counting its requests. */
export async function startJwksServer(initial: JSONWebKeySet): Promise<JwksServer> {
  let jwks = initial;
  let mode: "ok" | "error" | "hang" = "ok";
  let count = 0;
  const server: Server = createServer((_req, res) => {
    count++;
    if (mode === "hang") return;
    if (mode === "error") return void res.writeHead(500).end("boom");
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(jwks));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    hits: () => count,
    setKeys: (next) => void (jwks = next),
    setMode: (next) => void (mode = next),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
