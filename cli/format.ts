import type { ApiKey } from "keyward";

/** Replaces control characters so stored text cannot drive the terminal. */
export function clean(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, "?");
}

/** `kw_AbCd1234…wxyz`: the masked, non-secret display form of a key. */
export function masked(key: ApiKey): string {
  return `${key.keyPrefix}…${key.last4}`;
}

/** The role and the key's own scopes, e.g. `admin + jobs:read`. */
export function access(key: ApiKey): string {
  const scopes = key.scopes.join(",");
  if (key.role && scopes) return `${key.role} + ${scopes}`;
  return key.role ?? (scopes || "-");
}

/** An ISO time without milliseconds, or `fallback` when absent. */
export function when(iso: string | null, fallback = "-"): string {
  return iso === null ? fallback : iso.replace(/\.\d{3}Z$/, "Z");
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * A key's record as aligned `field  value` lines (never the raw key).
 *
 * @example
 * ```ts
 * console.log(recordLines(apiKey).join("\n"));
 * ```
 */
export function recordLines(key: ApiKey): string[] {
  const rows: [string, string][] = [
    ["id", key.id],
    ["owner", clean(key.owner)],
    ["label", clean(key.label)],
    ["key", masked(key)],
    ["role", key.role ?? "-"],
    ["scopes", key.scopes.join(", ") || "-"],
    ["status", key.status],
    ["created", when(key.createdAt)],
    ["created by", key.createdBy ? clean(key.createdBy) : "-"],
    ["expires", when(key.expiresAt, "never")],
    ["last used", when(key.lastUsedAt, "never")],
  ];
  if (key.disabledAt) rows.push(["disabled", when(key.disabledAt)]);
  if (key.revokedAt) rows.push(["revoked", when(key.revokedAt)]);
  if (key.rotatedFrom) rows.push(["rotated from", key.rotatedFrom]);
  if (key.rotatedTo) rows.push(["rotated to", key.rotatedTo]);
  if (Object.keys(key.metadata).length > 0) rows.push(["metadata", JSON.stringify(key.metadata)]);
  if (key.ratelimit) rows.push(["rate limit", `${key.ratelimit.limit} per ${key.ratelimit.window} ms`]);
  if (key.credits) {
    const refill = key.credits.refill;
    const every = refill ? ` (refills to ${refill.amount} every ${refill.interval} ms)` : "";
    rows.push(["credits", `${key.credits.remaining}${every}`]);
  }
  if (key.allowedIps) rows.push(["allowed IPs", key.allowedIps.join(", ")]);
  return rows.map(([field, value]) => `${field.padEnd(12)} ${value}`);
}

/**
 * Keys as a text table: id, label, masked key, role/scopes, status, created, last used.
 *
 * @example
 * ```ts
 * console.log(keyTable(page.data).join("\n"));
 * ```
 */
export function keyTable(keys: readonly ApiKey[]): string[] {
  const header = ["ID", "LABEL", "KEY", "ROLE/SCOPES", "STATUS", "CREATED", "LAST USED"];
  const rows = keys.map((k) => [
    k.id,
    truncate(clean(k.label), 32),
    masked(k),
    truncate(access(k), 40),
    k.status,
    when(k.createdAt),
    when(k.lastUsedAt, "never"),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] as number))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
