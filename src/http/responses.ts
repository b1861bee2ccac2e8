import { ConfigError, type FieldError, isKeywardError, type VerificationFailure, type VerifyError, verifyError } from "keyward";
import { seconds } from "./ratelimit-headers.js";

/**
 * The error body of every non-2xx answer: `{ status, error, message, timestamp, path, details? }`.
 *
 * @example
 * ```ts
 * const res = await fetch("https://api.example.com/v1/jobs", { headers: { authorization: `Bearer ${key}` } });
 * if (!res.ok) {
 *   const body = (await res.json()) as ErrorBody; // { status: 401, error: "UNAUTHORIZED", message, timestamp, path }
 *   console.log(body.message, body.details ?? []);
 * }
 * ```
 */
export interface ErrorBody {
  status: number;
  error: string;
  message: string;
  timestamp: string;
  path: string;
  details?: FieldError[];
}

/**
 * A framework-neutral answer: adapters copy it onto their response object.
 *
 * @example
 * ```ts
 * const { status, headers, body }: HttpResponse = await handle(request);
 * res.writeHead(status, { ...headers, "content-type": "application/json; charset=utf-8" });
 * res.end(JSON.stringify(body));
 * ```
 */
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

const LABELS: Record<number, string> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  405: "METHOD_NOT_ALLOWED",
  409: "CONFLICT",
  413: "BAD_REQUEST",
  415: "BAD_REQUEST",
  422: "VALIDATION_ERROR",
  429: "TOO_MANY_REQUESTS",
  503: "SERVICE_UNAVAILABLE",
};

/**
 * The one message every 401 carries, whatever the reason (the reason goes to events).
 *
 * @example
 * ```ts
 * const answer = authFailure(verifyError("revoked"), { realm: "api", path: "/v1/jobs" });
 * expect(answer.body).toMatchObject({ status: 401, message: UNAUTHORIZED_MESSAGE });
 * ```
 */
export const UNAUTHORIZED_MESSAGE = "Invalid or missing API key";

/**
 * Builds an error body. `message` must never contain request input.
 *
 * @example
 * ```ts
 * errorBody(404, "API key not found", "/settings/api-keys/123");
 * ```
 */
export function errorBody(status: number, message: string, path: string, details?: FieldError[]): ErrorBody {
  const body: ErrorBody = {
    status,
    error: LABELS[status] ?? "INTERNAL_SERVER_ERROR",
    message,
    timestamp: new Date().toISOString(),
    path,
  };
  if (details) body.details = details;
  return body;
}

/**
 * Checks a realm once, at configuration time: printable ASCII without quotes or backslashes.
 *
 * @example
 * ```ts
 * assertRealm("api"); // ok
 * ```
 */
export function assertRealm(realm: string): string {
  if (typeof realm !== "string" || !/^[\x20-\x21\x23-\x5b\x5d-\x7e]{1,100}$/.test(realm)) {
    throw new ConfigError("realm must be 1-100 printable ASCII characters without quotes or backslashes");
  }
  return realm;
}

/**
 * The `WWW-Authenticate` value of RFC 6750 §3: no `error` when no credential
 * was sent, `invalid_token`, `invalid_request` or `insufficient_scope` (with
 * the required scopes) otherwise. Never echoes the presented credential.
 *
 * @example
 * ```ts
 * challenge("api", "insufficient_scope", ["jobs:write"]);
 * // 'Bearer realm="api", error="insufficient_scope", scope="jobs:write"'
 * ```
 */
export function challenge(
  realm: string,
  error?: "invalid_token" | "invalid_request" | "insufficient_scope",
  scopes?: readonly string[],
): string {
  let value = `Bearer realm="${realm}"`;
  if (error) value += `, error="${error}"`;
  if (error === "insufficient_scope" && scopes && scopes.length > 0) value += `, scope="${scopes.join(" ")}"`;
  return value;
}

/**
 * Settings shared by every answer of one middleware.
 *
 * @example
 * ```ts
 * const ctx: ResponseContext = { realm: "api", path: "/v1/jobs", retryAfterSeconds: 5 };
 * authFailure(verifyError("unavailable"), ctx).headers; // { "retry-after": "5" }
 * ```
 */
export interface ResponseContext {
  realm: string;
  path: string;
  /** Seconds in `Retry-After` of a 503. Default 5. */
  retryAfterSeconds?: number | undefined;
  /** @deprecated Use `retryAfterSeconds` (same meaning, seconds). */
  retryAfter?: number | undefined;
}

/**
 * A refused credential, as `authFailure` takes it: the `error` of a failed
 * `verify` or of an unreadable credential (`readCredential` → `invalid`). Its
 * `status` is the one the core chose; `code` tells a missing credential
 * (`missing`: no `error=` in the challenge) from a refused one;
 * `retryAfter` (ms) of a 429 becomes its `Retry-After`.
 *
 * @example
 * ```ts
 * const failure: AuthFailure = verifyError("revoked"); // { code: "revoked", status: 401, … }
 * ```
 */
export type AuthFailure = Pick<VerifyError, "code" | "status" | "retryAfter">;

const MESSAGES: Record<number, string> = {
  400: "Malformed credentials",
  401: UNAUTHORIZED_MESSAGE,
  403: "The API key lacks a required scope",
  429: "Too many requests",
  503: "Service temporarily unavailable",
};

/** Messages of codes that share a status with another meaning. */
const CODE_MESSAGES: Partial<Record<string, string>> = {
  ip_not_allowed: "The API key may not be used from this address",
  rate_limited: "The API key's rate limit is exhausted; retry later",
  usage_exceeded: "The API key has no credits left",
};

/**
 * The one mapping from a refused credential to its answer: the status is
 * the failure's own (the core's), and from it and the code come the RFC 6750
 * `WWW-Authenticate` challenge (none on a 503, which gets `Retry-After`
 * instead, nor on a 429, which gets `Retry-After` when the failure says
 * when to retry, nor on a 403 `ip_not_allowed`) and the generic body. Every 401 reason gives the same body.
 * `scopes` are named in the challenge of a 403 `insufficient_scope`;
 * `message` replaces the body's message (e.g. for a 401 of the management
 * API, where no API key may be involved). A code given alone (the 0.1 form,
 * `"invalid_request"` for an unreadable credential) is looked up first.
 *
 * @example
 * ```ts
 * authFailure(verifyError("revoked"), { realm: "api", path: "/v1/jobs" }); // 401, error="invalid_token"
 * authFailure(verifyError("missing"), { realm: "api", path: "/v1/jobs" }); // 401, no error=
 * ```
 */
export function authFailure(
  failure: AuthFailure | VerificationFailure | "invalid_request",
  ctx: ResponseContext,
  scopes?: readonly string[],
  message?: string,
): HttpResponse {
  const { code, status, retryAfter } =
    typeof failure === "string"
      ? failure === "invalid_request"
        ? { code: "malformed", status: 400, retryAfter: undefined }
        : verifyError(failure)
      : failure;
  const body = errorBody(status, message ?? CODE_MESSAGES[code] ?? MESSAGES[status] ?? "Request refused", ctx.path);
  switch (status) {
    case 400:
      return { status, headers: { "www-authenticate": challenge(ctx.realm, "invalid_request") }, body };
    case 401:
      return {
        status,
        headers: { "www-authenticate": challenge(ctx.realm, code === "missing" ? undefined : "invalid_token") },
        body,
      };
    case 403:
      return {
        status,
        headers: code === "insufficient_scope" ? { "www-authenticate": challenge(ctx.realm, "insufficient_scope", scopes) } : {},
        body,
      };
    case 429:
      return { status, headers: typeof retryAfter === "number" ? { "retry-after": String(seconds(retryAfter)) } : {}, body };
    case 503:
      return { status, headers: { "retry-after": String(retryAfterOf(ctx)) }, body };
    default:
      return { status, headers: {}, body };
  }
}

/** The `Retry-After` seconds of a context (the deprecated name too); default 5. */
function retryAfterOf(ctx: ResponseContext): number {
  return ctx.retryAfterSeconds ?? ctx.retryAfter ?? 5;
}

/**
 * The answer for an error thrown by a management operation: a
 * `KeywardError` keeps its status, message and details; anything else
 * is a 500 with a generic message (its text may hold input).
 *
 * @example
 * ```ts
 * errorResponse(new NotFoundError(), { realm: "api", path: "/keys/1" }); // 404
 * errorResponse(new StoreUnavailableError(), { realm: "api", path: "/keys/1" }); // 503, Retry-After: 5
 * ```
 */
export function errorResponse(error: unknown, ctx: ResponseContext): HttpResponse {
  if (isKeywardError(error) && error.status < 500) {
    const headers: Record<string, string> = {};
    if (error.status === 401) headers["www-authenticate"] = challenge(ctx.realm, "invalid_token");
    return { status: error.status, headers, body: errorBody(error.status, error.message, ctx.path, error.details) };
  }
  if (isKeywardError(error) && error.status === 503) return authFailure(verifyError("unavailable"), ctx);
  return { status: 500, headers: {}, body: errorBody(500, "Internal server error", ctx.path) };
}
