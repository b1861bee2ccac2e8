/**
 * `keyward/jwt`: resolve the actor of the key-management routes from an
 * OAuth2 Bearer JWT, verified with `jose` (local JWKS, remote JWKS or HS256).
 *
 * @example
 * ```ts
 * import { jwtActor } from "keyward/jwt";
 * const actor = jwtActor({ jwks: "https://auth.example.com/.well-known/jwks.json", toActor: (p) => ({ id: String(p.sub), owner: String(p.org_id) }) });
 * ```
 *
 * @module keyward/jwt
 */
export { ASYMMETRIC_ALGORITHMS } from "./config.js";
export { asActor, jwtActor, MAX_JWT_LENGTH } from "./jwt-actor.js";
export type {
  ClaimsToActor,
  JwtActorCommonOptions,
  JwtActorLocalJwksOptions,
  JwtActorOptions,
  JwtActorRemoteJwksOptions,
  JwtActorSecretOptions,
} from "./options.js";
