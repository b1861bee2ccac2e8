import type { ListAfter } from "./store.js";
import type { KeyRecord } from "./types.js";

/** Opaque list cursor: base64url of `<createdAt>.<id>`. */
export function encodeCursor(record: Pick<KeyRecord, "createdAt" | "id">): string {
  return btoa(`${record.createdAt}.${encodeURIComponent(record.id)}`)
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replaceAll("=", "");
}

/** The position a cursor names, or null when it is not one keyward made. */
export function decodeCursor(cursor: string): ListAfter | null {
  if (typeof cursor !== "string" || cursor.length > 400 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  let text: string;
  try {
    text = atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));
  } catch {
    return null;
  }
  const dot = text.indexOf(".");
  const createdAt = Number(text.slice(0, dot));
  let id: string;
  try {
    id = decodeURIComponent(text.slice(dot + 1));
  } catch {
    return null;
  }
  if (dot < 1 || !Number.isSafeInteger(createdAt) || id === "") return null;
  return { createdAt, id };
}
