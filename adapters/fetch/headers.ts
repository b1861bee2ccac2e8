import { headersFromFetch, headersFromRaw, type RequestHeaders } from "keyward/http";

/**
 * The headers of a Fetch request. Served on Node by `@hono/node-server`, a
 * handler's second argument holds the incoming message (`{ incoming }`): its
 * `rawHeaders` are read, so a doubled header is two values exactly as in the
 * Express, Koa and Fastify adapters. Elsewhere (Bun, Deno, Workers, Next.js)
 * the `Request`'s own `Headers`, where a doubled header arrives comma-joined
 * (and is refused as such).
 */
export function requestHeaders(request: Request, server: unknown): RequestHeaders {
  const incoming = (server as { incoming?: { rawHeaders?: unknown } } | null | undefined)?.incoming;
  return incoming && Array.isArray(incoming.rawHeaders)
    ? headersFromRaw(incoming.rawHeaders as string[])
    : headersFromFetch(request.headers);
}
