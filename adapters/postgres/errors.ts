import { isKeywardError, StoreError } from "keyward";
import { sqlState } from "./client.js";

const DUPLICATE = "postgresStore: a record with this id or hash already exists";

/**
 * What the Postgres store throws for a driver error: a unique violation
 * (SQLSTATE 23505) becomes a `StoreError` with code `duplicate_record`, a
 * value the database refuses to hold (class 22, data exceptions such as
 * `\u0000` in `text` or `jsonb`; 23502 and 23514, a `NOT NULL` or `CHECK`
 * constraint) one with code `invalid_record`. Neither keeps the driver's
 * error, whose `detail` would echo the conflicting hash or the refused value.
 * Anything else (a lost connection, a timeout, a missing table) is the
 * driver's error as it is. Internal.
 *
 * @example
 * ```ts
 * try {
 *   return await client.query(text, values);
 * } catch (error) {
 *   throw storeFailure(error);
 * }
 * ```
 */
export function storeFailure(error: unknown): unknown {
  const state = sqlState(error);
  if (state === undefined || isKeywardError(error)) return error;
  if (state === "23505") return new StoreError("duplicate_record", DUPLICATE);
  if (state.startsWith("22") || state === "23502" || state === "23514") {
    return new StoreError("invalid_record", `postgresStore: the database refused a value of the record (SQLSTATE ${state})`);
  }
  return error;
}

/**
 * A unique violation on `id` or `hash`.
 *
 * @deprecated The store throws a `StoreError` (exported by `keyward`) with
 * code `duplicate_record` instead, like every store: test
 * `error.code === "duplicate_record"`. `instanceof DuplicateRecordError`
 * still holds for such an error (from any store); its `code` is no longer
 * the SQLSTATE `23505`.
 *
 * @example
 * ```ts
 * await store.insert(record).catch((e) => e instanceof DuplicateRecordError); // true on a duplicate
 * ```
 */
export class DuplicateRecordError extends StoreError {
  constructor() {
    super("duplicate_record", DUPLICATE);
  }

  /** Any keyward error with code `duplicate_record`. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isKeywardError(value) && value.code === "duplicate_record";
  }
}
