import type { JWTVerifyOptions } from "jose";
import { ConfigError, parseDuration } from "keyward";
import type { JwtActorOptions } from "./options.js";

/**
 * Every asymmetric JWS algorithm jose verifies with a JWKS (ML-DSA aside).
 *
 * @example
 * ```ts
 * // accept only the ECDSA algorithms of the default list
 * const es = ASYMMETRIC_ALGORITHMS.filter((alg) => alg.startsWith("ES")); // ["ES256", "ES384", "ES512"]
 * const actor = jwtActor({ jwks: "https://auth.example.com/.well-known/jwks.json", algorithms: es, toActor });
 * ```
 */
export const ASYMMETRIC_ALGORITHMS: readonly string[] = Object.freeze([
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
]);
/** HMAC algorithms and the minimum secret size each requires (RFC 7518 §3.2). */
const HMAC_MIN_BYTES: Readonly<Record<string, number>> = Object.freeze({ HS256: 32, HS384: 48, HS512: 64 });
const KNOWN = new Set([
  "jwks",
  "secret",
  "issuer",
  "audience",
  "algorithms",
  "clockToleranceMs",
  "clockTolerance",
  "requiredClaims",
  "toActor",
  "cooldownDuration",
  "cacheMaxAge",
  "timeoutDuration",
]);
const REMOTE_ONLY = ["cooldownDuration", "cacheMaxAge", "timeoutDuration"] as const;

/** Where verification keys come from, validated. */
export type KeySource =
  | { kind: "local"; jwks: { keys: Record<string, unknown>[] } }
  | { kind: "remote"; url: URL; cooldownDuration?: number; cacheMaxAge?: number; timeoutDuration?: number }
  | { kind: "secret"; secret: Uint8Array };

/** The checked form of {@link JwtActorOptions}. */
export interface JwtConfig {
  source: KeySource;
  verify: JWTVerifyOptions;
  toActor: JwtActorOptions["toActor"];
}

const fail = (message: string): never => {
  throw new ConfigError(`jwtActor: ${message}`);
};

/**
 * Validates `jwtActor` options once, at construction, so a typo or a weak
 * setting fails loudly at startup instead of silently weakening checks.
 *
 * @example
 * ```ts
 * checkOptions({ secret: "short", toActor }); // throws ConfigError: secret too short
 * ```
 */
export function checkOptions(options: JwtActorOptions): JwtConfig {
  if (!options || typeof options !== "object") fail("options must be an object");
  const o = options as unknown as Record<string, unknown>;
  for (const name of Object.keys(o)) if (!KNOWN.has(name)) fail(`unknown option \`${name}\``);
  if (typeof o.toActor !== "function") fail("`toActor` must be a function (payload) => Actor | null");
  const hasJwks = o.jwks !== undefined;
  const hasSecret = o.secret !== undefined;
  if (hasJwks && hasSecret) fail("pass either `jwks` or `secret`, not both");
  if (!hasJwks && !hasSecret) fail("pass `jwks` (a JSON Web Key Set or its URL) or `secret` (HS256)");
  const algorithms = checkAlgorithms(o.algorithms, hasSecret);
  const source = hasSecret ? secretSource(o.secret, algorithms) : jwksSource(o);
  if (source.kind !== "remote")
    for (const name of REMOTE_ONLY) if (o[name] !== undefined) fail(`\`${name}\` only applies to a jwks URL`);
  const verify: JWTVerifyOptions = { algorithms: algorithms as JWTVerifyOptions["algorithms"] };
  if (o.issuer !== undefined) verify.issuer = stringOrList(o.issuer, "issuer");
  if (o.audience !== undefined) verify.audience = stringOrList(o.audience, "audience");
  if (o.requiredClaims !== undefined) verify.requiredClaims = stringList(o.requiredClaims, "requiredClaims");
  const toleranceMs = clockToleranceMs(o.clockToleranceMs, o.clockTolerance);
  if (toleranceMs !== undefined) verify.clockTolerance = toleranceMs / 1000; // jose counts in seconds
  return { source, verify, toActor: options.toActor };
}

function checkAlgorithms(value: unknown, secret: boolean): string[] {
  if (value === undefined) return secret ? ["HS256"] : [...ASYMMETRIC_ALGORITHMS];
  const list = stringList(value, "algorithms");
  for (const alg of list) {
    if (alg.toLowerCase() === "none") fail('`algorithms` must not contain "none"');
    if (secret && !(alg in HMAC_MIN_BYTES)) fail(`\`${alg}\` cannot be used with \`secret\` (use HS256, HS384 or HS512)`);
    if (!secret && !ASYMMETRIC_ALGORITHMS.includes(alg))
      fail(`\`${alg}\` cannot be used with \`jwks\` (use one of ${ASYMMETRIC_ALGORITHMS.join(", ")})`);
  }
  return list;
}

function secretSource(value: unknown, algorithms: string[]): KeySource {
  let secret: Uint8Array;
  if (typeof value === "string") secret = new TextEncoder().encode(value);
  else if (value instanceof Uint8Array) secret = new Uint8Array(value);
  else return fail("`secret` must be a string or a Uint8Array");
  const min = Math.max(...algorithms.map((alg) => HMAC_MIN_BYTES[alg] ?? 32));
  if (secret.byteLength < min)
    fail(`\`secret\` must be at least ${min} bytes for ${algorithms.join(", ")} (got ${secret.byteLength})`);
  return { kind: "secret", secret };
}

function jwksSource(o: Record<string, unknown>): KeySource {
  const jwks = o.jwks;
  if (typeof jwks === "string" || jwks instanceof URL) return remoteSource(jwks, o);
  const keys = (jwks as { keys?: unknown } | null)?.keys;
  if (!jwks || typeof jwks !== "object" || !Array.isArray(keys))
    fail("`jwks` must be a JSON Web Key Set ({ keys: [...] }) or its URL");
  const list = keys as unknown[];
  if (list.length === 0) fail("`jwks` holds no keys");
  for (const key of list) {
    if (!key || typeof key !== "object" || typeof (key as { kty?: unknown }).kty !== "string")
      fail("`jwks` holds a malformed key");
    const k = key as Record<string, unknown>;
    if (k.kty === "oct" || k.d !== undefined || k.priv !== undefined) fail("`jwks` must hold public keys only");
  }
  return { kind: "local", jwks: structuredClone(jwks) as { keys: Record<string, unknown>[] } };
}

function remoteSource(value: string | URL, o: Record<string, unknown>): KeySource {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    return fail("`jwks` is not a valid URL");
  }
  const loopback = ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname) || url.hostname.startsWith("127.");
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback))
    fail("`jwks` URL must use https: (plain http: is accepted for localhost only)");
  const source: KeySource = { kind: "remote", url };
  for (const name of REMOTE_ONLY) {
    const v = o[name];
    if (v === undefined) continue;
    const ok = typeof v === "number" && v >= 0 && (name === "cacheMaxAge" ? !Number.isNaN(v) : Number.isInteger(v));
    if (!ok) fail(`\`${name}\` must be a non-negative ${name === "cacheMaxAge" ? "number" : "integer"} of milliseconds`);
    source[name] = v as number;
  }
  return source;
}

function stringOrList(value: unknown, name: string): string | string[] {
  if (typeof value === "string") return value !== "" ? value : fail(`\`${name}\` must not be empty`);
  return stringList(value, name);
}

function stringList(value: unknown, name: string): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === "string" && v !== ""))
    fail(`\`${name}\` must be a non-empty list of non-empty strings`);
  return [...(value as string[])];
}

/** A duration string in milliseconds, or NaN when it is not one. */
function durationMs(text: string): number {
  try {
    return parseDuration(text);
  } catch {
    return Number.NaN;
  }
}

/**
 * The clock tolerance in ms: `clockToleranceMs` (ms or a duration string)
 * when given, else the deprecated `clockTolerance` (seconds or a duration
 * string, as before). Both are checked when both are given.
 */
function clockToleranceMs(ms: unknown, legacy: unknown): number | undefined {
  let legacyMs: number | undefined;
  if (legacy !== undefined) {
    // its old reading: a number (or a bare number string) counts seconds
    const bare = typeof legacy === "string" && /^\s*\d+(?:\.\d+)?\s*$/.test(legacy);
    legacyMs =
      typeof legacy === "number" || bare ? Number(legacy) * 1000 : typeof legacy === "string" ? durationMs(legacy) : Number.NaN;
    if (!Number.isFinite(legacyMs) || legacyMs < 0)
      fail('`clockTolerance` must be a non-negative number of seconds or a duration such as "30s"');
  }
  if (ms === undefined) return legacyMs;
  const value = typeof ms === "number" ? ms : typeof ms === "string" ? durationMs(ms) : Number.NaN;
  if (!Number.isFinite(value) || value < 0)
    fail('`clockToleranceMs` must be a non-negative number of milliseconds or a duration such as "30s"');
  return value;
}
