import type { Context } from "hono";
import { headersFromFetch, headersFromRaw, type RequestHeaders } from "keyward/http";

/**
 * The headers of a Hono request: on Node (`@hono/node-server`) from the
 * incoming message's `rawHeaders`, so a doubled header is two values exactly
 * as in the Express and Koa adapters; elsewhere from the Fetch `Headers` of
 * `c.req.raw`, where a doubled header arrives comma-joined (and is refused
 * as such).
 */
export function honoHeaders(c: Context): RequestHeaders {
  const incoming = (c.env as { incoming?: { rawHeaders?: unknown } } | undefined)?.incoming;
  return incoming && Array.isArray(incoming.rawHeaders)
    ? headersFromRaw(incoming.rawHeaders as string[])
    : headersFromFetch(c.req.raw.headers);
}
