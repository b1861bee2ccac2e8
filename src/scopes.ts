import { ConfigError } from "./errors.js";

/**
 * A valid scope: `*`, or `:`-separated segments of `[A-Za-z0-9_.-]`, the last
 * of which may be `*` (`jobs:read`, `jobs:*`, `org.billing:invoices:read`).
 * Whitespace, empty segments and other characters are invalid.
 */
const SCOPE_RE = /^(?:\*|[A-Za-z0-9_.-]+(?::[A-Za-z0-9_.-]+)*(?::\*)?)$/;
const MAX_SCOPE_LENGTH = 128;

/**
 * Whether `scope` is well formed.
 *
 * @example
 * ```ts
 * isValidScope("jobs:read"); // true
 * isValidScope(" jobs:read"); // false
 * ```
 */
export function isValidScope(scope: unknown): scope is string {
  return typeof scope === "string" && scope.length <= MAX_SCOPE_LENGTH && SCOPE_RE.test(scope);
}

/**
 * An immutable set of granted scopes, answering "does it cover this scope?".
 * Matching is exact and case-sensitive; `*` covers everything and `res:*`
 * covers every scope starting with `res:`. Wildcards are open-ended, so a set
 * covers `jobs:*` only if it holds `jobs:*` (or `*`), never by enumerating.
 *
 * @example
 * ```ts
 * const granted = new ScopeSet(["jobs:*"]);
 * granted.covers("jobs:read"); // true
 * granted.covers("*"); // false
 * ```
 */
export class ScopeSet {
  /** The distinct valid scopes held, in first-seen order. */
  readonly list: readonly string[];
  private readonly set: ReadonlySet<string>;
  private readonly all: boolean;

  constructor(scopes: Iterable<string>) {
    const set = new Set<string>();
    for (const s of scopes) if (isValidScope(s)) set.add(s);
    this.set = set;
    this.list = Object.freeze([...set]);
    this.all = set.has("*");
  }

  /** Whether `scope` is granted by this set. Malformed scopes are never covered. */
  covers(scope: string): boolean {
    const set = this.set;
    if (set.has(scope)) return true; // only valid scopes are ever added
    if (this.all) return isValidScope(scope);
    if (scope === "*") return false;
    // try each `prefix:*` ancestor of the scope
    let i = scope.indexOf(":");
    while (i !== -1) {
      if (set.has(`${scope.slice(0, i)}:*`)) return isValidScope(scope);
      i = scope.indexOf(":", i + 1);
    }
    return false;
  }

  /** Whether every scope in `scopes` is covered. */
  coversAll(scopes: readonly string[]): boolean {
    for (let i = 0; i < scopes.length; i++) if (!this.covers(scopes[i] as string)) return false;
    return true;
  }
}

/**
 * Whether the granted scopes `granted` cover every one of `required`, with
 * the matching rules of {@link ScopeSet} (exact, `*`, `res:*`; a malformed
 * scope is never covered), by a linear pass: for the short lists a key holds
 * it is cheaper than building a set. `granted` must hold valid scopes only,
 * as `verify` returns them.
 *
 * @example
 * ```ts
 * const result = await keyward.verify(key);
 * if (result.ok && scopesCover(result.scopes, ["jobs:write"])) await createJob(result.key.owner);
 * scopesCover(["jobs:*"], ["jobs:read", "jobs:write"]); // true
 * scopesCover(["jobs:read", "jobs:write"], ["jobs:*"]); // false: wildcards are open-ended
 * ```
 */
export function scopesCover(granted: readonly string[], required: readonly string[]): boolean {
  for (let i = 0; i < required.length; i++) if (!listCovers(granted, required[i] as string)) return false;
  return true;
}

function listCovers(granted: readonly string[], scope: string): boolean {
  let valid: boolean | undefined;
  for (let i = 0; i < granted.length; i++) {
    const g = granted[i] as string;
    if (g === scope) return typeof scope === "string"; // exact: granted holds valid scopes only
    const wildcard = g === "*" || (g.endsWith(":*") && typeof scope === "string" && scope.startsWith(g.slice(0, -1)));
    if (wildcard && (valid ??= isValidScope(scope))) return true;
  }
  return false;
}

/**
 * Checks a list of scopes written by the application (roles table, catalog,
 * `requireScopes`) and returns a frozen copy; throws {@link ConfigError} on
 * the first malformed one.
 *
 * @example
 * ```ts
 * requireValidScopes(["jobs:read"], "requireScopes"); // ["jobs:read"]
 * ```
 */
export function requireValidScopes(scopes: readonly unknown[], where: string): readonly string[] {
  if (!Array.isArray(scopes)) throw new ConfigError(`${where}: expected an array of scopes`);
  for (const s of scopes) {
    if (!isValidScope(s)) throw new ConfigError(`${where}: malformed scope ${JSON.stringify(String(s).slice(0, 64))}`);
  }
  return Object.freeze([...(scopes as string[])]);
}
