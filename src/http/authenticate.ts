import { type ApiKey, ConfigError, type CredentialSources, type Keyward, readCredential, requireValidScopes } from "keyward";
import { clientAddress, type TrustProxy, trustedProxies } from "./client-address.js";
import type { HeaderReader } from "./headers.js";
import { type Answering, mintPrincipal, type Principal } from "./principal.js";
import { rateLimitHeaders } from "./ratelimit-headers.js";
import { type AuthFailure, assertRealm, authFailure, type HttpResponse } from "./responses.js";

/**
 * Options of `apiKeyAuth` in every adapter.
 *
 * @example
 * ```ts
 * const options: AuthOptions = { header: "x-api-key", scopes: ["jobs:read"], realm: "jobs", retryAfterSeconds: 10 };
 * app.use("/v1", apiKeyAuth(keyward, options));
 * ```
 */
export interface AuthOptions {
  /** `realm` of `WWW-Authenticate`. Default `"api"`. */
  realm?: string | undefined;
  /**
   * The name of a header that may carry the key instead of
   * `Authorization: Bearer`, e.g. `"x-api-key"`. Default: only
   * `Authorization: Bearer`. Sending both is a 400.
   */
  header?: string | undefined;
  /** Scopes every request through this middleware must hold. */
  scopes?: readonly string[] | undefined;
  /** `Retry-After` of a 503, in seconds (a whole number from 0 to 86 400). Default 5. */
  retryAfterSeconds?: number | undefined;
  /** @deprecated Use `retryAfterSeconds` (same meaning, seconds). */
  retryAfter?: number | undefined;
  /**
   * Which proxies may say who the client is, for keys with an IP allowlist:
   * a hop count or a list of CIDR ranges (see {@link TrustProxy}). Default:
   * none, so `X-Forwarded-For` and `Forwarded` are never read and the
   * client is the socket's peer.
   */
  trustProxy?: TrustProxy | undefined;
}

/**
 * The options of `apiKeyAuth` as version 0.1 typed them: `header: true`
 * meant `"x-api-key"`, `header: false` no extra header.
 *
 * @deprecated Pass the header's name: `{ header: "x-api-key" }` (or leave
 * `header` out).
 *
 * @example
 * ```ts
 * const legacy: LegacyAuthOptions = { header: true }; // now: { header: "x-api-key" }
 * ```
 */
export interface LegacyAuthOptions extends Omit<AuthOptions, "header"> {
  /** @deprecated `true` is `"x-api-key"`, `false` is no extra header. */
  header?: string | boolean | undefined;
}

/**
 * The outcome of authenticating one request. On success, `principal` is
 * what the adapter stores on the request (`apiKey` and `scopes` are its
 * own, repeated).
 *
 * @example
 * ```ts
 * const outcome: AuthOutcome = await auth.authenticate(headersFromRaw(req.rawHeaders).values, "/v1/jobs");
 * if (!outcome.ok) return outcome.response; // 400, 401, 403 or 503, ready to send
 * console.log(outcome.principal.apiKey.owner, outcome.principal.scopes);
 * ```
 */
export type AuthOutcome =
  | {
      ok: true;
      principal: Principal;
      apiKey: ApiKey;
      scopes: readonly string[];
      /** Headers the adapter adds to the response: the `RateLimit` fields of a key with a rate limit; else empty. */
      headers: Readonly<Record<string, string>>;
    }
  | { ok: false; response: HttpResponse };

/**
 * An authenticator built once per middleware.
 *
 * @example
 * ```ts
 * const auth: Authenticator = createAuthenticator(keyward, { header: "x-api-key" });
 * const outcome = await auth.authenticate(headersFromRaw(req.rawHeaders).values, "/v1/jobs");
 * ```
 */
export interface Authenticator {
  /** The API-key header name, lowercased, or null when only Bearer is read. */
  readonly header: string | null;
  readonly realm: string;
  /** `Retry-After` of a 503, in seconds. */
  readonly retryAfterSeconds: number;
  /** @deprecated Use `retryAfterSeconds`. */
  readonly retryAfter: number;
  /**
   * Authenticate one request from its headers: `header(name)` returns every
   * value of a header, read from the framework's raw headers. `path` goes
   * into error bodies; pass a function to compute it only when an error body
   * is written. (The 0.1 form, an object of header values, still works and
   * is deprecated.) `address` is the socket's remote address (the peer that
   * connected); the client's address is taken from it, or from the
   * forwarding headers of trusted proxies (`trustProxy`).
   */
  authenticate(header: HeaderReader | CredentialSources, path: PathSource, address?: string | undefined): Promise<AuthOutcome>;
}

/**
 * A request path for error bodies, or a function computing it (called only when an error body is written).
 *
 * @example
 * ```ts
 * await auth.authenticate(header, "/v1/jobs");
 * // or computed only when an error body is written:
 * await auth.authenticate(header, () => new URL(req.url ?? "/", "http://localhost").pathname);
 * ```
 */
export type PathSource = string | (() => string);

/** The path of a {@link PathSource}. */
export function resolvePath(path: PathSource): string {
  return typeof path === "function" ? path() : String(path ?? "/");
}

/** A header name as RFC 9110 spells a token. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/;

/**
 * Validates middleware options once and returns the per-request function
 * the adapters call. All auth logic lives here; adapters only hand over a
 * header reader, store the principal and write responses.
 *
 * @example
 * ```ts
 * const auth = createAuthenticator(keyward, { scopes: ["jobs:read"] });
 * const outcome = await auth.authenticate(headersFromRaw(req.rawHeaders).values, "/v1/jobs");
 * ```
 */
export function createAuthenticator(keyward: Keyward, options?: AuthOptions): Authenticator;
/** @deprecated `header: true` / `false`: pass the header's name instead (`{ header: "x-api-key" }`). */
export function createAuthenticator(keyward: Keyward, options?: LegacyAuthOptions): Authenticator;
export function createAuthenticator(keyward: Keyward, options: LegacyAuthOptions = {}): Authenticator {
  const realm = assertRealm(options.realm ?? "api");
  const header = apiKeyHeader(options.header);
  const required = options.scopes ? requireValidScopes(options.scopes, "apiKeyAuth scopes") : undefined;
  const verifyOptions = required && required.length > 0 ? { scopes: required } : undefined;
  const retryAfterSeconds = retryAfterOption(options, "apiKeyAuth");
  const trust = trustedProxies(options.trustProxy, "apiKeyAuth");
  const answering: Answering = Object.freeze({ realm, retryAfterSeconds });
  const refuse = (error: AuthFailure, path: PathSource): AuthOutcome => ({
    ok: false,
    response: authFailure(error, { realm, path: resolvePath(path), retryAfterSeconds }, required),
  });
  const sourcesOf = (read: HeaderReader): CredentialSources =>
    header === null ? { authorization: read("authorization") } : { authorization: read("authorization"), apiKey: read(header) };
  return {
    header,
    realm,
    retryAfterSeconds,
    retryAfter: retryAfterSeconds,
    async authenticate(source, path, address) {
      const read = typeof source === "function" ? source : undefined;
      const credential = readCredential(read ? sourcesOf(read) : (source as CredentialSources));
      if (credential.kind === "invalid") return refuse(credential.error, path);
      const ip = address === undefined ? undefined : clientAddress(address, read ?? NO_HEADERS, trust);
      const options = ip === undefined ? verifyOptions : { ...verifyOptions, ip };
      // nothing presented is verified too: it is refused as `missing` (and reported to onEvent) without a store call
      const result = await keyward.verify(credential.kind === "token" ? credential.token : undefined, options);
      if (!result.ok) {
        const refused = refuse(result.error, path);
        if (result.ratelimit !== undefined && !refused.ok)
          Object.assign(refused.response.headers, rateLimitHeaders(result.ratelimit));
        return refused;
      }
      const principal = mintPrincipal(result.key, result.scopes, answering);
      const headers = result.ratelimit === undefined ? NO_HEADERS_OUT : rateLimitHeaders(result.ratelimit);
      return { ok: true, principal, apiKey: principal.apiKey, scopes: principal.scopes, headers };
    },
  };
}

const NO_HEADERS: HeaderReader = () => [];
const NO_HEADERS_OUT: Readonly<Record<string, string>> = Object.freeze({});

/** The `header` option: a header name, lowercased, or null. `true` (deprecated) is `x-api-key`. */
function apiKeyHeader(option: string | boolean | undefined): string | null {
  if (option === undefined || option === false || option === "") return null;
  if (option === true) return "x-api-key";
  if (typeof option !== "string" || !HEADER_NAME.test(option) || option.toLowerCase() === "authorization") {
    throw new ConfigError('apiKeyAuth: `header` must be a header name other than Authorization, e.g. "x-api-key"');
  }
  return option.toLowerCase();
}

/**
 * The `Retry-After` seconds of options that take `retryAfterSeconds` (or the
 * deprecated `retryAfter`): a whole number from 0 to 86 400, default 5.
 */
export function retryAfterOption(
  options: { retryAfterSeconds?: number | undefined; retryAfter?: number | undefined },
  where: string,
): number {
  const { retryAfterSeconds, retryAfter } = options;
  if (retryAfterSeconds !== undefined && retryAfter !== undefined && retryAfterSeconds !== retryAfter) {
    throw new ConfigError(`${where}: give \`retryAfterSeconds\` only (\`retryAfter\` is its deprecated name)`);
  }
  const value = retryAfterSeconds ?? retryAfter ?? 5;
  if (!Number.isInteger(value) || value < 0 || value > 86_400) {
    throw new ConfigError(`${where}: \`retryAfterSeconds\` must be a whole number of seconds from 0 to 86400`);
  }
  return value;
}
