/**
 * The HTTP contract of `apiKeyAuth` + `requireScopes`, as data: one request
 * and its expected answer per case. `contract.test.ts` runs every case
 * against the Express, Hono, Koa, Fastify and Fetch adapters over real HTTP
 * and also checks that they all answer identically.
 *
 * In header values, `{valid}`, `{revoked}`, … stand for the keys of the
 * test world (see `support.ts`); `{8k}` for an 8 KiB token.
 */
import type { StoreMode } from "../support/http.js";

export interface ContractCase {
  name: string;
  method?: "GET" | "POST";
  /** Default `/v1/jobs` (GET needs `jobs:read`; the `{valid}` key holds only that). */
  path?: string;
  /** Sent in order; a name given twice is sent twice. */
  headers: [string, string][];
  /** Put the store in this mode for the request. */
  store?: StoreMode;
  expect: {
    status: number;
    /** Exact `WWW-Authenticate`, or null when it must be absent. */
    wwwAuthenticate: string | null;
    /** `Retry-After`, when one must be present. */
    retryAfter?: string;
    /** `error` of the JSON error body; absent for a 2xx. */
    error?: string;
    /** Exact number of store lookups by hash (omit when it does not matter). */
    lookups?: number;
    /** Exact number of key hashes computed. */
    hashes?: number;
    /** Exact `RateLimit-Policy`; when absent, the header must be absent. */
    rateLimitPolicy?: string;
    /** `RateLimit`, matched as a pattern (the remaining count moves between requests); absent: no header. */
    rateLimit?: RegExp;
  };
  /** Must give the same status, headers and body (minus timestamp) as this other case. */
  sameAs?: string;
}

const MISSING = 'Bearer realm="api"';
const INVALID_TOKEN = 'Bearer realm="api", error="invalid_token"';
const INVALID_REQUEST = 'Bearer realm="api", error="invalid_request"';
const UNAUTHORIZED = { status: 401, error: "UNAUTHORIZED" } as const;
const BAD_REQUEST = { status: 400, error: "BAD_REQUEST", wwwAuthenticate: INVALID_REQUEST, lookups: 0, hashes: 0 } as const;
const OK = { status: 200, wwwAuthenticate: null, lookups: 1 } as const;

export const CONTRACT: readonly ContractCase[] = [
  // 1. nothing presented
  { name: "no credential", headers: [], expect: { ...UNAUTHORIZED, wwwAuthenticate: MISSING, lookups: 0, hashes: 0 } },
  // 2. a valid key, scheme in any case, any number of spaces
  { name: "valid key", headers: [["Authorization", "Bearer {valid}"]], expect: { ...OK, hashes: 1 } },
  { name: "lowercase scheme", headers: [["Authorization", "bearer {valid}"]], expect: OK },
  { name: "uppercase scheme", headers: [["Authorization", "BEARER {valid}"]], expect: OK },
  { name: "several spaces after the scheme", headers: [["Authorization", "Bearer     {valid}"]], expect: OK },
  { name: "lowercase header name", headers: [["authorization", "Bearer {valid}"]], expect: OK },
  // 3. another scheme: nothing looked up
  {
    name: "Basic scheme",
    headers: [["Authorization", "Basic dXNlcjpwYXNzd29yZA=="]],
    expect: { ...UNAUTHORIZED, wwwAuthenticate: MISSING, lookups: 0, hashes: 0 },
  },
  // 4. broken Bearer values
  { name: "empty Bearer", headers: [["Authorization", "Bearer"]], expect: BAD_REQUEST },
  { name: "empty Authorization", headers: [["Authorization", ""]], expect: BAD_REQUEST },
  { name: "non-token Bearer value", headers: [["Authorization", "Bearer not a token"]], expect: BAD_REQUEST },
  { name: "non-ASCII Bearer value", headers: [["Authorization", "Bearer cl\u00e9_secr\u00e8te"]], expect: BAD_REQUEST },
  // 5. oversized: refused before hashing
  {
    name: "8 KiB Bearer value",
    headers: [["Authorization", "Bearer {8k}"]],
    expect: { ...UNAUTHORIZED, wwwAuthenticate: INVALID_TOKEN, lookups: 0, hashes: 0 },
  },
  // 6. checksum
  {
    name: "wrong checksum",
    headers: [["Authorization", "Bearer {badChecksum}"]],
    expect: { ...UNAUTHORIZED, wwwAuthenticate: INVALID_TOKEN, lookups: 0, hashes: 0 },
  },
  {
    name: "unknown key with a right checksum",
    headers: [["Authorization", "Bearer {unknown}"]],
    expect: { ...UNAUTHORIZED, wwwAuthenticate: INVALID_TOKEN, lookups: 1, hashes: 1 },
  },
  // 7. another environment's key
  {
    name: "wrong prefix",
    headers: [["Authorization", "Bearer {otherPrefix}"]],
    expect: { ...UNAUTHORIZED, wwwAuthenticate: INVALID_TOKEN, lookups: 0, hashes: 0 },
  },
  // 11. the stored hash is not a key: the tagged hash (`v1:…`), its digest bare or dressed with the
  // prefix are all refused like any malformed key — 401, before any lookup or hashing
  {
    name: "stored hash presented as the key",
    headers: [["Authorization", "Bearer {storedHash}"]],
    expect: { ...UNAUTHORIZED, wwwAuthenticate: INVALID_TOKEN, lookups: 0, hashes: 0 },
    sameAs: "unknown key with a right checksum",
  },
  {
    name: "stored hash digest presented as the key",
    headers: [["Authorization", "Bearer {storedDigest}"]],
    expect: { ...UNAUTHORIZED, wwwAuthenticate: INVALID_TOKEN, lookups: 0, hashes: 0 },
    sameAs: "unknown key with a right checksum",
  },
  {
    name: "stored hash digest with the key prefix",
    headers: [["Authorization", "Bearer {storedDigestAsKey}"]],
    expect: { ...UNAUTHORIZED, wwwAuthenticate: INVALID_TOKEN, lookups: 0, hashes: 0 },
    sameAs: "unknown key with a right checksum",
  },
  {
    name: "stored hash digest in X-API-Key",
    path: "/x/jobs",
    headers: [["X-API-Key", "{storedDigest}"]],
    expect: { ...UNAUTHORIZED, wwwAuthenticate: INVALID_TOKEN, lookups: 0, hashes: 0 },
  },
  // 13. every dead key reads exactly like an unknown one
  {
    name: "revoked key",
    headers: [["Authorization", "Bearer {revoked}"]],
    expect: { ...UNAUTHORIZED, wwwAuthenticate: INVALID_TOKEN, lookups: 1 },
    sameAs: "unknown key with a right checksum",
  },
  {
    name: "disabled key",
    headers: [["Authorization", "Bearer {disabled}"]],
    expect: { ...UNAUTHORIZED, wwwAuthenticate: INVALID_TOKEN, lookups: 1 },
    sameAs: "unknown key with a right checksum",
  },
  {
    name: "expired key",
    headers: [["Authorization", "Bearer {expired}"]],
    expect: { ...UNAUTHORIZED, wwwAuthenticate: INVALID_TOKEN, lookups: 1 },
    sameAs: "unknown key with a right checksum",
  },
  // 9. two credentials
  {
    name: "two Authorization headers",
    headers: [
      ["Authorization", "Bearer {valid}"],
      ["Authorization", "Bearer {admin}"],
    ],
    expect: BAD_REQUEST,
  },
  {
    name: "the same key twice",
    headers: [
      ["Authorization", "Bearer {valid}"],
      ["Authorization", "Bearer {valid}"],
    ],
    expect: BAD_REQUEST,
  },
  {
    name: "Basic then Bearer",
    headers: [
      ["Authorization", "Basic dXNlcjpwYXNzd29yZA=="],
      ["Authorization", "Bearer {valid}"],
    ],
    expect: BAD_REQUEST,
  },
  {
    name: "two Basic headers",
    headers: [
      ["Authorization", "Basic dXNlcjpwYXNzd29yZA=="],
      ["Authorization", "Basic YWRtaW46YWRtaW4="],
    ],
    expect: BAD_REQUEST,
  },
  { name: "comma-joined Bearer values", headers: [["Authorization", "Bearer {valid}, Bearer {admin}"]], expect: BAD_REQUEST },
  {
    name: "comma-joined Basic and Bearer",
    headers: [["Authorization", "Basic dXNlcjpwYXNz, Bearer {valid}"]],
    expect: BAD_REQUEST,
  },
  {
    name: "Authorization and X-API-Key",
    path: "/x/jobs",
    headers: [
      ["Authorization", "Bearer {valid}"],
      ["X-API-Key", "{valid}"],
    ],
    expect: BAD_REQUEST,
  },
  {
    name: "two X-API-Key headers",
    path: "/x/jobs",
    headers: [
      ["X-API-Key", "{valid}"],
      ["X-API-Key", "{admin}"],
    ],
    expect: BAD_REQUEST,
  },
  { name: "X-API-Key where enabled", path: "/x/jobs", headers: [["X-API-Key", "{valid}"]], expect: OK },
  {
    name: "X-API-Key where not enabled is ignored",
    headers: [["X-API-Key", "{valid}"]],
    expect: { ...UNAUTHORIZED, wwwAuthenticate: MISSING, lookups: 0, hashes: 0 },
  },
  // 8. the query string is never read
  {
    name: "key in ?api_key=",
    path: "/v1/jobs?api_key={valid}",
    headers: [],
    expect: { ...UNAUTHORIZED, wwwAuthenticate: MISSING, lookups: 0, hashes: 0 },
  },
  {
    name: "key in ?access_token=",
    path: "/v1/jobs?access_token={valid}",
    headers: [],
    expect: { ...UNAUTHORIZED, wwwAuthenticate: MISSING, lookups: 0, hashes: 0 },
  },
  // 20. a missing scope is a 403, never a 401
  {
    name: "missing scope",
    method: "POST",
    headers: [["Authorization", "Bearer {valid}"]],
    expect: {
      status: 403,
      error: "FORBIDDEN",
      wwwAuthenticate: 'Bearer realm="api", error="insufficient_scope", scope="jobs:write"',
    },
  },
  {
    name: "wildcard scope covers it",
    method: "POST",
    headers: [["Authorization", "Bearer {admin}"]],
    expect: { ...OK, status: 201 },
  },
  {
    name: "apiKeyAuth({ scopes }) missing scope",
    path: "/scoped/jobs",
    headers: [["Authorization", "Bearer {valid}"]],
    expect: {
      status: 403,
      error: "FORBIDDEN",
      wwwAuthenticate: 'Bearer realm="api", error="insufficient_scope", scope="jobs:write"',
      lookups: 1,
    },
  },
  {
    name: "apiKeyAuth({ scopes }) wildcard holder",
    path: "/scoped/jobs",
    headers: [["Authorization", "Bearer {admin}"]],
    expect: OK,
  },
  // realm of a custom apiKeyAuth, also in the 403 of requireScopes
  {
    name: "custom realm, no credential",
    path: "/realm/jobs",
    headers: [],
    expect: { ...UNAUTHORIZED, wwwAuthenticate: 'Bearer realm="partners"' },
  },
  {
    name: "custom realm, missing scope",
    path: "/realm/jobs",
    headers: [["Authorization", "Bearer {valid}"]],
    expect: {
      status: 403,
      error: "FORBIDDEN",
      wwwAuthenticate: 'Bearer realm="partners", error="insufficient_scope", scope="jobs:write"',
    },
  },
  // usage control (SPEC §8): a rate limit or credits used up is a 429 with the IETF RateLimit fields
  {
    name: "rate-limited key",
    headers: [["Authorization", "Bearer {exhausted}"]],
    expect: {
      status: 429,
      error: "TOO_MANY_REQUESTS",
      wwwAuthenticate: null,
      retryAfter: "7080",
      lookups: 1,
      rateLimitPolicy: '"default";q=1;w=3600',
      rateLimit: /^"default";r=0;t=7080$/,
    },
  },
  {
    name: "key without credits",
    headers: [["Authorization", "Bearer {spent}"]],
    expect: { status: 429, error: "TOO_MANY_REQUESTS", wwwAuthenticate: null, lookups: 1 },
  },
  {
    name: "key within its rate limit",
    headers: [["Authorization", "Bearer {limited}"]],
    expect: { ...OK, rateLimitPolicy: '"default";q=1000000;w=60', rateLimit: /^"default";r=\d+;t=60$/ },
  },
  // an IP allowlist: the socket's address decides, never a forwarding header the client wrote
  {
    name: "key used from outside its allowlist",
    headers: [["Authorization", "Bearer {officeOnly}"]],
    expect: { status: 403, error: "FORBIDDEN", wwwAuthenticate: null, lookups: 1 },
  },
  { name: "key used from inside its allowlist", headers: [["Authorization", "Bearer {localOnly}"]], expect: OK },
  {
    name: "spoofed X-Forwarded-For without trustProxy moves nobody into an allowlist",
    headers: [
      ["X-Forwarded-For", "192.0.2.7"],
      ["Authorization", "Bearer {officeOnly}"],
    ],
    expect: { status: 403, error: "FORBIDDEN", wwwAuthenticate: null, lookups: 1 },
    sameAs: "key used from outside its allowlist",
  },
  {
    name: "spoofed Forwarded without trustProxy moves nobody into an allowlist",
    headers: [
      ["Forwarded", "for=192.0.2.7"],
      ["Authorization", "Bearer {officeOnly}"],
    ],
    expect: { status: 403, error: "FORBIDDEN", wwwAuthenticate: null, lookups: 1 },
    sameAs: "key used from outside its allowlist",
  },
  {
    name: "spoofed X-Forwarded-For without trustProxy moves nobody out of an allowlist",
    headers: [
      ["X-Forwarded-For", "198.51.100.1"],
      ["Authorization", "Bearer {localOnly}"],
    ],
    expect: OK,
  },
  {
    name: "trustProxy: 1 takes the address the proxy appended",
    path: "/proxied/jobs",
    headers: [
      ["X-Forwarded-For", "192.0.2.7"],
      ["Authorization", "Bearer {officeOnly}"],
    ],
    expect: OK,
  },
  {
    name: "trustProxy: 1 ignores what the client put before the proxy's hop",
    path: "/proxied/jobs",
    headers: [
      ["X-Forwarded-For", "192.0.2.7, 198.51.100.1"],
      ["Authorization", "Bearer {officeOnly}"],
    ],
    expect: { status: 403, error: "FORBIDDEN", wwwAuthenticate: null, lookups: 1 },
  },
  {
    name: "trustProxy: 1 reads Forwarded too",
    path: "/proxied/jobs",
    headers: [
      ["Forwarded", 'for="[2001:db8::1]:4711", for=192.0.2.9'],
      ["Authorization", "Bearer {officeOnly}"],
    ],
    expect: OK,
  },
  {
    name: "trustProxy: 1 and the loopback key: the client is the forwarded address",
    path: "/proxied/jobs",
    headers: [
      ["X-Forwarded-For", "192.0.2.7"],
      ["Authorization", "Bearer {localOnly}"],
    ],
    expect: { status: 403, error: "FORBIDDEN", wwwAuthenticate: null, lookups: 1 },
  },
  // 31. a failing store fails closed
  {
    name: "store throws",
    store: "throw",
    headers: [["Authorization", "Bearer {valid}"]],
    expect: { status: 503, error: "SERVICE_UNAVAILABLE", wwwAuthenticate: null, retryAfter: "5" },
  },
  {
    name: "store hangs past storeTimeout",
    store: "hang",
    headers: [["Authorization", "Bearer {valid}"]],
    expect: { status: 503, error: "SERVICE_UNAVAILABLE", wwwAuthenticate: null, retryAfter: "5" },
  },
];
