/**
 * The text of usage control on PostgreSQL: the `consume` statement, the
 * function of migration 3 that runs it, and the call. Internal.
 */

const NOW = "$2::bigint";
const COST = "$3::bigint";
const LIMIT = "$4::bigint";
const LEN = "$5::bigint";
/** The stored window is unused or too old to count: it restarts at now. (A window another instance's clock started a little ahead goes on.) */
const RESET = `(k.rl_start IS NULL OR ${NOW} - k.rl_start >= 2 * ${LEN})`;
/** (Not reset, and) a window length has passed: the count becomes the previous window's. */
const ROLL = `${NOW} - k.rl_start >= ${LEN}`;
/** `windowUsed()` of the slid window, with the integer ceiling (a + b - 1) / b. */
const USED = `CASE WHEN ${RESET} THEN 0
  WHEN ${ROLL} THEN (k.rl_count * (2 * ${LEN} - (${NOW} - k.rl_start)) + ${LEN} - 1) / ${LEN}
  ELSE k.rl_count + (k.rl_prev * (${LEN} - GREATEST(${NOW} - k.rl_start, 0)) + ${LEN} - 1) / ${LEN} END`;
/** A refill is due: `refillCredits()`'s condition. */
const DUE = `(k.credits_remaining IS NOT NULL AND k.credits_refill_amount IS NOT NULL AND k.credits_refilled_at IS NOT NULL
  AND ${NOW} - k.credits_refilled_at >= k.credits_refill_interval)`;
/** Credits after a due refill (null for none). */
const CREDITS = `CASE WHEN ${DUE} THEN k.credits_refill_amount ELSE k.credits_remaining END`;
/** 1 rate limited, 2 usage exceeded, 0 ok: the limit first, then credits. */
const OUTCOME = `CASE WHEN ${LIMIT} IS NOT NULL AND ${USED} + 1 > ${LIMIT} THEN 1 WHEN ${CREDITS} < ${COST} THEN 2 ELSE 0 END`;

/**
 * The `consume` statement for a table: one `UPDATE … WHERE hash = $1
 * RETURNING …` that applies `consumeUsage()` to the row's own columns.
 * Every new value is an expression over the row in `SET`, never read first:
 * under concurrency PostgreSQL re-evaluates `SET` on the latest version of
 * the row it waited for, so concurrent calls serialise on the row lock and
 * none is lost. Plain expressions (no sub-select) keep planning cheap. The
 * decision is kept in `usage_outcome` for `RETURNING` (0 ok, 1 rate
 * limited, 2 usage exceeded). `$2` now, `$3` cost, `$4`/`$5` the limit and
 * window (both null for none). Internal.
 *
 * @example
 * ```ts
 * const { rows } = await client.query(consumeSql('"public"."keyward_keys"'), consumeValues(hash, request));
 * ```
 */
export function consumeSql(table: string): string {
  const ok = `(${OUTCOME}) = 0`;
  return `UPDATE ${table} AS k SET
  rl_start = CASE WHEN ${LIMIT} IS NULL THEN NULL WHEN ${RESET} THEN ${NOW} WHEN ${ROLL} THEN k.rl_start + ${LEN} ELSE k.rl_start END,
  rl_count = CASE WHEN ${LIMIT} IS NULL THEN NULL
    ELSE CASE WHEN ${RESET} OR ${ROLL} THEN 0 ELSE k.rl_count END + CASE WHEN ${ok} THEN 1 ELSE 0 END END,
  rl_prev = CASE WHEN ${LIMIT} IS NULL THEN NULL WHEN ${RESET} THEN 0 WHEN ${ROLL} THEN k.rl_count ELSE k.rl_prev END,
  credits_remaining = ${CREDITS} - CASE WHEN ${ok} THEN ${COST} ELSE 0 END,
  credits_refilled_at = CASE WHEN ${DUE}
    THEN k.credits_refilled_at + (${NOW} - k.credits_refilled_at) / k.credits_refill_interval * k.credits_refill_interval
    ELSE k.credits_refilled_at END,
  usage_outcome = ${OUTCOME}
WHERE k.hash = $1
RETURNING k.usage_outcome, k.rl_start, k.rl_count, k.rl_prev, k.credits_remaining, k.credits_refilled_at`;
}

/**
 * The `CREATE OR REPLACE FUNCTION` of migration 3: `<table>_consume($1 hash,
 * $2 now, $3 cost, $4 limit, $5 window, $6 asynchronous)` runs exactly
 * {@link consumeSql} and returns its row; with `$6` true its transaction
 * commits without waiting for the WAL flush (`synchronous_commit = off`,
 * local to that transaction). PL/pgSQL keeps the statement's plan for the session,
 * so a call is a tiny `SELECT` instead of parsing and planning the large
 * `UPDATE` each time; a plain function call also passes through poolers in
 * transaction mode, unlike a named prepared statement. Idempotent. Internal.
 *
 * @example
 * ```ts
 * await client.query(consumeFunctionSql('"public"."keyward_keys"', '"public"."keyward_keys_consume"'));
 * ```
 */
export function consumeFunctionSql(table: string, fn: string): string {
  return `CREATE OR REPLACE FUNCTION ${fn}(text, bigint, bigint, bigint, bigint, boolean)
RETURNS TABLE (usage_outcome smallint, rl_start bigint, rl_count bigint, rl_prev bigint, credits_remaining bigint, credits_refilled_at bigint)
LANGUAGE plpgsql VOLATILE AS $consume$
#variable_conflict use_column
BEGIN
IF $6 THEN PERFORM set_config('synchronous_commit', 'off', true); END IF;
RETURN QUERY ${consumeSql(table)}; END
$consume$;`;
}

/**
 * The call of the {@link consumeFunctionSql} function, with
 * {@link consumeValues} and the asynchronous-commit flag: one statement, one
 * round trip. Internal.
 *
 * @example
 * ```ts
 * const { rows } = await client.query(consumeCallSql('"public"."keyward_keys_consume"'), [...consumeValues(hash, request), false]);
 * ```
 */
export function consumeCallSql(fn: string): string {
  return `SELECT * FROM ${fn}($1, $2, $3, $4, $5, $6)`;
}
