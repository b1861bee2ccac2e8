/** Internal to the framework adapters (not a public entry): small request and response helpers. */

/** The content type of every answer the adapters write. */
export const JSON_TYPE = "application/json; charset=utf-8";

/**
 * The pathname of a request target (`/a/b?x=1` → `/a/b`), as sent (not
 * decoded). An absolute-form target (`http://host/a/b?x=1`, RFC 9112
 * §3.2.2), which Node passes through in `req.url`, gives its path alone.
 */
export function pathOf(url: string): string {
  let start = 0;
  if (url.charCodeAt(0) !== 47) {
    const scheme = url.indexOf("://");
    if (scheme !== -1) {
      let end = scheme + 3;
      while (end < url.length && url[end] !== "/" && url[end] !== "?" && url[end] !== "#") end++;
      if (url[end] !== "/") return "/";
      start = end;
    }
  }
  const q = url.indexOf("?", start);
  return q === -1 ? url.slice(start) : url.slice(start, q);
}

/** The query string of a request target, without `?`. */
export function queryOf(url: string): string {
  const q = url.indexOf("?");
  return q === -1 ? "" : url.slice(q + 1);
}

/** Concatenates body chunks of `size` bytes in all. */
export function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1 && (chunks[0] as Uint8Array).byteLength === size) return chunks[0] as Uint8Array;
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * Throws a `TypeError` at configuration time unless `keyward` looks like a
 * keyward instance (checked structurally, so two copies of the package still work).
 */
export function assertKeyward(keyward: unknown, where: string): void {
  const kw = keyward as { verify?: unknown; create?: unknown } | null;
  if (!kw || typeof kw.verify !== "function" || typeof kw.create !== "function") {
    throw new TypeError(`${where}: the first argument must be a keyward instance (createKeyward(...))`);
  }
}
