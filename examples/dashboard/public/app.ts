/**
 * The dashboard page script: plain DOM, no framework. The server compiles it
 * to /app.js at startup. It talks only to the management API
 * (`apiKeyRoutes` at /settings/api-keys) and /session.
 *
 * The raw key exists in exactly one place: the value of the one-time reveal
 * field. It is never rendered into the list, stored, or logged, and the
 * field is emptied when the panel is dismissed.
 */
import type { ApiKey } from "keyward";

type Tab = "active" | "disabled" | "revoked";

interface Session {
  user: { id: string; name: string };
  role: string | null;
  owner: string;
  roles: Record<string, string[]>;
  people: Record<string, string>;
}

interface Page {
  data: ApiKey[];
  nextCursor: string | null;
}

interface ErrorBody {
  message?: string;
  details?: { field: string; message: string }[];
}

const API = "/settings/api-keys";

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody | null,
  ) {
    super(body?.message ?? `Request failed (${status})`);
  }
}

function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from the page`);
  return el as T;
}

const els = {
  who: $("who"),
  notice: $("notice"),
  error: $("error"),
  form: $<HTMLFormElement>("create-form"),
  name: $<HTMLInputElement>("key-name"),
  nameError: $("key-name-error"),
  role: $<HTMLSelectElement>("key-role"),
  roleError: $("key-role-error"),
  create: $<HTMLButtonElement>("create-button"),
  reveal: $("reveal"),
  revealTitle: $("reveal-title"),
  revealLabel: $("reveal-key-label"),
  revealKey: $<HTMLInputElement>("reveal-key"),
  copy: $<HTMLButtonElement>("copy-button"),
  copyStatus: $("copy-status"),
  revealDone: $<HTMLButtonElement>("reveal-done"),
  refresh: $<HTMLButtonElement>("refresh"),
  tabs: Array.from(document.querySelectorAll<HTMLButtonElement>('[role="tab"]')),
  panel: $("keys-panel"),
  caption: $("keys-caption"),
  body: $("keys-body"),
  empty: $("keys-empty"),
  more: $<HTMLButtonElement>("load-more"),
  dialog: $<HTMLDialogElement>("revoke-dialog"),
  revokeName: $("revoke-name"),
  revokePrefix: $("revoke-prefix"),
};

let session: Session | null = null;
let tab: Tab = "active";
let cursor: string | null = null;
let revoking: ApiKey | null = null;

// --- HTTP ---

async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const method = init.method ?? "GET";
  const res = await fetch(API + path, {
    method,
    credentials: "same-origin",
    // every state-changing call says it is JSON, body or not: the management API refuses
    // requests a browser could send cross-site without a preflight (forms, text bodies)
    headers: { accept: "application/json", ...(method !== "GET" && { "content-type": "application/json" }) },
    ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
  });
  const body = (await res.json().catch(() => null)) as unknown;
  if (!res.ok) throw new ApiError(res.status, body as ErrorBody | null);
  return body as T;
}

// --- messages ---

function showNotice(text: string): void {
  els.notice.textContent = text;
  els.notice.hidden = false;
}

function showError(error: unknown): void {
  const message =
    error instanceof ApiError && error.status === 401
      ? "Your session has ended. Reload the page to sign in again."
      : error instanceof Error
        ? error.message
        : String(error);
  els.error.textContent = message;
  els.error.hidden = false;
}

function clearMessages(): void {
  els.notice.hidden = true;
  els.error.hidden = true;
  for (const [field, note] of [
    [els.name, els.nameError],
    [els.role, els.roleError],
  ] as const) {
    field.removeAttribute("aria-invalid");
    note.hidden = true;
    note.textContent = "";
  }
}

function fieldError(field: HTMLInputElement | HTMLSelectElement, note: HTMLElement, message: string): void {
  field.setAttribute("aria-invalid", "true");
  note.textContent = message;
  note.hidden = false;
}

// --- formatting ---

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
const absolute = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

function ago(iso: string): string {
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

function timeCell(iso: string | null, style: "relative" | "absolute", never: string): HTMLElement {
  if (!iso) {
    const span = document.createElement("span");
    span.className = "muted";
    span.textContent = never;
    return span;
  }
  const time = document.createElement("time");
  time.dateTime = iso;
  time.title = absolute.format(new Date(iso));
  time.textContent = style === "relative" ? ago(iso) : absolute.format(new Date(iso));
  return time;
}

function roleText(key: ApiKey): string {
  const roleScopes = key.role ? (session?.roles[key.role] ?? []) : [];
  return [...new Set([...roleScopes, ...key.scopes])].join(" ");
}

// --- roles and the create form ---

async function loadRoles(): Promise<void> {
  const roles = await api<string[]>("/roles");
  els.role.replaceChildren();
  const placeholder = new Option("Choose a role…", "");
  els.role.add(placeholder);
  for (const role of roles) {
    const scopes = session?.roles[role];
    els.role.add(new Option(scopes ? `${role} (${scopes.join(", ")})` : role, role));
  }
  els.role.disabled = roles.length === 0;
  if (roles.length === 0) fieldError(els.role, els.roleError, "You may not grant any role, so you cannot create keys.");
}

async function onCreate(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  clearMessages();
  const label = els.name.value.trim();
  const role = els.role.value;
  if (!label) fieldError(els.name, els.nameError, "Give the key a name.");
  if (!role) fieldError(els.role, els.roleError, "Pick a role.");
  if (!label) return els.name.focus();
  if (!role) return els.role.focus();

  els.create.disabled = true;
  try {
    const created = await api<ApiKey & { rawKey: string }>("", { method: "POST", body: { label, role } });
    revealKey(created.label, created.rawKey);
    els.form.reset();
    await selectTab("active");
  } catch (error) {
    if (error instanceof ApiError && error.body?.details) {
      for (const detail of error.body.details) {
        if (detail.field === "label") fieldError(els.name, els.nameError, `Name ${detail.message}.`);
        else if (detail.field === "role") fieldError(els.role, els.roleError, `Role ${detail.message}.`);
        else showError(`${detail.field} ${detail.message}`);
      }
    } else {
      showError(error);
    }
  } finally {
    els.create.disabled = false;
  }
}

// --- the one-time reveal ---

function revealKey(label: string, rawKey: string): void {
  els.revealLabel.textContent = `API key for “${label}”`;
  els.revealKey.value = rawKey;
  els.copy.dataset.state = "idle";
  els.copy.textContent = "Copy";
  els.copyStatus.textContent = "";
  els.reveal.hidden = false;
  els.revealTitle.focus();
}

function dismissReveal(): void {
  els.revealKey.value = "";
  els.copyStatus.textContent = "";
  els.reveal.hidden = true;
  els.name.focus();
}

async function copyKey(): Promise<void> {
  const value = els.revealKey.value;
  if (!value) return;
  let copied = false;
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(value);
      copied = true;
    } catch {
      // no permission: fall back below
    }
  }
  if (!copied) {
    els.revealKey.focus();
    els.revealKey.select();
    try {
      copied = document.execCommand("copy");
    } catch {
      copied = false;
    }
  }
  els.copy.dataset.state = copied ? "copied" : "manual";
  els.copy.textContent = copied ? "Copied" : "Copy";
  els.copyStatus.textContent = copied
    ? "Copied to the clipboard."
    : "Your browser blocked the clipboard: the key is selected, press Ctrl+C (⌘C on a Mac) to copy it.";
}

// --- the list ---

async function selectTab(next: Tab, focus = false): Promise<void> {
  tab = next;
  for (const button of els.tabs) {
    const selected = button.dataset.status === next;
    button.setAttribute("aria-selected", String(selected));
    button.tabIndex = selected ? 0 : -1;
    if (selected) {
      els.panel.setAttribute("aria-labelledby", button.id);
      if (focus) button.focus();
    }
  }
  els.caption.textContent = `${next[0]?.toUpperCase()}${next.slice(1)} keys`;
  await loadKeys(true);
}

async function loadKeys(fresh: boolean): Promise<void> {
  if (fresh) cursor = null;
  const query = new URLSearchParams({ status: tab, limit: "20" });
  if (cursor) query.set("cursor", cursor);
  const page = await api<Page>(`?${query}`);
  if (fresh) els.body.replaceChildren();
  for (const key of page.data) els.body.append(row(key));
  cursor = page.nextCursor;
  els.more.hidden = !cursor;
  const none = els.body.childElementCount === 0;
  els.empty.hidden = !none;
  els.empty.textContent = none ? EMPTY[tab] : "";
}

const EMPTY: Record<Tab, string> = {
  active: "No active keys. Create one above.",
  disabled: "No disabled keys. Disable a key to pause an integration without losing it.",
  revoked: "No revoked keys.",
};

function cell(content: string | Node, className?: string): HTMLTableCellElement {
  const td = document.createElement("td");
  if (className) td.className = className;
  td.append(content);
  return td;
}

/** The key's usage controls in a line: its rate limit, credits left and allowed addresses (empty when it has none). */
function usageText(key: ApiKey): string {
  const parts: string[] = [];
  if (key.ratelimit) parts.push(`${key.ratelimit.limit} requests per ${key.ratelimit.window / 1000} s`);
  if (key.remaining != null) parts.push(`${key.remaining.toLocaleString("en-GB")} credits left`);
  if (key.allowedIps) parts.push(`only from ${key.allowedIps.join(", ")}`);
  return parts.join(" · ");
}

function row(key: ApiKey): HTMLTableRowElement {
  const tr = document.createElement("tr");
  tr.dataset.keyId = key.id;

  const name = document.createElement("th");
  name.scope = "row";
  name.textContent = key.label;

  const masked = document.createElement("code");
  masked.textContent = `${key.keyPrefix}…${key.last4}`;
  masked.title = "Only the start and the last four characters are kept for display";

  const role = document.createElement("span");
  const badge = document.createElement("span");
  badge.className = "badge";
  badge.textContent = key.role ?? "custom";
  const scopes = document.createElement("span");
  scopes.className = "scopes";
  scopes.textContent = roleText(key);
  role.append(badge, " ", scopes);
  const usage = usageText(key);
  if (usage) {
    const line = document.createElement("span");
    line.className = "usage muted";
    line.textContent = usage;
    role.append(document.createElement("br"), line);
  }

  const status = document.createElement("span");
  status.className = `status status-${key.status}`;
  status.textContent = key.status;

  const actions = document.createElement("td");
  actions.className = "actions";
  if (key.status === "active") actions.append(actionButton("Disable", key, () => transition(key, "disable")));
  if (key.status === "disabled") actions.append(actionButton("Enable", key, () => transition(key, "enable")));
  if (key.status === "active" || key.status === "disabled") {
    const revoke = actionButton("Revoke…", key, () => confirmRevoke(key));
    revoke.classList.add("danger-outline");
    actions.append(revoke);
  }

  const createdBy = key.createdBy ? (session?.people[key.createdBy] ?? key.createdBy) : "server";
  tr.append(
    name,
    cell(masked, "mono"),
    cell(role),
    cell(createdBy),
    cell(timeCell(key.createdAt, "absolute", "")),
    cell(timeCell(key.lastUsedAt, "relative", "Never"), "last-used"),
    cell(status),
    actions,
  );
  return tr;
}

function actionButton(text: string, key: ApiKey, onClick: () => void): HTMLButtonElement {
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = text;
  button.setAttribute("aria-label", `${text.replace("…", "")} “${key.label}”`);
  button.addEventListener("click", onClick);
  return button;
}

async function transition(key: ApiKey, action: "disable" | "enable" | "revoke"): Promise<void> {
  clearMessages();
  try {
    await api<ApiKey>(`/${encodeURIComponent(key.id)}/${action}`, { method: "POST" });
    await loadKeys(true);
    const where = { disable: "It is in the Disabled tab; enable it there at any time.", enable: "It works again.", revoke: "" };
    showNotice(`“${key.label}” ${action}d. ${where[action]}`.trim());
  } catch (error) {
    showError(error);
  }
}

function confirmRevoke(key: ApiKey): void {
  revoking = key;
  els.revokeName.textContent = `“${key.label}”`;
  els.revokePrefix.textContent = `${key.keyPrefix}…${key.last4}`;
  els.dialog.returnValue = "";
  els.dialog.showModal();
}

function onDialogClose(): void {
  const key = revoking;
  revoking = null;
  if (key && els.dialog.returnValue === "revoke") void transition(key, "revoke");
}

function onTabKey(event: KeyboardEvent): void {
  const index = els.tabs.indexOf(event.currentTarget as HTMLButtonElement);
  const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
  if (step === 0) return;
  event.preventDefault();
  const next = els.tabs[(index + step + els.tabs.length) % els.tabs.length];
  if (next?.dataset.status) void selectTab(next.dataset.status as Tab, true).catch(showError);
}

// --- start ---

async function start(): Promise<void> {
  els.form.addEventListener("submit", (event) => void onCreate(event));
  els.copy.addEventListener("click", () => void copyKey());
  els.revealDone.addEventListener("click", dismissReveal);
  els.refresh.addEventListener("click", () => void loadKeys(true).catch(showError));
  els.more.addEventListener("click", () => void loadKeys(false).catch(showError));
  els.dialog.addEventListener("close", onDialogClose);
  for (const button of els.tabs) {
    button.addEventListener("click", () => void selectTab(button.dataset.status as Tab).catch(showError));
    button.addEventListener("keydown", onTabKey);
  }

  const res = await fetch("/session", { credentials: "same-origin" });
  if (!res.ok) throw new ApiError(res.status, null);
  session = (await res.json()) as Session;
  els.who.textContent = `${session.user.name} · ${session.role ?? "no role"} · ${session.owner} (demo session)`;
  await Promise.all([loadRoles(), selectTab("active")]);
  document.body.dataset.ready = "true";
}

start().catch(showError);
