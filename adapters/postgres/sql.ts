import type { KeyStatus, ListQuery, RecordPatch, Transition } from "keyward";
import type { Names } from "./names.js";
import { COLUMN_LIST, placeholders, toMillis } from "./rows.js";
import { usageAssignments } from "./usage.js";

/**
 * A statement and its values. Internal.
 *
 * @example
 * ```ts
 * const { text, values }: Statement = statements.list(query);
 * await client.query(text, values);
 * ```
 */
export interface Statement {
  text: string;
  values: unknown[];
}

/**
 * Builds every statement the store runs, for one table and channel. All data
 * travels as parameters; only the validated, quoted identifiers are spliced in.
 *
 * Changes use one statement each: a conditional `UPDATE … RETURNING` that
 * also calls `pg_notify(channel, id)` (sent on commit, only when a row
 * changed) and, when the condition fails, a `FOR SHARE` read of the row in the
 * same statement. The lock makes that read wait for, and return, any
 * concurrent change that beat this one, so the caller sees the state that won.
 * Internal.
 *
 * @example
 * ```ts
 * const sql = new Statements(resolveNames(), "keyward_keys_changes");
 * const { text, values } = sql.transition(id, "revoke", Date.now());
 * ```
 */
export class Statements {
  readonly findByHash: string;
  readonly get: string;
  readonly insert: string;
  readonly touch: string;
  private readonly rotateText: string;
  private readonly transitions: Record<Transition, string>;

  constructor(
    private readonly n: Names,
    private readonly channel: string,
  ) {
    const t = n.qualified;
    this.findByHash = `SELECT ${COLUMN_LIST} FROM ${t} WHERE hash = $1`;
    this.get = `SELECT ${COLUMN_LIST} FROM ${t} WHERE id = $1`;
    this.insert = `INSERT INTO ${t} (${COLUMN_LIST}) VALUES (${placeholders(1)})`;
    this.transitions = {
      disable: this.mutation("disabled_at = $3::bigint", "disabled_at IS NULL AND revoked_at IS NULL"),
      enable: this.mutation("disabled_at = NULL", "disabled_at IS NOT NULL AND revoked_at IS NULL"),
      revoke: this.mutation("revoked_at = $3::bigint", "revoked_at IS NULL"),
    };
    // $1 old id, $2 channel, $3 grace end, $4… the replacement (its id is $4)
    this.rotateText = this.mutation(
      "rotated_to = $4::text, expires_at = LEAST(expires_at, $3::bigint)",
      "revoked_at IS NULL AND rotated_to IS NULL",
      `, inserted AS (INSERT INTO ${t} (${COLUMN_LIST}) SELECT ${placeholders(4)} FROM changed RETURNING id)`,
    );
    // Rows are locked in id order, so concurrent batches from several instances never deadlock.
    const fresh = "(k.last_used_at IS NULL OR k.last_used_at < v.at) AND k.revoked_at IS NULL AND k.disabled_at IS NULL";
    this.touch = `WITH v AS (
  SELECT u.id, max(u.at) AS at FROM unnest($1::text[], $2::bigint[]) AS u(id, at) GROUP BY u.id
), locked AS (
  SELECT k.id, v.at FROM ${t} AS k JOIN v ON v.id = k.id WHERE ${fresh} ORDER BY k.id FOR NO KEY UPDATE OF k
)
UPDATE ${t} AS k SET last_used_at = v.at FROM locked AS v WHERE k.id = v.id AND ${fresh}`;
  }

  /** `UPDATE … WHERE id = $1 AND <condition>` with notify, falling back to the current row. */
  private mutation(set: string, condition: string, extra = ""): string {
    const t = this.n.qualified;
    return `WITH changed AS (
  UPDATE ${t} SET ${set} WHERE id = $1 AND ${condition}
  RETURNING ${COLUMN_LIST}, pg_notify($2::text, id) AS notified
)${extra}, current AS (
  SELECT ${COLUMN_LIST} FROM ${t} WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM changed) FOR SHARE
)
SELECT ${COLUMN_LIST} FROM changed UNION ALL SELECT ${COLUMN_LIST} FROM current`;
  }

  transition(id: string, action: Transition, at: number): Statement {
    const text = this.transitions[action];
    return { text, values: action === "enable" ? [id, this.channel] : [id, this.channel, toMillis(at)] };
  }

  rotate(id: string, expiresAt: number, replacement: unknown[]): Statement {
    return { text: this.rotateText, values: [id, this.channel, toMillis(expiresAt), ...replacement] };
  }

  update(id: string, patch: RecordPatch): Statement {
    const values: unknown[] = [id, this.channel];
    const set: string[] = [];
    const assign = (column: string, cast: string, value: unknown) => {
      values.push(value);
      set.push(`${column} = $${values.length}::${cast}`);
    };
    if (patch.label !== undefined) assign("label", "text", patch.label);
    if (patch.metadata !== undefined) assign("metadata", "jsonb", JSON.stringify(patch.metadata));
    if (patch.scopes !== undefined) assign("scopes", "text[]", [...patch.scopes]);
    if (patch.role !== undefined) assign("role", "text", patch.role);
    for (const [column, cast, value] of usageAssignments(patch)) assign(column, cast, value);
    if (set.length === 0) set.push("label = label"); // still one atomic read-and-notify
    return { text: this.mutation(set.join(", "), "revoked_at IS NULL"), values };
  }

  list(query: ListQuery): Statement {
    const values: unknown[] = [query.owner];
    const where = ["owner = $1"];
    if (query.after) {
      values.push(toMillis(query.after.createdAt), query.after.id);
      where.push(`(created_at, id) < ($${values.length - 1}::bigint, $${values.length}::text)`);
    }
    if (query.status) {
      const condition = STATUS[query.status];
      if (condition.includes("$now")) {
        values.push(toMillis(query.now));
        const param = `$${values.length}::bigint`;
        where.push(condition.replaceAll("$now", () => param));
      } else where.push(condition);
    }
    values.push(Math.max(0, Math.trunc(query.limit)));
    return {
      text: `SELECT ${COLUMN_LIST} FROM ${this.n.qualified} WHERE ${where.join(" AND ")} ORDER BY created_at DESC, id DESC LIMIT $${values.length}::integer`,
      values,
    };
  }
}

/** `statusOf` as SQL: revoked, then disabled, then expired (`expires_at <= now`), else active. */
const STATUS: Readonly<Record<KeyStatus, string>> = {
  revoked: "revoked_at IS NOT NULL",
  disabled: "revoked_at IS NULL AND disabled_at IS NOT NULL",
  expired: "revoked_at IS NULL AND disabled_at IS NULL AND expires_at <= $now",
  active: "revoked_at IS NULL AND disabled_at IS NULL AND (expires_at IS NULL OR expires_at > $now)",
};
