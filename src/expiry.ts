/**
 * Strict parsing of an expiry given as text. Only two shapes are accepted,
 * both with one meaning on every server whatever its time zone:
 *
 * - a date and time with an explicit offset (RFC 3339 / ISO 8601):
 *   `2099-06-30T12:00:00Z`, `2099-06-30T14:00:00.5+02:00` (seconds and the
 *   fraction are optional; `T` may be a space);
 * - a date alone, `2099-06-30`, meaning the start of that day in UTC
 *   (as JavaScript and the CLI read it).
 *
 * Every field must exist on the calendar: `2099-02-31`, `2099-13-01`,
 * `24:00` or a leap second are refused rather than rolled over.
 */
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2})))?$/;

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * The epoch milliseconds of an expiry string, or `NaN` when it is not one of
 * the accepted shapes or names a date or time that does not exist.
 *
 * @example
 * ```ts
 * parseExpiryText("2099-06-30T12:00:00Z"); // 4086504000000
 * parseExpiryText("2099-02-31"); // NaN
 * parseExpiryText("2099-06-30T12:00"); // NaN: no offset, so it depends on the server's zone
 * ```
 */
export function parseExpiryText(text: string): number {
  const m = DATE_TIME.exec(text);
  if (!m) return Number.NaN;
  const [, y, mo, d, h, mi, s, frac, zulu, sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return Number.NaN;
  if (h !== undefined && zulu === undefined && sign === undefined) return Number.NaN; // a time needs an offset
  const hour = Number(h ?? 0);
  const minute = Number(mi ?? 0);
  const second = Number(s ?? 0);
  if (hour > 23 || minute > 59 || second > 59) return Number.NaN;
  const offsetHours = Number(oh ?? 0);
  const offsetMinutes = Number(om ?? 0);
  if (offsetHours > 23 || offsetMinutes > 59) return Number.NaN;
  const millis = frac === undefined ? 0 : Number(frac.padEnd(3, "0").slice(0, 3));
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // not Date.UTC: it maps years 0-99 to 1900-1999
  date.setUTCHours(hour, minute, second, millis);
  const offset = (sign === "-" ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  return date.getTime() - offset;
}
