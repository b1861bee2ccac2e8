import type { Context } from "hono";
import { BodyTooLargeError } from "keyward/http";
import { readRequestText } from "../shared/web-body.js";

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
