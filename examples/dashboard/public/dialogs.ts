/**
 * The dialogs that change one key: rename, rotate, restrict IPs, revoke.
 * Each is a native modal `<dialog>`; a 422 is shown on its field and the
 * dialog stays open, so nothing typed is lost.
 */
import { $, ApiError, type Created, clearFieldError, fieldError, type Key, onKey } from "./api.js";

export interface DialogHandlers {
  renamed(key: Key): Promise<void>;
  rotated(old: Key, created: Created, grace: number): Promise<void>;
  restricted(key: Key): Promise<void>;
  revoke(key: Key): void;
}

interface FormDialog {
  dialog: HTMLDialogElement;
  field: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
  error: HTMLElement;
  /** The field the server's 422 `details` name for `field`. */
  apiField: string;
  submit(key: Key): Promise<void>;
}

let current: Key | null = null;

/** Wires a dialog's form: submit runs `submit`, Cancel closes, errors stay on the field. */
function wire(d: FormDialog): void {
  const form = d.dialog.querySelector("form") as HTMLFormElement;
  const confirm = form.querySelector<HTMLButtonElement>('button[type="submit"]') as HTMLButtonElement;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const key = current;
    if (!key) return;
    clearFieldError(d.field, d.error);
    confirm.disabled = true;
    d.submit(key)
      .then(() => d.dialog.close())
      .catch((error: unknown) => {
        const detail = error instanceof ApiError ? error.detail(d.apiField) : undefined;
        const message = detail
          ? `${FIELD_NAMES[d.apiField] ?? d.apiField} ${detail}.`
          : error instanceof ApiError && error.status === 401
            ? "Your session has ended. Reload the page to sign in again."
            : error instanceof Error
              ? error.message
              : String(error);
        fieldError(d.field, d.error, message);
        d.field.focus();
      })
      .finally(() => {
        confirm.disabled = false;
      });
  });
  form.querySelector(".cancel")?.addEventListener("click", () => d.dialog.close());
  d.dialog.addEventListener("close", () => {
    current = null;
    clearFieldError(d.field, d.error);
  });
}

const FIELD_NAMES: Record<string, string> = { label: "Name", gracePeriod: "Grace period", allowedIps: "IP list" };

const rename = {
  dialog: $<HTMLDialogElement>("rename-dialog"),
  field: $<HTMLInputElement>("rename-input"),
  error: $("rename-error"),
};
const rotate = {
  dialog: $<HTMLDialogElement>("rotate-dialog"),
  field: $<HTMLSelectElement>("rotate-grace"),
  error: $("rotate-grace-error"),
  name: $("rotate-name"),
};
const restrict = {
  dialog: $<HTMLDialogElement>("restrict-dialog"),
  field: $<HTMLTextAreaElement>("restrict-ips"),
  error: $("restrict-error"),
  name: $("restrict-name"),
};
const revoke = {
  dialog: $<HTMLDialogElement>("revoke-dialog"),
  name: $("revoke-name"),
  prefix: $("revoke-prefix"),
};

export function setupDialogs(handlers: DialogHandlers): void {
  wire({
    ...rename,
    apiField: "label",
    async submit(key) {
      // sent as typed: the server trims it and answers 422 for a blank or overlong name
      const updated = await onKey<Key>(key, "", { method: "PATCH", body: { label: rename.field.value } });
      await handlers.renamed(updated);
    },
  });
  wire({
    ...rotate,
    apiField: "gracePeriod",
    async submit(key) {
      const grace = Number(rotate.field.value);
      const created = await onKey<Created>(key, "/rotate", { method: "POST", body: { gracePeriod: grace } });
      await handlers.rotated(key, created, grace);
    },
  });
  wire({
    ...restrict,
    apiField: "allowedIps",
    async submit(key) {
      const allowedIps = restrict.field.value.split(/[\s,]+/).filter(Boolean);
      const updated = await onKey<Key>(key, "", { method: "PATCH", body: { allowedIps } });
      await handlers.restricted(updated);
    },
  });
  revoke.dialog.addEventListener("close", () => {
    const key = current;
    current = null;
    if (key && revoke.dialog.returnValue === "revoke") handlers.revoke(key);
  });
}

export function openRename(key: Key): void {
  current = key;
  rename.field.value = key.label;
  rename.dialog.showModal();
  rename.field.select();
}

export function openRotate(key: Key): void {
  current = key;
  rotate.name.textContent = `“${key.label}”`;
  rotate.dialog.showModal();
}

export function openRestrict(key: Key): void {
  current = key;
  restrict.name.textContent = `“${key.label}”`;
  restrict.field.value = (key.allowedIps ?? []).join("\n");
  restrict.dialog.showModal();
}

export function openRevoke(key: Key): void {
  current = key;
  revoke.name.textContent = `“${key.label}”`;
  revoke.prefix.textContent = `${key.keyPrefix}…${key.last4}`;
  revoke.dialog.returnValue = "";
  revoke.dialog.showModal();
}
