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
  const target = name.toLowerCase();
  const raw = rawHeadersOf(request);
  if (raw) {
    const out: string[] = [];
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const key = raw[i] as string;
      if (key.length === target.length && key.toLowerCase() === target) out.push(raw[i + 1] as string);
    }
    return out;
  }
  const headers = fetchHeadersOf(request);
  if (headers) {
    const value = headers.get(target);
    return value === null ? [] : [value];
  }
  return [];
}

type HeadersLike = { get(name: string): string | null };

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
