/**
 * One `{ field, message }` entry of a validation failure.
 *
 * @example
 * ```ts
 * const outcome = await keyward.create({ owner: "org_1", label: " " }).catch((err: unknown) => err);
 * if (outcome instanceof ValidationError) {
 *   const errors: FieldError[] = outcome.details; // [{ field: "label", message: "must not be blank" }]
 *   for (const { field, message } of errors) console.log(`${field} ${message}`);
 * }
 * ```
 */
export interface FieldError {
  field: string;
  message: string;
}

/** The brand every {@link KeywardError} carries, shared by every copy of the package. */
const BRAND: unique symbol = Symbol.for("keyward.error") as never;

/**
 * Base class of every error keyward throws. `code` is stable (safe to switch
 * on), `status` is the HTTP status the adapters answer with, and `details`
 * lists field errors for validation failures. Messages never contain a key.
 *
 * @example
 * ```ts
 * try {
 *   await keyward.enable(id, { actor });
 * } catch (err) {
 *   if (err instanceof KeywardError) console.log(err.code, err.status);
 * }
 * ```
 */
export class KeywardError extends Error {
  /** Stable machine-readable code, e.g. `not_found`. */
  readonly code: string;
  /** HTTP status an adapter answers with. */
  readonly status: number;
  /** Field errors, for `validation_error`. */
  readonly details?: FieldError[];

  constructor(code: string, status: number, message: string, options?: { cause?: unknown; details?: FieldError[] }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = status;
    if (options?.details) this.details = options.details;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /**
   * `instanceof` that also recognises errors thrown by another copy of the
   * package (ESM and CommonJS loaded side by side, a bundler duplicate): by
   * prototype first, then by the brand and the class name.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: inherited by every subclass; `this` is the class tested against
    return sameClassOrBranded(this, value);
  }
}

function sameClassOrBranded(target: abstract new (...args: never[]) => unknown, value: unknown): boolean {
  if (Function.prototype[Symbol.hasInstance].call(target, value)) return true;
  return isKeywardError(value) && (target === KeywardError || value.name === target.name);
}

/**
 * Whether `value` is an error keyward threw, whichever copy of the package
 * threw it (recognised by a `Symbol.for("keyward.error")` brand, not by
 * prototype). Adapters use it to map errors to statuses.
 *
 * @example
 * ```ts
 * try {
 *   await keyward.revoke(id, { actor });
 * } catch (err) {
 *   if (isKeywardError(err)) res.status(err.status).json({ code: err.code });
 *   else throw err;
 * }
 * ```
 */
export function isKeywardError(value: unknown): value is KeywardError {
  if (value === null || typeof value !== "object" || (value as Record<symbol, unknown>)[BRAND] !== true) return false;
  const { code, status } = value as { code?: unknown; status?: unknown };
  return typeof code === "string" && typeof status === "number" && Number.isInteger(status);
}

/**
 * Invalid input (422). `details` says which fields and why.
 *
 * @example
 * ```ts
 * await keyward.create({ owner: "org_1", label: "" }).catch((e: ValidationError) => e.details);
 * // [{ field: "label", message: "must not be blank" }]
 * ```
 */
export class ValidationError extends KeywardError {
  declare readonly details: FieldError[];
  constructor(details: FieldError[], message = "Request validation failed") {
    super("validation_error", 422, message, { details });
  }
}

/**
 * The key does not exist, or belongs to another owner than the actor's (404).
 *
 * @example
 * ```ts
 * await keyward.revoke("key_of_another_tenant", { actor }); // throws NotFoundError
 * ```
 */
export class NotFoundError extends KeywardError {
  constructor(message = "API key not found") {
    super("not_found", 404, message);
  }
}

/**
 * The actor lacks the management permission, or asks for more than it holds (403).
 *
 * @example
 * ```ts
 * await keyward.create({ label: "x", role: "owner" }, { actor: viewer }); // throws ForbiddenError
 * ```
 */
export class ForbiddenError extends KeywardError {
  constructor(message = "Not allowed") {
    super("forbidden", 403, message);
  }
}

/**
 * The operation conflicts with the key's state, e.g. enabling a revoked key (409).
 *
 * @example
 * ```ts
 * await keyward.revoke(id);
 * await keyward.enable(id); // throws ConflictError
 * ```
 */
export class ConflictError extends KeywardError {
  constructor(message = "API key is revoked") {
    super("conflict", 409, message);
  }
}

/**
 * The store failed or timed out (503). Operations fail closed.
 *
 * @example
 * ```ts
 * err instanceof StoreUnavailableError; // err.status === 503
 * ```
 */
export class StoreUnavailableError extends KeywardError {
  constructor(cause?: unknown) {
    super("unavailable", 503, "Key store unavailable", { cause });
  }
}

/**
 * The stable codes of a {@link StoreError}:
 *
 * - `duplicate_record`: `insert` (or `rotate`'s replacement) met a record
 *   with the same `id` or `hash`;
 * - `invalid_record`: the store cannot hold the record it was given (a time
 *   outside its range, a field its database refuses);
 * - `damaged_record`: what the database holds cannot be read back as a
 *   record;
 * - `store_unreachable`: the database did not answer or refused the
 *   connection (the driver's error as `cause`).
 *
 * @example
 * ```ts
 * const code: StoreErrorCode = "duplicate_record";
 * throw new StoreError(code, "myStore: a record with this id or hash already exists");
 * ```
 */
export type StoreErrorCode = "duplicate_record" | "invalid_record" | "damaged_record" | "store_unreachable";

/**
 * What a store throws when it cannot do what was asked: one class with a
 * stable {@link StoreErrorCode}, so callers and logs can tell a duplicate
 * from an outage without parsing messages. keyward treats every store
 * failure alike, failing closed: `verify` answers `unavailable` and
 * management calls throw {@link StoreUnavailableError} with the store's
 * error as `cause`. Messages never hold a key, a hash or a password.
 *
 * @example
 * ```ts
 * if (await db.exists(record.id)) throw new StoreError("duplicate_record", "myStore: a record with this id already exists");
 * try {
 *   await db.put(record);
 * } catch (cause) {
 *   throw new StoreError("store_unreachable", "myStore: the database did not answer", { cause });
 * }
 * ```
 */
export class StoreError extends KeywardError {
  declare readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, 503, message, options);
  }
}

/**
 * Misconfiguration by the application (a bad prefix, an unknown role in the
 * roles table, a malformed scope in `requireScopes`). Thrown at configuration time.
 *
 * @example
 * ```ts
 * createKeyward({ store, prefix: "Bad Prefix" }); // throws ConfigError
 * ```
 */
export class ConfigError extends KeywardError {
  constructor(message: string) {
    super("config_error", 500, message);
  }
}
