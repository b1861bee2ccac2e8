import { decodeCursor } from "./cursor.js";
import { ValidationError } from "./errors.js";
import type { Roles } from "./roles.js";
import type { ListAfter, RecordPatch } from "./store.js";
import { type Actor, isKeyStatus, KEY_STATUSES, type KeyStatus, type Metadata } from "./types.js";
import { type CreditsInput, checkAllowedIps, checkCredits, checkRateLimit } from "./usage/input.js";
import type { RateLimit, StoredCredits } from "./usage/types.js";
import { Checker } from "./validate.js";

/**
 * Input of {@link Keyward.create}.
 *
 * @example
 * ```ts
 * const input: CreateInput = { owner: "org_1", label: "CRM sync", role: "viewer", expiresAt: Date.now() + 90 * 86_400_000 };
 * const { key, apiKey } = await keyward.create(input);
 * ```
 */
export interface CreateInput {
  /** Required without an actor; with one, the actor's owner is used (a different value is rejected). */
  owner?: string | undefined;
  label: string;
  role?: string | null | undefined;
  scopes?: string[] | undefined;
  expiresAt?: Date | string | number | null | undefined;
  metadata?: Metadata | undefined;
  /** The key's own rate limit (else the configured default applies). See docs/usage-control.md. */
  ratelimit?: RateLimit | null | undefined;
  /** Credits each successful verification spends from (its `cost`, default 1). */
  credits?: CreditsInput | null | undefined;
  /** IPv4/IPv6 addresses and CIDR ranges the key may be presented from. */
  allowedIps?: string[] | null | undefined;
}

/**
 * Input of {@link Keyward.update}: the fields of a {@link RecordPatch}, each of
 * which may also be `undefined` (left as it is). `scopes` and `role` need
 * `mutableScopes: true` and stay under the actor's ceiling; with an actor,
 * the usage controls may only be narrowed (see docs/usage-control.md). The
 * input is validated into the `RecordPatch` the store applies; `credits`
 * replaces the balance and restarts the refill clock.
 *
 * @example
 * ```ts
 * const input: UpdateInput = { label: "CRM sync (prod)", metadata: { env: "prod" } };
 * await keyward.update(id, input, { actor }); // scopes and role need `mutableScopes: true`
 * await keyward.update(id, { ratelimit: { limit: 10, window: 1_000 }, allowedIps: ["203.0.113.0/24"] }, { actor });
 * ```
 */
export type UpdateInput = {
  [K in Exclude<keyof RecordPatch, "credits">]?: RecordPatch[K] | undefined;
} & { credits?: CreditsInput | null | undefined };

/**
 * Options naming who performs a management operation.
 *
 * @example
 * ```ts
 * await keyward.revoke(id, { actor }); // tenancy and the role ceiling apply
 * await keyward.revoke(id); // trusted server code: no actor, no checks
 * ```
 */
export interface ActorOption {
  /** When given: tenancy and the ceiling apply. Omit only in trusted server code. */
  actor?: Actor | null | undefined;
}

/**
 * Options of {@link Keyward.list}.
 *
 * @example
 * ```ts
 * const options: ListOptions = { limit: 50, status: "active", actor };
 * const page = await keyward.list(actor.owner, options);
 * const next = await keyward.list(actor.owner, { ...options, cursor: page.nextCursor });
 * ```
 */
export interface ListOptions extends ActorOption {
  /** Page size, 1–100 (default 20). */
  limit?: number | undefined;
  /** `nextCursor` of the previous page. */
  cursor?: string | null | undefined;
  status?: KeyStatus | undefined;
}

/** What {@link parseCreate} checks and settles; the caller only adds the key. */
export interface CreateFields {
  owner: string;
  label: string;
  scopes: string[];
  role: string | null;
  expiresAt: number | null;
  metadata: Metadata;
  ratelimit: RateLimit | null;
  credits: StoredCredits | null;
  allowedIps: string[] | null;
}

/** The rules {@link parseCreate} and {@link parseUpdate} apply. */
export interface InputRules {
  roles: Roles;
  catalog: ReadonlySet<string> | null;
  mutableScopes: boolean;
}

function requireObject(input: unknown): void {
  if (input === null || typeof input !== "object") throw new ValidationError([{ field: "body", message: "must be an object" }]);
}

/**
 * Validates a create input, reporting every bad field at once. The owner is
 * the actor's when there is one (a different `owner` is an error), else required.
 */
export function parseCreate(input: CreateInput, actor: Actor | null, now: number, rules: InputRules): CreateFields {
  const c = new Checker();
  requireObject(input);
  let owner = actor?.owner;
  if (!actor) owner = c.id("owner", input.owner);
  else if (input.owner !== undefined && input.owner !== actor.owner) c.fail("owner", "must be the actor's owner");
  const label = c.label(input.label, true) as string;
  const scopes = c.scopes(input.scopes, rules.catalog) ?? [];
  const role = c.role(input.role, rules.roles) ?? null;
  const expiresAt = c.expiresAt(input.expiresAt, now) ?? null;
  const metadata = c.metadata(input.metadata) ?? {};
  const ratelimit = checkRateLimit(c, input.ratelimit) ?? null;
  const credits = checkCredits(c, input.credits, now) ?? null;
  const allowedIps = checkAllowedIps(c, input.allowedIps) ?? null;
  c.done();
  return { owner: owner as string, label, scopes, role, expiresAt, metadata, ratelimit, credits, allowedIps };
}

/** Validates an update input into a store patch holding only the fields given. */
export function parseUpdate(input: UpdateInput, rules: InputRules, now: number): RecordPatch {
  const c = new Checker();
  requireObject(input);
  const label = c.label(input.label, false);
  const metadata = c.metadata(input.metadata);
  const scopes = c.scopes(input.scopes, rules.catalog);
  const role = c.role(input.role, rules.roles);
  const ratelimit = checkRateLimit(c, input.ratelimit);
  const credits = checkCredits(c, input.credits, now);
  const allowedIps = checkAllowedIps(c, input.allowedIps);
  if (!rules.mutableScopes) {
    if (input.scopes !== undefined) c.fail("scopes", "are immutable: revoke this key and create a new one");
    if (input.role !== undefined) c.fail("role", "is immutable: revoke this key and create a new one");
  }
  c.done();
  return {
    ...(label !== undefined && { label }),
    ...(metadata !== undefined && { metadata }),
    ...(scopes !== undefined && { scopes }),
    ...(role !== undefined && { role }),
    ...(ratelimit !== undefined && { ratelimit }),
    ...(credits !== undefined && { credits }),
    ...(allowedIps !== undefined && { allowedIps }),
  };
}

/** Validates list options. */
export function parseList(owner: string, options: ListOptions): { limit: number; after: ListAfter | null; status?: KeyStatus } {
  const c = new Checker();
  c.id("owner", owner);
  const limit = options.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) c.fail("limit", "must be an integer from 1 to 100");
  if (options.status !== undefined && !isKeyStatus(options.status)) c.fail("status", `must be one of ${KEY_STATUSES.join(", ")}`);
  const after = options.cursor ? decodeCursor(options.cursor) : null;
  if (options.cursor && !after) c.fail("cursor", "is not a valid cursor");
  c.done();
  return { limit, after, ...(options.status ? { status: options.status } : {}) };
}

/** Validates a rotation grace period in ms (default 0), at most `max` ms (the `maxGracePeriod` option). */
export function parseGrace(gracePeriod: number | undefined, max: number): number {
  const grace = gracePeriod ?? 0;
  if (typeof grace !== "number" || !Number.isFinite(grace) || grace < 0 || grace > max)
    throw new ValidationError([{ field: "gracePeriod", message: `must be a number of ms from 0 to ${max}` }]);
  return grace;
}
