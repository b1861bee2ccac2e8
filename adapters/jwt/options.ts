import type { JSONWebKeySet, JWTPayload } from "jose";
import type { Actor } from "keyward";

/**
 * Maps the verified claims of a token to the actor that manages keys, or
 * `null` to refuse the caller (401). Runs only after the signature and every
 * configured claim check passed. May be async (e.g. to look up a membership).
 *
 * @example
 * ```ts
 * const toActor: ClaimsToActor = (p) =>
 *   typeof p.sub === "string" && typeof p.org_id === "string"
 *     ? { id: p.sub, owner: p.org_id, scopes: String(p.scope ?? "").split(" ") }
 *     : null;
 * ```
 */
export type ClaimsToActor = (payload: JWTPayload) => Actor | null | undefined | Promise<Actor | null | undefined>;

/**
 * Options every {@link JwtActorOptions} variant accepts.
 *
 * @example
 * ```ts
 * const common: JwtActorCommonOptions = {
 *   issuer: "https://auth.example.com/",
 *   audience: "https://api.example.com",
 *   clockToleranceMs: 30_000,
 *   toActor: (p) => ({ id: String(p.sub), owner: String(p.org_id) }),
 * };
 * ```
 */
export interface JwtActorCommonOptions {
  /** Required `iss` value (or one of several). Strongly recommended. */
  issuer?: string | readonly string[] | undefined;
  /** Required `aud` value (or one of several). Strongly recommended: without it, a token minted for another API of the same issuer is accepted. */
  audience?: string | readonly string[] | undefined;
  /**
   * Accepted `alg` header values. Defaults to every asymmetric JWS algorithm
   * (`RS*`, `PS*`, `ES*`, `EdDSA`, `Ed25519`) with `jwks`, and `["HS256"]` with
   * `secret`. `none` is never accepted; HMAC algorithms never with `jwks`.
   */
  algorithms?: readonly string[] | undefined;
  /**
   * Leeway for `exp`, `nbf` and `iat`: milliseconds, or a duration such as
   * `"30s"` or `"2 minutes"` (the grammar of `parseDuration` from `keyward`).
   * Default 0.
   */
  clockToleranceMs?: number | string | undefined;
  /**
   * The same leeway in jose's convention: seconds, or a duration string.
   * `clockToleranceMs` wins when both are given.
   *
   * @deprecated Use `clockToleranceMs` (milliseconds, like every other
   * duration option of keyward): `clockTolerance: 30` is `clockToleranceMs: 30_000`.
   */
  clockTolerance?: number | string | undefined;
  /** Claims that must be present, e.g. `["sub", "exp"]`. */
  requiredClaims?: readonly string[] | undefined;
  /** Maps the verified claims to an {@link Actor}. Required. */
  toActor: ClaimsToActor;
}

/**
 * Verify with the public keys of a JSON Web Key Set held in memory.
 *
 * @example
 * ```ts
 * const options: JwtActorLocalJwksOptions = { jwks: { keys: [publicJwk] }, toActor };
 * ```
 */
export interface JwtActorLocalJwksOptions extends JwtActorCommonOptions {
  /** A JSON Web Key Set of public keys. */
  jwks: JSONWebKeySet;
  secret?: never;
  cooldownDuration?: never;
  cacheMaxAge?: never;
  timeoutDuration?: never;
}

/**
 * Verify with the JSON Web Key Set published at a URL, fetched and cached by
 * `jose`. An unknown `kid` triggers a refetch once `cooldownDuration` has
 * passed, so key rotation at the issuer is picked up without a restart.
 *
 * @example
 * ```ts
 * const options: JwtActorRemoteJwksOptions = {
 *   jwks: "https://auth.example.com/.well-known/jwks.json",
 *   cacheMaxAge: 10 * 60_000,
 *   toActor,
 * };
 * ```
 */
export interface JwtActorRemoteJwksOptions extends JwtActorCommonOptions {
  /** The `jwks_uri` of the issuer. `https:` (plain `http:` only for localhost). */
  jwks: string | URL;
  secret?: never;
  /** Milliseconds after a fetch before an unknown `kid` may trigger another. jose default 30 000. */
  cooldownDuration?: number | undefined;
  /** Milliseconds the fetched set is trusted before it is fetched again. jose default 600 000. */
  cacheMaxAge?: number | undefined;
  /** Milliseconds before a fetch is abandoned (then: 503). jose default 5 000. */
  timeoutDuration?: number | undefined;
}

/**
 * Verify HMAC-signed tokens (`HS256` by default) with a shared secret of at
 * least 32 bytes (48 for `HS384`, 64 for `HS512`).
 *
 * @example
 * ```ts
 * const options: JwtActorSecretOptions = { secret: process.env.JWT_SECRET!, toActor };
 * ```
 */
export interface JwtActorSecretOptions extends JwtActorCommonOptions {
  /** The shared secret: a string (UTF-8 encoded) or raw bytes. */
  secret: string | Uint8Array;
  jwks?: never;
  cooldownDuration?: never;
  cacheMaxAge?: never;
  timeoutDuration?: never;
}

/**
 * Options of `jwtActor`: exactly one key source (`jwks` object, `jwks` URL
 * or `secret`), the claim checks, and `toActor`.
 *
 * @example
 * ```ts
 * const options: JwtActorOptions = {
 *   jwks: new URL("https://auth.example.com/.well-known/jwks.json"),
 *   issuer: "https://auth.example.com/",
 *   audience: "https://api.example.com",
 *   toActor: (p) => ({ id: String(p.sub), owner: String(p.org_id) }),
 * };
 * ```
 */
export type JwtActorOptions = JwtActorLocalJwksOptions | JwtActorRemoteJwksOptions | JwtActorSecretOptions;
