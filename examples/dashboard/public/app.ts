/**
 * The dashboard page script: plain DOM, no framework. The server compiles
 * each module of public/ to /<name>.js at startup; the browser loads them as
 * ES modules. It talks only to the management API (`apiKeyRoutes` at
 * /settings/api-keys), /session and the demo's /audit.
 *
 * The raw key exists in exactly one place: the value of the one-time reveal
 * field. It is never rendered into the list, stored, or logged, and the
 * field is emptied when the panel is dismissed.
 */
import {
  $,
  ApiError,
  type AuditEntry,
  api,
  type Created,
  clearFieldError,
  fieldError,
  getAudit,
  getSession,
  type Key,
  type KeyPage,
  onKey,
  type Session,
  type Tab,
} from "./api.js";
import { openRename, openRestrict, openRevoke, openRotate, setupDialogs } from "./dialogs.js";
import { expiryFromChoice, formatTime } from "./format.js";
import { type Action, keyRow, type RowContext } from "./rows.js";

const els = {
  who: $("who"),
  notice: $("notice"),
  error: $("error"),
  form: $<HTMLFormElement>("create-form"),
  name: $<HTMLInputElement>("key-name"),
  nameError: $("key-name-error"),
  role: $<HTMLSelectElement>("key-role"),
  roleError: $("key-role-error"),
  expiry: $<HTMLSelectElement>("key-expiry"),
  expiryDate: $<HTMLInputElement>("key-expiry-date"),
  expiryDateField: $("key-expiry-date-field"),
  expiryError: $("key-expiry-error"),
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
};

let session: Session | null = null;
let audit: Record<string, AuditEntry> = {};
let tab: Tab = "active";
let cursor: string | null = null;

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
  clearFieldError(els.name, els.nameError);
  clearFieldError(els.role, els.roleError);
  clearFieldError(els.expiry, els.expiryError);
  clearFieldError(els.expiryDate, els.expiryError);
}

// --- roles and the create form ---

async function loadRoles(): Promise<void> {
  const roles = await api<string[]>("/roles");
  els.role.replaceChildren(new Option("Choose a role…", ""));
  for (const role of roles) {
    const scopes = session?.roles[role];
    els.role.add(new Option(scopes ? `${role} (${scopes.join(", ")})` : role, role));
  }
  els.role.disabled = roles.length === 0;
  if (roles.length === 0) fieldError(els.role, els.roleError, "You may not grant any role, so you cannot create keys.");
}

function onExpiryChoice(): void {
  const custom = els.expiry.value === "custom";
  els.expiryDateField.hidden = !custom;
  const tomorrow = new Date(Date.now() + 86_400_000);
  els.expiryDate.min = `${tomorrow.getFullYear()}-${String(tomorrow.getMonth() + 1).padStart(2, "0")}-${String(tomorrow.getDate()).padStart(2, "0")}`;
  if (custom) els.expiryDate.focus();
}

async function onCreate(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  clearMessages();
  const label = els.name.value.trim();
  const role = els.role.value;
  const expiresAt = expiryFromChoice(els.expiry.value, els.expiryDate.value);
  if (!label) fieldError(els.name, els.nameError, "Give the key a name.");
  if (!role) fieldError(els.role, els.roleError, "Pick a role.");
  if (expiresAt === undefined) fieldError(els.expiryDate, els.expiryError, "Pick the day the key stops working.");
  if (!label) return els.name.focus();
  if (!role) return els.role.focus();
  if (expiresAt === undefined) return els.expiryDate.focus();

  els.create.disabled = true;
  try {
    const created = await api<Created>("", { method: "POST", body: { label, role, expiresAt } });
    revealKey(`API key for “${created.label}”`, created.rawKey);
    els.form.reset();
    onExpiryChoice();
    await selectTab("active");
  } catch (error) {
    if (!(error instanceof ApiError && error.body?.details)) return showError(error);
    for (const { field, message } of error.body.details) {
      if (field === "label") fieldError(els.name, els.nameError, `Name ${message}.`);
      else if (field === "role") fieldError(els.role, els.roleError, `Role ${message}.`);
      else if (field === "expiresAt") {
        const target = els.expiry.value === "custom" ? els.expiryDate : els.expiry;
        fieldError(target, els.expiryError, `Expiry date ${message}.`);
      } else showError(`${field} ${message}`);
    }
  } finally {
    els.create.disabled = false;
  }
}

// --- the one-time reveal ---

function revealKey(label: string, rawKey: string, title = "Copy your new key now"): void {
  els.revealTitle.textContent = title;
  els.revealLabel.textContent = label;
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

const EMPTY: Record<Tab, string> = {
  active: "No active keys. Create one above.",
  disabled: "No disabled keys. Disable a key to pause an integration without losing it.",
  expired: "No expired keys. A key expires at its expiry date, or when the grace period of a rotation ends.",
  revoked: "No revoked keys.",
};

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

const rowContext: RowContext = {
  get session() {
    return session;
  },
  get audit() {
    return audit;
  },
  onAction,
};

async function loadKeys(fresh: boolean): Promise<void> {
  if (fresh) cursor = null;
  const query = new URLSearchParams({ status: tab, limit: "20" });
  if (cursor) query.set("cursor", cursor);
  const [page, trail] = await Promise.all([api<KeyPage>(`?${query}`), getAudit()]);
  audit = trail;
  if (fresh) els.body.replaceChildren();
  for (const key of page.data) els.body.append(keyRow(rowContext, key));
  cursor = page.nextCursor;
  els.more.hidden = !cursor;
  const none = els.body.childElementCount === 0;
  els.empty.hidden = !none;
  els.empty.textContent = none ? EMPTY[tab] : "";
}

function onAction(action: Action, key: Key): void {
  clearMessages();
  if (action === "rename") openRename(key);
  else if (action === "rotate") openRotate(key);
  else if (action === "restrict") openRestrict(key);
  else if (action === "revoke") openRevoke(key);
  else void transition(key, action);
}

async function transition(key: Key, action: "disable" | "enable" | "revoke"): Promise<void> {
  clearMessages();
  try {
    await onKey<Key>(key, `/${action}`, { method: "POST" });
    await loadKeys(true);
    const where = {
      disable: "It is in the Disabled tab; enable it there at any time.",
      enable: "It works again.",
      revoke: "It is in the Revoked tab.",
    };
    showNotice(`“${key.label}” ${action}d. ${where[action]}`);
  } catch (error) {
    showError(error);
  }
}

const handlers = {
  async renamed(key: Key) {
    await loadKeys(true);
    showNotice(`Renamed to “${key.label}”.`);
  },
  async rotated(old: Key, created: Created, grace: number) {
    revealKey(`New API key for “${created.label}”`, created.rawKey, "Copy the new key now");
    await loadKeys(true);
    showNotice(
      grace > 0
        ? `“${old.label}” rotated. The old key keeps working until ${formatTime(new Date(Date.now() + grace).toISOString())}.`
        : `“${old.label}” rotated. The old key stopped working; it is in the Expired tab.`,
    );
  },
  async restricted(key: Key) {
    await loadKeys(true);
    showNotice(`“${key.label}” now accepts requests only from the listed addresses.`);
  },
  revoke(key: Key) {
    void transition(key, "revoke");
  },
};

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
  els.expiry.addEventListener("change", onExpiryChoice);
  els.copy.addEventListener("click", () => void copyKey());
  els.revealDone.addEventListener("click", dismissReveal);
  els.refresh.addEventListener("click", () => void loadKeys(true).catch(showError));
  els.more.addEventListener("click", () => void loadKeys(false).catch(showError));
  setupDialogs(handlers);
  for (const button of els.tabs) {
    button.addEventListener("click", () => void selectTab(button.dataset.status as Tab).catch(showError));
    button.addEventListener("keydown", onTabKey);
  }

  session = await getSession();
  els.who.textContent = `${session.user.name} · ${session.role ?? "no role"} · ${session.owner} (demo session)`;
  await Promise.all([loadRoles(), selectTab("active")]);
  document.body.dataset.ready = "true";
}

start().catch(showError);
