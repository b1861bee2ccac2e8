import { KeywardError, StoreUnavailableError } from "keyward";

/** Exit codes of the `keyward` CLI. */
export const EXIT = {
  /** Success. */
  ok: 0,
  /** The operation was refused: validation (422), not found (404), conflict (409), forbidden (403). */
  refused: 1,
  /** Bad usage or setup (unknown command or flag, missing flag, bad value, bad config, missing driver); nothing was done. */
  usage: 2,
  /** The store could not be reached or failed. */
  unavailable: 3,
} as const;

/**
 * Bad input on the command line (or in its config/environment): exit code 2.
 *
 * @example
 * ```ts
 * throw new UsageError("--owner is required", "create");
 * ```
 */
export class UsageError extends Error {
  /** The command whose help the message points at, if any. */
  readonly command: string | undefined;
  /** What to print after the message; null for nothing (default: where to find help). */
  readonly hint: string | null | undefined;
  constructor(message: string, command?: string, hint?: string | null) {
    super(message);
    this.name = "UsageError";
    this.command = command;
    this.hint = hint;
  }
}

/**
 * The store could not be opened, reached or migrated: exit code 3.
 *
 * @example
 * ```ts
 * throw new StoreFailure("cannot connect to PostgreSQL at db:5432", cause);
 * ```
 */
export class StoreFailure extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "StoreFailure";
  }
}

/** What the CLI tells the user about a failure. */
export interface Failure {
  exitCode: number;
  code: string;
  message: string;
  details?: { field: string; message: string }[];
  hint?: string;
}

/** The innermost `message` of an error's cause chain, e.g. the driver's `connect ECONNREFUSED 127.0.0.1:5432`. */
export function rootMessage(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 5; depth++) {
    const cause = (current as { cause?: unknown } | null)?.cause;
    if (cause === undefined || cause === null) break;
    current = cause;
  }
  const message = (current as { message?: unknown } | null)?.message;
  if (typeof message === "string" && message !== "") return message;
  const code = (current as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : String(current);
}

/** SQLSTATE 42P01 (undefined table) anywhere in the cause chain. */
function missingTable(error: unknown): boolean {
  for (let e: unknown = error, i = 0; e && i < 5; e = (e as { cause?: unknown }).cause, i++) {
    if ((e as { code?: unknown }).code === "42P01") return true;
  }
  return false;
}

/**
 * Maps any error to an exit code and a message. Expected errors never yield a stack trace.
 *
 * @example
 * ```ts
 * describeFailure(new NotFoundError()); // { exitCode: 1, code: "not_found", ... }
 * ```
 */
export function describeFailure(error: unknown): Failure {
  if (error instanceof UsageError) {
    const hint = error.hint !== undefined ? error.hint : `see: keyward ${error.command ? `${error.command} ` : ""}--help`;
    return { exitCode: EXIT.usage, code: "usage", message: error.message, ...(hint !== null && { hint }) };
  }
  if (error instanceof StoreFailure) return { exitCode: EXIT.unavailable, code: "unavailable", message: error.message };
  if (error instanceof StoreUnavailableError) {
    if (missingTable(error)) {
      return {
        exitCode: EXIT.unavailable,
        code: "unavailable",
        message: "the keys table does not exist",
        hint: "run: keyward migrate, with the same store options",
      };
    }
    return { exitCode: EXIT.unavailable, code: "unavailable", message: `key store unavailable: ${rootMessage(error)}` };
  }
  if (error instanceof KeywardError) {
    if (error.code === "config_error") {
      return { exitCode: EXIT.usage, code: error.code, message: `configuration error: ${error.message}` };
    }
    return { exitCode: EXIT.refused, code: error.code, message: error.message, ...(error.details && { details: error.details }) };
  }
  return { exitCode: EXIT.refused, code: "internal", message: `unexpected error: ${rootMessage(error)}` };
}
