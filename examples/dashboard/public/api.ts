/**
 * The page's types and its one way to the server: the management API
 * (`apiKeyRoutes` at /settings/api-keys), /session and the demo's /audit.
 */
import type { ApiKey } from "keyward";

export type Tab = "active" | "disabled" | "expired" | "revoked";

/**
 * Usage control (credits, rate limit, IP allowlist). Read as optional: a
 * server without usage control sends none of them.
 */
export interface UsageFields {
  remaining?: number | null;
  ratelimit?: { limit: number; window: number } | null;
  allowedIps?: string[] | null;
}

export type Key = ApiKey & UsageFields;

export interface Session {
  user: { id: string; name: string };
  role: string | null;
  owner: string;
  roles: Record<string, string[]>;
  people: Record<string, string>;
  features?: { usage?: boolean };
}

/** From the demo's audit trail: who revoked a key, and whether it was reported leaked. */
export interface AuditEntry {
  revokedBy?: string | null;
  leaked?: boolean;
}

export interface KeyPage {
  data: Key[];
  nextCursor: string | null;
}

export type Created = Key & { rawKey: string };

interface ErrorBody {
  message?: string;
  details?: { field: string; message: string }[];
}

const API = "/settings/api-keys";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody | null,
  ) {
    super(body?.message ?? `Request failed (${status})`);
  }

  /** The 422 message for `field`, if the server named it. */
  detail(field: string): string | undefined {
    return this.body?.details?.find((d) => d.field === field)?.message;
  }
}

async function call<T>(url: string, init: { method?: string; body?: unknown }): Promise<T> {
  const method = init.method ?? "GET";
  const res = await fetch(url, {
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

/** A management API call: `path` is relative to /settings/api-keys. */
export function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  return call<T>(API + path, init);
}

/** A management API call on one key, e.g. `onKey(key, "/rotate", { method: "POST" })`. */
export function onKey<T>(key: ApiKey, path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  return api<T>(`/${encodeURIComponent(key.id)}${path}`, init);
}

export const getSession = (): Promise<Session> => call<Session>("/session", {});
export const getAudit = (): Promise<Record<string, AuditEntry>> => call<Record<string, AuditEntry>>("/audit", {});

export function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from the page`);
  return el as T;
}

/** Marks a field invalid and shows `message` in its linked error note. */
export function fieldError(field: HTMLElement, note: HTMLElement, message: string): void {
  field.setAttribute("aria-invalid", "true");
  note.textContent = message;
  note.hidden = false;
}

export function clearFieldError(field: HTMLElement, note: HTMLElement): void {
  field.removeAttribute("aria-invalid");
  note.hidden = true;
  note.textContent = "";
}
