import { createLocalJWKSet, createRemoteJWKSet, errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from "jose";
import { ConfigError, StoreUnavailableError } from "keyward";
import type { JwtConfig, KeySource } from "./config.js";

/** What verifying one token gave: its claims, or null for any bad token. Throws {@link StoreUnavailableError} on a JWKS outage. */
export type TokenVerifier = (token: string) => Promise<JWTPayload | null>;

/** Errors of a JWKS lookup that say the token is at fault, not the key server. */
const TOKEN_FAULTS = new Set([
  errors.JWKSNoMatchingKey.code,
  errors.JWKSMultipleMatchingKeys.code,
  errors.JOSENotSupported.code,
  errors.JOSEAlgNotAllowed.code,
]);

/** Wraps an error raised while fetching a remote JWKS, so it can be told apart from a bad token. */
class JwksOutage extends Error {
  constructor(cause: unknown) {
    super("JSON Web Key Set unavailable", { cause });
  }
}

/**
 * Builds the verifier of a checked configuration: `jose.jwtVerify` with the
 * configured key source and claim checks. Every verification failure
 * (signature, `exp`, `nbf`, `iss`, `aud`, `alg`, malformed token, unknown
 * `kid`) resolves null; a remote JWKS that cannot be fetched (network error,
 * timeout, non-200 answer, not a key set) throws {@link StoreUnavailableError}.
 *
 * @example
 * ```ts
 * const verify = createVerifier(checkOptions({ secret, toActor }));
 * await verify(token); // { sub: "user_1", … } or null
 * ```
 */
export function createVerifier(config: JwtConfig): TokenVerifier {
  const options = config.verify;
  const source = config.source;
  if (source.kind === "secret") {
    const secret = source.secret;
    return (token) => attempt(() => jwtVerify(token, secret, options));
  }
  const key = source.kind === "local" ? localKey(source.jwks) : remoteKey(source);
  return (token) => attempt(() => jwtVerify(token, key, options));
}

async function attempt(run: () => Promise<{ payload: JWTPayload }>): Promise<JWTPayload | null> {
  try {
    return (await run()).payload;
  } catch (error) {
    if (error instanceof JwksOutage) throw new StoreUnavailableError(error.cause);
    return null;
  }
}

function localKey(jwks: { keys: Record<string, unknown>[] }): JWTVerifyGetKey {
  try {
    return createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]);
  } catch (error) {
    throw new ConfigError(`jwtActor: \`jwks\` is not a valid JSON Web Key Set (${(error as Error).message})`);
  }
}

function remoteKey(source: Extract<KeySource, { kind: "remote" }>): JWTVerifyGetKey {
  const { cooldownDuration, cacheMaxAge, timeoutDuration } = source;
  const set = createRemoteJWKSet(source.url, { cooldownDuration, cacheMaxAge, timeoutDuration });
  return async (header, token) => {
    try {
      return await set(header, token);
    } catch (error) {
      if (error instanceof errors.JOSEError && TOKEN_FAULTS.has(error.code)) throw error;
      throw new JwksOutage(error);
    }
  };
}
