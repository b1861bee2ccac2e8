/** Milliseconds per unit, every spelling the grammar accepts (matched case-insensitively). */
const UNIT_MS: Readonly<Record<string, number>> = /* @__PURE__ */ (() => {
  const units: [number, string[]][] = [
    [1, ["ms", "msec", "msecs", "millisecond", "milliseconds"]],
    [1_000, ["s", "sec", "secs", "second", "seconds"]],
    [60_000, ["m", "min", "mins", "minute", "minutes"]],
    [3_600_000, ["h", "hr", "hrs", "hour", "hours"]],
    [86_400_000, ["d", "day", "days"]],
    [604_800_000, ["w", "wk", "wks", "week", "weeks"]],
  ];
  const table: Record<string, number> = Object.create(null);
  for (const [ms, names] of units) for (const name of names) table[name] = ms;
  return Object.freeze(table);
})();

/** A number (integer or decimal, no sign, no exponent), at most one space, a unit. */
const DURATION = /^(\d{1,15}(?:\.\d{1,15})?) ?([a-z]{1,12})$/i;

/**
 * The milliseconds a written duration stands for: a non-negative number and
 * a unit, such as `"30s"`, `"1.5h"`, `"90d"`, `"2 weeks"` or `"500ms"`. Units:
 * `ms`, `s`, `m`, `h`, `d`, `w` and their long forms (`sec`, `secs`,
 * `second(s)`, `min`, `mins`, `minute(s)`, `hr`, `hrs`, `hour(s)`, `day(s)`,
 * `wk`, `wks`, `week(s)`, `msec(s)`, `millisecond(s)`), in any case, with at
 * most one space before the unit; surrounding whitespace is ignored. Months
 * and years are not units (their length varies).
 *
 * A unit is required: a bare `"30"` is refused rather than guessed at. It is
 * the one grammar keyward reads durations with: the CLI's `--expires` and
 * `--timeout`, and `jwtActor`'s `clockToleranceMs`. The result is rounded to
 * a whole millisecond.
 *
 * Throws `TypeError` when `text` is not a string and `RangeError` when it is
 * not a duration (or one too long to count in safe-integer milliseconds).
 *
 * @example
 * ```ts
 * import { parseDuration } from "keyward";
 *
 * parseDuration("30s"); // 30_000
 * parseDuration("1.5 hours"); // 5_400_000
 * await keyward.rotate(id, { gracePeriod: parseDuration(process.env.GRACE ?? "24h") });
 * ```
 */
export function parseDuration(text: string): number {
  if (typeof text !== "string") throw new TypeError('parseDuration: expected a string such as "30s"');
  const match = DURATION.exec(text.trim());
  const unit = match ? UNIT_MS[(match[2] as string).toLowerCase()] : undefined;
  const ms = match && unit !== undefined ? Math.round(Number(match[1]) * unit) : Number.NaN;
  if (!Number.isSafeInteger(ms)) {
    throw new RangeError(
      match && unit !== undefined
        ? "parseDuration: the duration is too long"
        : 'parseDuration: expected a number and a unit (ms, s, m, h, d, w), such as "30s", "1.5h" or "90d"',
    );
  }
  return ms;
}
