const UNITS: Readonly<Record<string, number>> = Object.freeze({
  s: 1,
  sec: 1,
  secs: 1,
  second: 1,
  seconds: 1,
  m: 60,
  min: 60,
  mins: 60,
  minute: 60,
  minutes: 60,
  h: 3600,
  hr: 3600,
  hrs: 3600,
  hour: 3600,
  hours: 3600,
  d: 86400,
  day: 86400,
  days: 86400,
});
const DURATION = /^(\d+(?:\.\d+)?) ?([a-z]+)$/i;

/**
 * Parses a positive duration such as `"30s"`, `"2 minutes"` or `"1h"` into
 * seconds; `NaN` for anything else (a bare number string counts as seconds).
 *
 * @example
 * ```ts
 * parseDuration("2 minutes"); // 120
 * parseDuration("soon"); // NaN
 * ```
 */
export function parseDuration(value: string): number {
  const text = value.trim();
  if (/^\d+(?:\.\d+)?$/.test(text)) return Number(text);
  const match = DURATION.exec(text);
  const unit = match ? UNITS[(match[2] as string).toLowerCase()] : undefined;
  return match && unit ? Number(match[1]) * unit : Number.NaN;
}
