import type { Context } from "hono";
import { BodyTooLargeError } from "keyward/http";
import { readRequestBytes, readRequestText } from "../shared/web-body.js";

/**
 * Reads the request body as text, refusing more than `limit` bytes before
 * buffering them. When a middleware or validator already read the body
 * through Hono (`c.req.json()`, `c.req.text()`), Hono's cached copy is used.
 * Web streams only, so it runs on every runtime Hono runs on.
 */
export async function readText(c: Context, limit: number): Promise<string> {
  const req = c.req.raw;
  if (Number(req.headers.get("content-length")) > limit) throw new BodyTooLargeError();
  if (Object.keys(c.req.bodyCache).length > 0) return c.req.text();
  return readRequestText(req, limit);
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
  return readRequestBytes(req, limit);
}
