/**
 * Internal to the framework adapters (not a public entry): lets
 * `requireScopes` answer in the realm and `Retry-After` of the `apiKeyAuth`
 * that let the request in, without any state on the request object.
 */
import { type Authenticator, createScopeGuard, type ScopeGuard } from "keyward/http";

/** Which authenticator admitted a request (keyed by the framework's request or context object). */
export class AdmittedBy {
  private readonly map = new WeakMap<object, Authenticator>();

  set(request: object, auth: Authenticator): void {
    this.map.set(request, auth);
  }

  get(request: object): Authenticator | undefined {
    return this.map.get(request);
  }
}

/**
 * Validates `scopes` now (a malformed scope throws at configuration time) and
 * returns a lookup of the guard for a request's authenticator, one per
 * authenticator, built on first use.
 */
export function scopeGuards(scopes: readonly string[]): (auth: Authenticator | undefined) => ScopeGuard {
  const fallback = createScopeGuard(scopes);
  const byAuth = new WeakMap<Authenticator, ScopeGuard>();
  return (auth) => {
    if (!auth) return fallback;
    let guard = byAuth.get(auth);
    if (!guard) {
      guard = createScopeGuard(scopes, { realm: auth.realm, retryAfter: auth.retryAfter });
      byAuth.set(auth, guard);
    }
    return guard;
  };
}
