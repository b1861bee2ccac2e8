import { type ApiKey, scopesCover } from "keyward";

/**
 * Who `apiKeyAuth` authenticated, stored once per request beside the key:
 * `req.principal` (Express), `c.get("principal")` (Hono),
 * `ctx.state.principal` (Koa). `scopes` are the key's effective scopes —
 * its own ∪ its role's, as resolved when it was verified — which
 * `req.apiKey.scopes` (the key's own only) is not. Only the authenticator
 * makes principals: `requireScopes` refuses (401) any other object, a copy
 * or a look-alike included, and a request whose `apiKey` is no longer the
 * principal's.
 *
 * @example
 * ```ts
 * app.post("/v1/jobs", apiKeyAuth(keyward), (req, res) => {
 *   const principal = req.principal!;
 *   if (!principal.has("jobs:write")) return res.status(403).json({ error: "read-only key" });
 *   res.json({ owner: principal.apiKey.owner, scopes: principal.scopes });
 * });
 * ```
 */
export interface Principal {
  /** The authenticated key (the same object as `req.apiKey`). */
  readonly apiKey: ApiKey;
  /** Its effective scopes: own ∪ role's, as resolved at verification. Frozen. */
  readonly scopes: readonly string[];
  /** Whether it holds every one of `scopes` (wildcards apply; a malformed scope is never held). */
  has(...scopes: string[]): boolean;
}

/** How the `apiKeyAuth` that admitted a request answers: `requireScopes` answers the same way. */
export interface Answering {
  readonly realm: string;
  /** Seconds in `Retry-After` of a 503. */
  readonly retryAfterSeconds: number;
}

/** Module-private: only code holding it can make a principal. */
const MINT = Symbol("keyward.principal");

class KeyPrincipal implements Principal {
  readonly apiKey: ApiKey;
  readonly scopes: readonly string[];
  readonly #answering: Answering;

  constructor(token: symbol, apiKey: ApiKey, scopes: readonly string[], answering: Answering) {
    if (token !== MINT) throw new TypeError("A principal is made only by apiKeyAuth");
    this.apiKey = apiKey;
    this.scopes = scopes;
    this.#answering = answering;
    Object.freeze(this);
  }

  has(...scopes: string[]): boolean {
    return scopesCover(this.scopes, scopes);
  }

  /** The answering settings of a principal this module made; undefined for any other value (copies and look-alikes too). */
  static answeringOf(value: unknown): Answering | undefined {
    return typeof value === "object" && value !== null && #answering in value ? value.#answering : undefined;
  }
}

/** Makes the principal of a verified key. `scopes` must be the frozen effective scopes `verify` returned. */
export function mintPrincipal(apiKey: ApiKey, scopes: readonly string[], answering: Answering): Principal {
  return new KeyPrincipal(MINT, apiKey, scopes, answering);
}

/**
 * How to answer for the request holding `principal` and `apiKey`: the
 * settings of the `apiKeyAuth` that made the principal, or undefined when
 * `principal` was not made by it or `apiKey` is not its key (the request's
 * state was replaced after authentication).
 */
export function admittedBy(principal: unknown, apiKey: unknown): Answering | undefined {
  const answering = KeyPrincipal.answeringOf(principal);
  return answering !== undefined && (principal as Principal).apiKey === apiKey ? answering : undefined;
}
