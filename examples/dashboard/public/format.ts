/** Formatting for the key list: times, durations and the usage-control line. */
import type { Key } from "./api.js";

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
const absolute = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const day = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

export const formatTime = (iso: string): string => absolute.format(new Date(iso));

export function ago(iso: string): string {
  const seconds = Math.round((Date.parse(iso) - Date.now()) / 1000);
  const steps: [Intl.RelativeTimeFormatUnit, number][] = [
    ["day", 86_400],
    ["hour", 3_600],
    ["minute", 60],
  ];
  for (const [unit, size] of steps) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  }
  return "just now";
}

/** A `<time>` showing `iso` (relative, date and time, or the date only; the exact time as a tooltip), or a muted `never` text. */
export function timeEl(iso: string | null, style: "relative" | "absolute" | "date", never = ""): HTMLElement {
  if (!iso) {
    const span = document.createElement("span");
    span.className = "muted";
    span.textContent = never;
    return span;
  }
  const time = document.createElement("time");
  time.dateTime = iso;
  time.title = formatTime(iso);
  time.textContent = style === "relative" ? ago(iso) : style === "date" ? day.format(new Date(iso)) : formatTime(iso);
  return time;
}

const UNITS: [string, number][] = [
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["min", 60_000],
  ["s", 1_000],
];

/** A window in ms as people say it: 60000 → "1 min", 3600000 → "1 h". */
export function duration(ms: number): string {
  for (const [unit, size] of UNITS) if (ms >= size && ms % size === 0) return `${ms / size} ${unit}`;
  return `${ms} ms`;
}

/** "Credits: N left", "Limit: N / window", "IPs: …", each only when the key has it. */
export function usageParts(key: Key): string[] {
  const parts: string[] = [];
  if (typeof key.remaining === "number") parts.push(`Credits: ${key.remaining.toLocaleString()} left`);
  if (key.ratelimit) parts.push(`Limit: ${key.ratelimit.limit.toLocaleString()} / ${duration(key.ratelimit.window)}`);
  if (key.allowedIps && key.allowedIps.length > 0) parts.push(`IPs: ${key.allowedIps.join(", ")}`);
  return parts;
}

/** Expiry choices on the create form, in days. */
export function expiryFromChoice(choice: string, customDate: string): string | null | undefined {
  if (choice === "never") return null;
  if (choice === "custom") {
    if (!customDate) return undefined;
    // the end of the chosen day, in the admin's time zone
    return new Date(`${customDate}T23:59:59`).toISOString();
  }
  const days = Number(choice);
  return new Date(Date.now() + days * 86_400_000).toISOString();
}
