import type { RequestHeaders } from "./headers.js";

/**
 * Cross-site request forgery guard of the management API. A browser sends a
 * cross-site request without asking the server first (no CORS preflight)
 * only when it is a "simple request": method GET, HEAD or POST; no header a
 * script set other than the CORS-safelisted ones; a `Content-Type` that is
 * absent or one of `application/x-www-form-urlencoded`, `multipart/form-data`,
 * `text/plain`. Such a request carries the victim's cookies, so a POST that
 * could be one is refused. A JSON media type or a header outside the lists
 * below proves the request was not simple (or was allowed by CORS).
 */

/** Headers a cross-site simple request may carry: CORS-safelisted, set by the browser itself, or added on the way by proxies, CDNs and tracing. */
const SIMPLE_HEADERS = new Set([
  // CORS-safelisted request headers
  "accept",
  "accept-language",
  "content-language",
  "content-type",
  "range",
  // set by the browser (forbidden to scripts, or added on its own)
  "accept-charset",
  "accept-encoding",
  "access-control-request-headers",
  "access-control-request-method",
  "cache-control",
  "connection",
  "content-length",
  "cookie",
  "cookie2",
  "date",
  "device-memory",
  "dnt",
  "downlink",
  "dpr",
  "ect",
  "expect",
  "host",
  "keep-alive",
  "origin",
  "pragma",
  "priority",
  "purpose",
  "referer",
  "rtt",
  "save-data",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "upgrade-insecure-requests",
  "user-agent",
  "viewport-width",
  "width",
  "x-moz",
  // added by proxies, load balancers, CDNs and tracing
  "b3",
  "baggage",
  "cdn-loop",
  "forwarded",
  "newrelic",
  "sentry-trace",
  "traceparent",
  "tracestate",
  "true-client-ip",
  "via",
  "x-client-ip",
  "x-cluster-client-ip",
  "x-correlation-id",
  "x-real-ip",
  "x-request-id",
  "x-request-start",
  "x-queue-start",
  "x-scheme",
]);

/** Name prefixes of the same kinds (`sec-fetch-*`, `x-forwarded-*`, `cf-*`, …). */
const SIMPLE_PREFIXES = [
  "sec-",
  "proxy-",
  "x-forwarded-",
  "x-original-",
  "x-amz",
  "cf-",
  "fastly-",
  "akamai-",
  "x-akamai-",
  "x-azure-",
  "x-arr-",
  "x-ms-",
  "x-vercel-",
  "x-nf-",
  "fly-",
  "x-envoy-",
  "x-b3-",
  "x-cloud-trace-",
  "x-appengine-",
  "x-datadog-",
];

/** Authorization schemes a browser attaches by itself (cached HTTP authentication): they prove nothing. */
const AMBIENT_SCHEMES = new Set(["basic", "digest", "negotiate", "ntlm"]);

/**
 * Whether a `Content-Type` value is a JSON media type: `application/json` or
 * `application/<anything>+json`, any case, with or without parameters.
 *
 * @example
 * ```ts
 * isJsonMediaType("application/json; charset=utf-8"); // true
 * isJsonMediaType("application/merge-patch+json"); // true
 * isJsonMediaType("text/plain"); // false
 * ```
 */
export function isJsonMediaType(value: string | undefined): boolean {
  if (value === undefined) return false;
  const semicolon = value.indexOf(";");
  const essence = (semicolon === -1 ? value : value.slice(0, semicolon)).trim().toLowerCase();
  return essence === "application/json" || /^application\/[a-z0-9!#$&^_.-]+\+json$/.test(essence);
}

/** Whether the request is JSON-typed: exactly one `Content-Type`, a JSON one. */
export function hasJsonType(headers: RequestHeaders): boolean {
  const types = headers.values("content-type");
  return types.length === 1 && isJsonMediaType(types[0]);
}

/** A `Content-Length` above zero. (A chunked body may be empty: Node's client sends a bodiless POST chunked.) */
function declaresBody(headers: RequestHeaders): boolean {
  return headers.values("content-length").some((length) => length.trim() !== "0");
}

function provesPreflight(name: string, headers: RequestHeaders): boolean {
  if (SIMPLE_HEADERS.has(name) || SIMPLE_PREFIXES.some((prefix) => name.startsWith(prefix))) return false;
  if (name !== "authorization") return true;
  return headers.values("authorization").some((value) => {
    const scheme = value.trim().split(/\s/, 1)[0]?.toLowerCase() ?? "";
    return scheme !== "" && !AMBIENT_SCHEMES.has(scheme);
  });
}

/**
 * Whether a management request must be refused (415) before anything
 * happens: a body declared by `Content-Length` that is not JSON-typed (a
 * chunked one is checked once read), or a POST that a browser
 * could have sent cross-site without a preflight — neither JSON-typed nor
 * carrying a header outside the simple set (e.g. `Authorization: Bearer …`,
 * `X-Requested-With`, any custom header). A browser that says it is
 * submitting a form or sending a `no-cors` request (`Sec-Fetch-Mode`) is
 * refused whatever else the request carries. GET and HEAD are never
 * refused; PATCH, PUT and DELETE are always preflighted, so only their body
 * type is checked.
 *
 * @example
 * ```ts
 * refusesAsSimple("POST", requestHeaders(req)); // true for a form post with only a session cookie
 * ```
 */
export function refusesAsSimple(method: string, headers: RequestHeaders): boolean {
  if (method === "GET" || method === "HEAD" || method === "OPTIONS") return false;
  const json = hasJsonType(headers);
  if (json) return false;
  if (declaresBody(headers)) return true;
  if (method !== "POST") return false;
  const mode = headers.values("sec-fetch-mode").map((v) => v.trim().toLowerCase());
  if (mode.includes("navigate") || mode.includes("no-cors") || mode.includes("nested-navigate")) return true;
  return !headers.names().some((name) => provesPreflight(name, headers));
}
