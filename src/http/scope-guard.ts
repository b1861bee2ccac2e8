import { requireValidScopes, scopesCover, verifyError } from "keyward";
import { type PathSource, resolvePath, retryAfterOption } from "./authenticate.js";
import { admittedBy, type Principal } from "./principal.js";
import { assertRealm, authFailure, type HttpResponse } from "./responses.js";

/**
 * A guard built once by `requireScopes`.
 *
 * @example
 * ```ts
 * const guard: ScopeGuard = createScopeGuard(["jobs:write"]);
 * const denied = guard.check(req.principal, req.apiKey, req.path);
 * if (denied) return denied; // 403 insufficient_scope, or 401 when no key was authenticated
 * ```
 */
export interface ScopeGuard {
  /**
   * null when `principal` holds every required scope, else the 401/403
   * answer. `principal` must be one `apiKeyAuth` made and `apiKey` the
   * request's key (its own): anything else — no principal, a copy, a
   * look-alike, a request whose key was replaced — is a 401.
   */
  check(principal: Principal | undefined, apiKey: unknown, path: PathSource): HttpResponse | null;
}

/**
 * Builds the check behind `requireScopes(...scopes)`: 403
 * `insufficient_scope` naming the required scopes when one is missing, 401
 * when no key was authenticated (the guard was mounted without `apiKeyAuth`).
 * It answers in the realm and `Retry-After` of the `apiKeyAuth` that admitted
 * the request; `options` apply when none did.
 *
 * @example
 * ```ts
 * const guard = createScopeGuard(["jobs:write"]);
 * guard.check(req.principal, req.apiKey, req.path); // null or a 401/403 answer
 * ```
 */
export function createScopeGuard(
  scopes: readonly string[],
  options: { realm?: string; retryAfterSeconds?: number /** @deprecated Use `retryAfterSeconds`. */; retryAfter?: number } = {},
): ScopeGuard {
  const required = requireValidScopes(scopes, "requireScopes");
  const fallback = { realm: assertRealm(options.realm ?? "api"), retryAfterSeconds: retryAfterOption(options, "requireScopes") };
  const missing = verifyError("missing");
  const insufficient = verifyError("insufficient_scope");
  return {
    check(principal, apiKey, path) {
      const answering = admittedBy(principal, apiKey);
      if (answering === undefined) return authFailure(missing, { ...fallback, path: resolvePath(path) });
      if (scopesCover((principal as Principal).scopes, required)) return null; // a genuine principal: its frozen scopes
      return authFailure(insufficient, { ...answering, path: resolvePath(path) }, required);
    },
  };
}
