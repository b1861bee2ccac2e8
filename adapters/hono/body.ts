import type { Context } from "hono";
import { BodyTooLargeError, MalformedBodyError } from "keyward/http";
import { concat } from "../shared/http.js";

/**
 * Reads the request body as text, refusing more than `limit` bytes before
 * buffering them. When a middleware or validator already read the body
 * through Hono (`c.req.json()`, `c.req.text()`), Hono's cached copy is used.
 * Web streams only, so it runs on every runtime Hono runs on.
 */
export async function readText(c: Context, limit: number): Promise<string> {
  if (Object.keys(c.req.bodyCache).length > 0) {
    if (Number(c.req.raw.headers.get("content-length")) > limit) throw new BodyTooLargeError();
    return c.req.text();
  }
  return new TextDecoder().decode(await readBytes(c, limit));
}

/**
 * Reads the raw request body bytes, refusing more than `limit` bytes before
 * buffering them (for a handler that checks a signature over them). When
 * the body was already read through Hono, its cached raw bytes are used.
 */
export async function readBytes(c: Context, limit: number): Promise<Uint8Array> {
  const req = c.req.raw;
  if (Number(req.headers.get("content-length")) > limit) throw new BodyTooLargeError();
  if (Object.keys(c.req.bodyCache).length > 0) return new Uint8Array(await c.req.arrayBuffer());
  if (req.bodyUsed) throw new MalformedBodyError("The request body was already consumed");
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      reader.releaseLock();
      throw new BodyTooLargeError();
    }
    chunks.push(value);
  }
  return concat(chunks, size);
}
