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
  private static readonly byList = new WeakMap<readonly string[], ScopeSet>();

  /** The set whose `list` is `list` (no copy when it came from a ScopeSet), else a new one. */
  static of(list: readonly string[]): ScopeSet {
    return ScopeSet.byList.get(list) ?? new ScopeSet(list);
  }

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
    ScopeSet.byList.set(this.list, this);
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

  /** The scopes of `scopes` this set does not cover. */
  missing(scopes: Iterable<string>): string[] {
    const out: string[] = [];
    for (const s of scopes) if (!this.covers(s)) out.push(s);
    return out;
  }
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
