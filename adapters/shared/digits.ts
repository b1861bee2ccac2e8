/** Internal to the stores that read numbers back from text (Redis hash fields, PostgreSQL int8 columns). */

/**
 * The value of `text` from `start` to its end when every character there is
 * an ASCII digit; NaN otherwise (an empty run included). Exact below 2^53:
 * callers keep runs to 15 digits, or 16 and check the result. Read by hand,
 * without a regular expression or a round trip through `Number`: stores
 * call it for several fields of every record they read.
 */
export function digitsValue(text: string, start: number): number {
  if (start >= text.length) return Number.NaN;
  let n = 0;
  for (let i = start; i < text.length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return Number.NaN;
    n = n * 10 + digit;
  }
  return n;
}
