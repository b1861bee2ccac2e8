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

/**
 * The client's address as the runtime hands it to a fetch handler: Node's
 * socket through `@hono/node-server` (`{ incoming }`), Bun's
 * `server.requestIP(request)`, Deno's `info.remoteAddr`; undefined elsewhere.
 */
export function runtimeAddress(request: Request, server: unknown): string | undefined {
  if (server === null || typeof server !== "object") return undefined;
  const s = server as {
    incoming?: { socket?: { remoteAddress?: unknown } };
    requestIP?: (request: Request) => { address?: unknown } | null;
    remoteAddr?: { hostname?: unknown };
  };
  try {
    const address =
      s.incoming?.socket?.remoteAddress ??
      (typeof s.requestIP === "function" ? s.requestIP(request)?.address : undefined) ??
      s.remoteAddr?.hostname;
    return typeof address === "string" ? address : undefined;
  } catch {
    return undefined;
  }
}
