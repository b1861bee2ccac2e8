/**
 * The headers of one request, read from the framework's own raw form.
 *
 * @example
 * ```ts
 * const headers: RequestHeaders = requestHeaders(req); // Node IncomingMessage, Koa ctx, Hono c, Request
 * headers.values("authorization"); // ["Bearer cho_…"]
 * headers.names(); // ["host", "authorization", "content-type", …]
 * ```
 */
export interface RequestHeaders {
  /**
   * Every value of header `name` (any case), in order. From Node's
   * `rawHeaders` a doubled header is two values; a Fetch `Headers` joins it
   * into one comma-separated value.
   */
  values(name: string): string[];
  /** The name of every header the request carries, lowercased, each once. */
  names(): string[];
}

/**
 * Reads the headers of a framework request: Node's `rawHeaders` where
 * available (Express `req`, Koa `ctx`/`ctx.req`, the `IncomingMessage` under
 * Hono on `@hono/node-server`), so a doubled header is seen as two values
 * even where Node would keep only the first; a Fetch `Headers` otherwise
 * (Hono `c`, `Request`). A request with neither reads as having no headers.
 *
 * @example
 * ```ts
 * const headers = requestHeaders(ctx.req);
 * const answer = await handle({ ...request, headers });
 * ```
 */
export function requestHeaders(request: unknown): RequestHeaders {
  const raw = rawHeadersOf(request);
  if (raw) return nodeHeaders(raw);
  const headers = fetchHeadersOf(request);
  return headers ? fetchHeaders(headers) : NO_HEADERS;
}

/**
 * Every value of header `name` on a framework request, in order: Node's
 * `rawHeaders` where available (Express `req`, Koa `ctx`/`ctx.req`), so a
 * doubled header is seen as two values even where Node would keep only the
 * first; a Fetch `Headers` otherwise (Hono `c`, `Request`), where doubled
 * headers arrive comma-joined.
 *
 * @example
 * ```ts
 * headerValues(req, "authorization"); // ["Bearer cho_…"]
 * ```
 */
export function headerValues(request: unknown, name: string): string[] {
  return requestHeaders(request).values(name);
}

const NO_HEADERS: RequestHeaders = Object.freeze({ values: () => [], names: () => [] });

function nodeHeaders(raw: readonly string[]): RequestHeaders {
  return {
    values(name) {
      const target = name.toLowerCase();
      const out: string[] = [];
      for (let i = 0; i + 1 < raw.length; i += 2) {
        const key = raw[i] as string;
        if (key.length === target.length && key.toLowerCase() === target) out.push(raw[i + 1] as string);
      }
      return out;
    },
    names() {
      const out = new Set<string>();
      for (let i = 0; i + 1 < raw.length; i += 2) out.add((raw[i] as string).toLowerCase());
      return [...out];
    },
  };
}

function fetchHeaders(headers: HeadersLike): RequestHeaders {
  return {
    values(name) {
      const value = headers.get(name.toLowerCase());
      return value === null ? [] : [value];
    },
    names() {
      const out = new Set<string>();
      headers.forEach?.((_value, key) => {
        out.add(key.toLowerCase());
      });
      return [...out];
    },
  };
}

type HeadersLike = {
  get(name: string): string | null;
  forEach?(callback: (value: string, key: string) => void): void;
};

function rawHeadersOf(request: unknown): string[] | undefined {
  const r = request as { rawHeaders?: unknown; req?: { rawHeaders?: unknown } } | null;
  if (!r || typeof r !== "object") return undefined;
  if (Array.isArray(r.rawHeaders)) return r.rawHeaders as string[];
  if (r.req && Array.isArray(r.req.rawHeaders)) return r.req.rawHeaders as string[];
  return undefined;
}

function fetchHeadersOf(request: unknown): HeadersLike | undefined {
  const r = request as { headers?: unknown; req?: { raw?: { headers?: unknown } }; raw?: { headers?: unknown } } | null;
  if (!r || typeof r !== "object") return undefined;
  for (const h of [r.req?.raw?.headers, r.raw?.headers, r.headers]) {
    if (h && typeof (h as HeadersLike).get === "function") return h as HeadersLike;
  }
  return undefined;
}
