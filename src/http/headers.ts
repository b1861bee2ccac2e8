/**
 * Every value of request header `name` (any case), in order; empty when the
 * header is absent. What an adapter hands `keyward/http` for each request.
 *
 * @example
 * ```ts
 * const header: HeaderReader = headersFromRaw(req.rawHeaders).values;
 * header("authorization"); // ["Bearer cho_…"], or two values when the header was sent twice
 * ```
 */
export type HeaderReader = (name: string) => readonly string[];

/**
 * The headers of one request, read from the framework's own raw form.
 *
 * @example
 * ```ts
 * const headers: RequestHeaders = headersFromRaw(req.rawHeaders); // Node, Express, Koa (ctx.req)
 * headers.values("authorization"); // ["Bearer cho_…"]
 * headers.names(); // ["host", "authorization", "content-type", …]
 * ```
 */
export interface RequestHeaders {
  /**
   * Every value of header `name` (any case), in order. From Node's
   * `rawHeaders` a doubled header is two values; a Fetch `Headers` joins it
   * into one comma-separated value. A plain function: it may be passed on
   * alone (`auth.authenticate(headers.values, path)`).
   */
  readonly values: HeaderReader;
  /** The name of every header the request carries, lowercased, each once. */
  names(): readonly string[];
}

/**
 * The headers of a request from Node's `rawHeaders` (`[name, value, name,
 * value, …]`, as `IncomingMessage.rawHeaders` holds them): a header sent
 * twice is two values, even where Node's `headers` object keeps only the
 * first. Express `req.rawHeaders`, Koa `ctx.req.rawHeaders`, and Hono on
 * `@hono/node-server` (`c.env.incoming.rawHeaders`).
 *
 * @example
 * ```ts
 * const headers = headersFromRaw(req.rawHeaders);
 * headers.values("x-api-key"); // ["cho_…", "cho_…"] when sent twice
 * ```
 */
export function headersFromRaw(rawHeaders: readonly string[]): RequestHeaders {
  return {
    values(name) {
      const out: string[] = [];
      const length = name.length;
      let target: string | undefined;
      for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
        const key = rawHeaders[i] as string;
        if (key.length !== length) continue;
        target ??= name.toLowerCase();
        if (key === target || key.toLowerCase() === target) out.push(rawHeaders[i + 1] as string);
      }
      return out;
    },
    names() {
      const out = new Set<string>();
      for (let i = 0; i + 1 < rawHeaders.length; i += 2) out.add((rawHeaders[i] as string).toLowerCase());
      return [...out];
    },
  };
}

/**
 * The part of a Fetch `Headers` that {@link headersFromFetch} reads.
 *
 * @example
 * ```ts
 * const headers: FetchHeaders = request.headers; // a Request's Headers
 * ```
 */
export interface FetchHeaders {
  /** The value of header `name` (values of a doubled header comma-joined), or null. */
  get(name: string): string | null;
  /** Calls `callback` with each header's value and lowercased name. */
  forEach(callback: (value: string, key: string) => void): void;
}

/**
 * The headers of a request from a Fetch `Headers` (`request.headers`; Hono
 * `c.req.raw.headers` off Node). A header sent twice arrives as one
 * comma-joined value, which `keyward/http` refuses as two credentials.
 *
 * @example
 * ```ts
 * const headers = headersFromFetch(request.headers);
 * headers.values("authorization"); // ["Bearer cho_…"]
 * ```
 */
export function headersFromFetch(headers: FetchHeaders): RequestHeaders {
  return {
    values(name) {
      const value = headers.get(name.toLowerCase());
      return value === null ? [] : [value];
    },
    names() {
      const out = new Set<string>();
      headers.forEach((_value, key) => {
        out.add(key.toLowerCase());
      });
      return [...out];
    },
  };
}

/**
 * The headers of a request in a standard shape — a Node `IncomingMessage`
 * (its `rawHeaders`), a Fetch `Request` or a Fetch `Headers` — or undefined
 * for anything else (framework objects included: an adapter knows its own
 * framework and builds the reader itself).
 */
export function standardHeaders(request: unknown): RequestHeaders | undefined {
  if (request === null || typeof request !== "object") return undefined;
  const r = request as { rawHeaders?: unknown; headers?: unknown };
  if (Array.isArray(r.rawHeaders)) return headersFromRaw(r.rawHeaders as string[]);
  if (isFetchHeaders(request)) return headersFromFetch(request);
  if (isFetchHeaders(r.headers)) return headersFromFetch(r.headers);
  return undefined;
}

function isFetchHeaders(value: unknown): value is FetchHeaders {
  const h = value as Partial<FetchHeaders> | null;
  return h !== null && typeof h === "object" && typeof h.get === "function" && typeof h.forEach === "function";
}

/**
 * Every value of header `name` on a request in a standard shape: a Node
 * `IncomingMessage` (Express `req`, Koa `ctx.req`), read from `rawHeaders`
 * so a doubled header is two values, or a Fetch `Request` or `Headers`
 * (Hono `c.req.raw`), where a doubled header arrives comma-joined. Throws a
 * `TypeError` for anything else.
 *
 * @deprecated An actor resolver gets the request's headers as its second
 * argument (`(req, context) => context.header("authorization")`), on every
 * adapter; an adapter builds them with {@link headersFromRaw} or
 * {@link headersFromFetch}. This function no longer reads framework objects
 * (Koa `ctx`, Hono `c`).
 *
 * @example
 * ```ts
 * headerValues(req, "authorization"); // ["Bearer cho_…"] (Express `req`, a node:http request)
 * headerValues(c.req.raw, "authorization"); // Hono: its Fetch Request
 * ```
 */
export function headerValues(request: unknown, name: string): string[] {
  const headers = standardHeaders(request);
  if (!headers) {
    throw new TypeError(
      "headerValues: pass a Node IncomingMessage (Koa: ctx.req), a Fetch Request (Hono: c.req.raw) or Headers; " +
        "an actor resolver reads headers from its second argument: (req, context) => context.header(name)",
    );
  }
  return [...headers.values(name)];
}
