/**
 * One key as a table row. Every cell carries `data-label`, so on a narrow
 * screen the stylesheet can show the row as a card with labelled lines.
 */
import type { AuditEntry, Key, Session } from "./api.js";
import { formatTime, timeEl, usageParts } from "./format.js";

export type Action = "rename" | "rotate" | "restrict" | "disable" | "enable" | "revoke";

export interface RowContext {
  session: Session | null;
  audit: Record<string, AuditEntry>;
  onAction: (action: Action, key: Key) => void;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A cell; its content sits in one wrapper, which the phone layout places beside the label. */
function cell(label: string, content: (string | Node)[], className?: string): HTMLTableCellElement {
  const td = el("td", className);
  td.dataset.label = label;
  const value = el("div", "value");
  value.append(...content);
  td.append(value);
  return td;
}

function personName(ctx: RowContext, id: string | null | undefined): string {
  if (!id) return "the server";
  return ctx.session?.people[id] ?? id;
}

function scopeText(ctx: RowContext, key: Key): string {
  const roleScopes = key.role ? (ctx.session?.roles[key.role] ?? []) : [];
  return [...new Set([...roleScopes, ...key.scopes])].join(" ");
}

/** The status word, then what the admin needs to know about it (when it ends, who revoked it). */
function statusCell(ctx: RowContext, key: Key): HTMLTableCellElement {
  const status = el("span", `status status-${key.status}`, key.status);
  const detail = el("span", "status-detail");
  const audit = ctx.audit[key.id];
  if (key.status === "revoked" && key.revokedAt) {
    detail.append("on ", timeEl(key.revokedAt, "absolute"), ` by ${personName(ctx, audit?.revokedBy)}`);
  } else if (key.status === "expired" && key.expiresAt) {
    detail.append("on ", timeEl(key.expiresAt, "absolute"), key.rotatedTo ? ", replaced by a rotation" : "");
  } else if (key.status === "disabled" && key.disabledAt) {
    detail.append("since ", timeEl(key.disabledAt, "absolute"));
  }
  if (key.status !== "expired" && key.status !== "revoked" && key.expiresAt) {
    if (detail.childNodes.length > 0) detail.append(el("br"));
    detail.append(key.rotatedTo ? "Rotated: expires at " : "Expires ", timeEl(key.expiresAt, "absolute"));
  }
  const content: Node[] = [status];
  if (detail.childNodes.length > 0) content.push(detail);
  if (audit?.leaked) {
    const text = key.status === "revoked" ? "Leaked — revoked automatically" : "Reported leaked";
    content.push(el("span", "badge badge-danger", text));
  }
  const td = cell("Status", content, "status-cell");
  if (key.status === "active" && key.expiresAt) td.title = `Stops working ${formatTime(key.expiresAt)}`;
  return td;
}

function actionButton(ctx: RowContext, action: Action, text: string, key: Key, className?: string): HTMLButtonElement {
  const button = el("button", className, text);
  button.type = "button";
  button.dataset.action = action;
  button.setAttribute("aria-label", `${text.replace("…", "")} “${key.label}”`);
  button.addEventListener("click", () => ctx.onAction(action, key));
  return button;
}

function actionsCell(ctx: RowContext, key: Key): HTMLTableCellElement {
  const buttons: HTMLButtonElement[] = [];
  const live = key.status === "active" || key.status === "disabled";
  if (live) buttons.push(actionButton(ctx, "rename", "Rename", key));
  // a key in its grace period was already rotated: its replacement is the one to rotate next
  if (key.status === "active" && !key.rotatedTo) buttons.push(actionButton(ctx, "rotate", "Rotate…", key));
  if (key.status === "active" && ctx.session?.features?.usage) {
    buttons.push(actionButton(ctx, "restrict", "Restrict IPs…", key));
  }
  if (key.status === "active") buttons.push(actionButton(ctx, "disable", "Disable", key));
  if (key.status === "disabled") buttons.push(actionButton(ctx, "enable", "Enable", key));
  if (live) buttons.push(actionButton(ctx, "revoke", "Revoke…", key, "danger-outline"));
  const td = el("td", buttons.length === 0 ? "actions actions-none" : "actions");
  td.append(...buttons);
  return td;
}

export function keyRow(ctx: RowContext, key: Key): HTMLTableRowElement {
  const tr = el("tr");
  tr.dataset.keyId = key.id;

  const name = el("th", "name");
  name.scope = "row";
  name.append(el("span", "label", key.label));
  const usage = usageParts(key);
  if (usage.length > 0) {
    const line = el("span", "usage");
    for (const part of usage) line.append(el("span", "chip", part));
    name.append(line);
  }

  const masked = el("code", undefined, `${key.keyPrefix}…${key.last4}`);
  masked.title = "Only the start and the last four characters are kept for display";

  const role = el("span", "badge", key.role ?? "custom");
  const scopes = el("span", "scopes", scopeText(ctx, key));

  tr.append(
    name,
    cell("Key", [masked], "mono"),
    cell("Role / scopes", [role, " ", scopes]),
    cell("Created by", [key.createdBy ? personName(ctx, key.createdBy) : "server"]),
    cell("Created", [timeEl(key.createdAt, "date")]),
    cell("Last used", [timeEl(key.lastUsedAt, "relative", "Never")], "last-used"),
    statusCell(ctx, key),
    actionsCell(ctx, key),
  );
  return tr;
}
