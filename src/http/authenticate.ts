import { type ApiKey, type CredentialSources, type Keyward, readCredential, requireValidScopes, ScopeSet } from "keyward";
import { assertRealm, authFailure, type HttpResponse } from "./responses.js";

/**
 * Options of `apiKeyAuth` in every adapter.
 *
 * @example
 * ```ts
 * const options: AuthOptions = { header: "x-api-key", scopes: ["jobs:read"], realm: "jobs", retryAfter: 10 };
 * app.use("/v1", apiKeyAuth(keyward, options));
 * ```
 */
export interface AuthOptions {
  /** `realm` of `WWW-Authenticate`. Default `"api"`. */
  realm?: string | undefined;
  /**
   * Also accept the key in this header (e.g. `"x-api-key"`); `true` means
   * `x-api-key`. Default: only `Authorization: Bearer`. Sending both is a 400.
   */
  header?: string | boolean | undefined;
  /** Scopes every request through this middleware must hold. */
  scopes?: readonly string[] | undefined;
  /** `Retry-After` seconds on a 503. Default 5. */
  retryAfter?: number | undefined;
}

/**
 * The outcome of authenticating one request.
 *
 * @example
 * ```ts
 * const outcome: AuthOutcome = await auth.authenticate({ authorization: headerValues(req, "authorization") }, "/v1/jobs");
 * if (!outcome.ok) return outcome.response; // 400, 401, 403 or 503, ready to send
 * console.log(outcome.apiKey.owner, outcome.scopes);
 * ```
 */
export type AuthOutcome = { ok: true; apiKey: ApiKey; scopes: readonly string[] } | { ok: false; response: HttpResponse };

/**
 * An authenticator built once per middleware.
 *
 * @example
 * ```ts
 * const auth: Authenticator = createAuthenticator(keyward, { header: true });
 * auth.header; // "x-api-key"
 * const sources = { authorization: headerValues(req, "authorization"), apiKey: headerValues(req, "x-api-key") };
 * const outcome = await auth.authenticate(sources, "/v1/jobs");
 * ```
 */
export interface Authenticator {
  /** The API-key header name, lowercased, or null when only Bearer is read. */
  readonly header: string | null;
  readonly realm: string;
  readonly retryAfter: number;
  /**
   * Authenticate one request from its header values. `path` goes into error
   * bodies; pass a function to compute it only when an error body is written.
   */
  authenticate(sources: CredentialSources, path: PathSource): Promise<AuthOutcome>;
}

const grants = new WeakMap<ApiKey, ScopeSet>();

/**
 * A request path for error bodies, or a function computing it (called only when an error body is written).
 *
 * @example
 * ```ts
 * await auth.authenticate(sources, "/v1/jobs");
 * // or computed only when an error body is written:
 * await auth.authenticate(sources, () => new URL(req.url ?? "/", "http://localhost").pathname);
 * ```
 */
export type PathSource = string | (() => string);

function resolvePath(path: PathSource): string {
  return typeof path === "string" ? path : path();
}

/**
 * Validates middleware options once and returns the per-request function
 * the adapters call. All auth logic lives here; adapters only read headers
 * and write responses.
 *
 * @example
 * ```ts
 * const auth = createAuthenticator(keyward, { scopes: ["jobs:read"] });
 * const outcome = await auth.authenticate({ authorization: [req.headers.authorization ?? ""] }, "/v1/jobs");
 * ```
 */
export function createAuthenticator(keyward: Keyward, options: AuthOptions = {}): Authenticator {
  const realm = assertRealm(options.realm ?? "api");
  const header =
    options.header === true
      ? "x-api-key"
      : typeof options.header === "string" && options.header
        ? options.header.toLowerCase()
        : null;
  const required = options.scopes ? requireValidScopes(options.scopes, "apiKeyAuth scopes") : undefined;
  const verifyOptions = required && required.length > 0 ? { scopes: required } : undefined;
  const retryAfter = options.retryAfter ?? 5;
  return {
    header,
    realm,
    retryAfter,
    async authenticate(sources, path) {
      const ctx = () => ({ realm, path: resolvePath(path), retryAfter });
      const credential = readCredential(sources);
      if (credential.kind === "none") {
        await keyward.verify(undefined); // reports `missing` to onEvent, no store call
        return { ok: false, response: authFailure("missing", ctx()) };
      }
      if (credential.kind === "invalid") return { ok: false, response: authFailure("invalid_request", ctx()) };
      const result = await keyward.verify(credential.token, verifyOptions);
      if (!result.ok) return { ok: false, response: authFailure(result.error.code, ctx(), required) };
      if (!grants.has(result.key)) grants.set(result.key, ScopeSet.of(result.scopes));
      return { ok: true, apiKey: result.key, scopes: result.scopes };
    },
  };
}

/**
 * The effective scopes (own ∪ role, as resolved at verification) of a key
 * that `apiKeyAuth` authenticated in this process, or undefined for any other
 * object. Use it in handlers that decide per request, e.g. which tools an MCP
 * server lets a key call.
 *
 * @example
 * ```ts
 * app.get("/v1/me", apiKeyAuth(keyward), (req, res) => res.json({ scopes: grantedScopes(req.apiKey!) }));
 * ```
 */
export function grantedScopes(apiKey: ApiKey): readonly string[] | undefined {
  return grants.get(apiKey)?.list;
}

/**
 * Whether a key `apiKeyAuth` authenticated holds every one of `scopes`
 * (wildcards apply). False for an object that did not come from `apiKeyAuth`.
 *
 * @example
 * ```ts
 * if (!hasScopes(c.get("apiKey"), "jobs:write")) return c.json({ error: "read-only key" }, 403);
 * ```
 */
export function hasScopes(apiKey: ApiKey, ...scopes: string[]): boolean {
  const granted = grants.get(apiKey);
  return granted?.coversAll(scopes) === true;
}

/**
 * A guard built once by `requireScopes`.
 *
 * @example
 * ```ts
 * const guard: ScopeGuard = createScopeGuard(["jobs:write"]);
 * const denied = guard.check(outcome.ok ? outcome.apiKey : undefined, "/v1/jobs");
 * if (denied) return denied; // 403 insufficient_scope, or 401 when no key was authenticated
 * ```
 */
export interface ScopeGuard {
  /** null when `apiKey` holds every required scope, else the 401/403 answer. */
  check(apiKey: ApiKey | undefined, path: PathSource): HttpResponse | null;
}

/**
 * Builds the check behind `requireScopes(...scopes)`: 403
 * `insufficient_scope` naming the required scopes when one is missing, 401
 * when no key was authenticated (the guard was mounted without `apiKeyAuth`).
 *
 * @example
 * ```ts
 * const guard = createScopeGuard(["jobs:write"]);
 * guard.check(req.apiKey, req.path); // null or a 403 answer
 * ```
 */
export function createScopeGuard(scopes: readonly string[], options: { realm?: string; retryAfter?: number } = {}): ScopeGuard {
  const required = requireValidScopes(scopes, "requireScopes");
  const realm = assertRealm(options.realm ?? "api");
  const retryAfter = options.retryAfter ?? 5;
  return {
    check(apiKey, path) {
      const granted = apiKey ? grants.get(apiKey) : undefined;
      if (!granted) return authFailure("missing", { realm, path: resolvePath(path), retryAfter });
      if (granted.coversAll(required)) return null;
      return authFailure("insufficient_scope", { realm, path: resolvePath(path), retryAfter }, required);
    },
  };
}
