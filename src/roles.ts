import { ConfigError } from "./errors.js";
import { requireValidScopes, ScopeSet } from "./scopes.js";
import type { Actor } from "./types.js";

/**
 * The roles table: role name → scopes. Read at verification time.
 *
 * @example
 * ```ts
 * const roles: Roles = { owner: ["*"], admin: ["jobs:*", "api_keys:manage"], viewer: ["jobs:read"] };
 * const keyward = createKeyward({ store, prefix: "cho", roles });
 * ```
 */
export type Roles = Readonly<Record<string, readonly string[]>>;

const ROLE_NAME_RE = /^[A-Za-z0-9_.:-]{1,64}$/;
const EMPTY: readonly string[] = Object.freeze([]);

/**
 * Resolves roles to scopes and enforces the role ceiling. The roles object is
 * read on every resolution, so replacing a role's array (`roles.viewer = [...]`)
 * changes every key holding that role at its next verification.
 *
 * @example
 * ```ts
 * const book = new RoleBook({ admin: ["jobs:*", "api_keys:manage"], viewer: ["jobs:read"] });
 * book.grantable({ id: "u1", owner: "o1", role: "admin" }); // ["admin", "viewer"]
 * ```
 */
export class RoleBook {
  readonly roles: Roles;
  private readonly compiled = new WeakMap<readonly string[], ScopeSet>();

  constructor(roles: Roles = {}) {
    if (roles === null || typeof roles !== "object" || Array.isArray(roles)) {
      throw new ConfigError("roles must be an object mapping role names to scope arrays");
    }
    for (const [name, scopes] of Object.entries(roles)) {
      if (!ROLE_NAME_RE.test(name)) throw new ConfigError(`roles: invalid role name ${JSON.stringify(name.slice(0, 64))}`);
      requireValidScopes(scopes, `roles.${name}`);
    }
    this.roles = roles;
  }

  /** The scopes of `role`, or an empty list for null or an unknown role (fail closed). */
  scopesOf(role: string | null | undefined): readonly string[] {
    if (typeof role !== "string" || !Object.hasOwn(this.roles, role)) return EMPTY;
    const scopes = this.roles[role];
    return Array.isArray(scopes) ? scopes : EMPTY;
  }

  /**
   * Whether the scopes of `role` are still `seen`, an earlier answer of
   * {@link RoleBook.scopesOf}: one property read when they are. A role's
   * array is the table's own property when it was first seen; only an array
   * that is that very object can match later.
   */
  holds(role: string | null | undefined, seen: readonly string[] | null): boolean {
    if (typeof role === "string" && seen !== null && seen !== EMPTY) return this.roles[role] === seen;
    return this.scopesOf(role) === seen;
  }

  /** Whether `role` is defined. */
  has(role: string): boolean {
    return Object.hasOwn(this.roles, role);
  }

  /** `scopes` ∪ the scopes of `role`, as a {@link ScopeSet}. */
  effective(scopes: readonly string[] | undefined, role: string | null | undefined): ScopeSet {
    const fromRole = this.scopesOf(role);
    if (!scopes || scopes.length === 0) return this.compile(fromRole);
    return new ScopeSet(fromRole.length === 0 ? scopes : [...scopes, ...fromRole]);
  }

  /** What an actor holds: its scopes ∪ its role's scopes. */
  actorScopes(actor: Actor): ScopeSet {
    return this.effective(Array.isArray(actor.scopes) ? actor.scopes : undefined, actor.role);
  }

  /** The roles whose every scope the actor holds (the ceiling), in table order. */
  grantable(actor: Actor): string[] {
    const held = this.actorScopes(actor);
    return Object.keys(this.roles).filter((name) => held.coversAll(this.scopesOf(name)));
  }

  private compile(scopes: readonly string[]): ScopeSet {
    let set = this.compiled.get(scopes);
    if (!set) {
      set = new ScopeSet(scopes);
      this.compiled.set(scopes, set);
    }
    return set;
  }
}
