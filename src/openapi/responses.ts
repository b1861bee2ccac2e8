import type { OpenApiObject } from "./options.js";
import { ref } from "./schemas.js";

/** A `realm` value as keyward accepts it: printable ASCII without quotes or backslashes. */
const REALM = "[ !#-\\[\\]-~]{1,100}";

const header = (name: string): OpenApiObject => ({ $ref: `#/components/headers/${name}` });
const response = (name: string): OpenApiObject => ({ $ref: `#/components/responses/${name}` });

/** The `components.headers` of the document. */
export function headers(): Record<string, OpenApiObject> {
  return {
    CacheControl: {
      description: "Management answers are never cached",
      required: true,
      schema: { type: "string", const: "no-store" },
    },
    RetryAfter: {
      description: "Seconds to wait before retrying",
      required: true,
      schema: { type: "integer", minimum: 0 },
    },
    ChallengeUnauthorized: {
      description:
        'RFC 6750 challenge: `error="invalid_token"` when a credential was sent and refused, no `error` when none was sent',
      required: true,
      schema: { type: "string", pattern: `^Bearer realm="${REALM}"(?:, error="invalid_token")?$` },
    },
    ChallengeInvalidRequest: {
      description: "RFC 6750 challenge of a broken or doubled credential",
      required: true,
      schema: { type: "string", pattern: `^Bearer realm="${REALM}", error="invalid_request"$` },
    },
    ChallengeInvalidRequestIfCredential: {
      description: "Present when the 400 is about the Authorization header (a broken or doubled credential)",
      required: false,
      schema: { type: "string", pattern: `^Bearer realm="${REALM}", error="invalid_request"$` },
    },
    RetryAfterIfKnown: {
      description:
        "Seconds until the key's rate limit admits a request again, or until its credits refill (absent when they never do)",
      required: false,
      schema: { type: "integer", minimum: 1 },
    },
    RateLimitPolicy: {
      description: 'IETF RateLimit-Policy of a key with a rate limit: `"default";q=<limit>;w=<window in seconds>`',
      required: false,
      schema: { type: "string", pattern: '^"default";q=\\d+;w=\\d+$' },
    },
    RateLimit: {
      description: 'IETF RateLimit of a key with a rate limit: `"default";r=<remaining>;t=<seconds until more are available>`',
      required: false,
      schema: { type: "string", pattern: '^"default";r=\\d+;t=\\d+$' },
    },
    ChallengeInsufficientScopeIfScope: {
      description: "Present when the key lacks a scope (absent when its IP allowlist refused the address)",
      required: false,
      schema: { type: "string", pattern: `^Bearer realm="${REALM}", error="insufficient_scope"(?:, scope="[^"]*")?$` },
    },
    ChallengeInsufficientScope: {
      description: "RFC 6750 challenge naming the scopes the route requires, space-separated",
      required: true,
      schema: { type: "string", pattern: `^Bearer realm="${REALM}", error="insufficient_scope"(?:, scope="[^"]*")?$` },
    },
  };
}

/** An error answer: the {@link ErrorBody} with this `status` and `error`. */
function errorAnswer(
  status: number,
  error: string,
  description: string,
  answerHeaders: Record<string, OpenApiObject>,
): OpenApiObject {
  const schema: OpenApiObject = {
    allOf: [ref("ErrorBody")],
    properties: { status: { const: status }, error: { const: error } },
  };
  if (status === 422) {
    schema.required = ["details"];
    (schema.properties as OpenApiObject).details = { minItems: 1 };
  }
  return { description, headers: answerHeaders, content: { "application/json": { schema } } };
}

/** The `components.responses` of the document: the management API's errors, then those of protected routes. */
export function responses(): Record<string, OpenApiObject> {
  const noStore = { "Cache-Control": header("CacheControl") };
  return {
    BadRequest: errorAnswer(
      400,
      "BAD_REQUEST",
      "The body is not a JSON object (`Malformed JSON body`), or the Authorization header is broken or doubled (then with a challenge)",
      { ...noStore, "WWW-Authenticate": header("ChallengeInvalidRequestIfCredential") },
    ),
    Unauthorized: errorAnswer(401, "UNAUTHORIZED", "No caller could be authenticated", {
      ...noStore,
      "WWW-Authenticate": header("ChallengeUnauthorized"),
    }),
    Forbidden: errorAnswer(
      403,
      "FORBIDDEN",
      "The caller lacks the management permission (`api_keys:manage`), or the key would hold scopes the caller does not (the role ceiling)",
      noStore,
    ),
    NotFound: errorAnswer(404, "NOT_FOUND", "No such key, or another owner's key", noStore),
    Conflict: errorAnswer(409, "CONFLICT", "The key is revoked (final), already rotated, or expired", noStore),
    PayloadTooLarge: errorAnswer(
      413,
      "BAD_REQUEST",
      "The body is larger than the server's `maxBodyBytes` (16 KiB by default)",
      noStore,
    ),
    UnsupportedMediaType: errorAnswer(
      415,
      "BAD_REQUEST",
      "A body that is not JSON-typed, or a POST a browser could have sent cross-site: send `Content-Type: application/json`",
      noStore,
    ),
    ValidationFailed: errorAnswer(422, "VALIDATION_ERROR", "Invalid fields, each listed in `details`", noStore),
    InternalError: errorAnswer(500, "INTERNAL_SERVER_ERROR", "An unexpected error (the message is generic)", noStore),
    ServiceUnavailable: errorAnswer(
      503,
      "SERVICE_UNAVAILABLE",
      "The key store (or the caller's identity provider) is unavailable: nothing was done",
      { ...noStore, "Retry-After": header("RetryAfter") },
    ),
    ApiKeyBadRequest: errorAnswer(400, "BAD_REQUEST", "A broken or doubled credential (`invalid_request`)", {
      "WWW-Authenticate": header("ChallengeInvalidRequest"),
    }),
    ApiKeyUnauthorized: errorAnswer(
      401,
      "UNAUTHORIZED",
      "No API key, or one that is unknown, malformed, disabled, expired or revoked: the same answer for each",
      { "WWW-Authenticate": header("ChallengeUnauthorized") },
    ),
    ApiKeyForbidden: errorAnswer(
      403,
      "FORBIDDEN",
      "The key lacks a scope this route requires (with the challenge), or was presented from outside its IP allowlist",
      { "WWW-Authenticate": header("ChallengeInsufficientScopeIfScope") },
    ),
    ApiKeyNotFromHere: errorAnswer(403, "FORBIDDEN", "The key was presented from outside its IP allowlist", {}),
    ApiKeyTooManyRequests: errorAnswer(
      429,
      "TOO_MANY_REQUESTS",
      "The key's rate limit is exhausted, or it has no credits left for this request",
      {
        "Retry-After": header("RetryAfterIfKnown"),
        "RateLimit-Policy": header("RateLimitPolicy"),
        RateLimit: header("RateLimit"),
      },
    ),
    ApiKeyUnavailable: errorAnswer(
      503,
      "SERVICE_UNAVAILABLE",
      "The key store is unavailable: the request is refused, never let through",
      { "Retry-After": header("RetryAfter") },
    ),
  };
}

/** The error answers every management operation can give. */
export function managementErrors(extra: readonly ("404" | "409" | "422")[]): Record<string, OpenApiObject> {
  const out: Record<string, OpenApiObject> = {
    "400": response("BadRequest"),
    "401": response("Unauthorized"),
    "403": response("Forbidden"),
  };
  if (extra.includes("404")) out["404"] = response("NotFound");
  if (extra.includes("409")) out["409"] = response("Conflict");
  out["413"] = response("PayloadTooLarge");
  out["415"] = response("UnsupportedMediaType");
  if (extra.includes("422")) out["422"] = response("ValidationFailed");
  out["500"] = response("InternalError");
  out["503"] = response("ServiceUnavailable");
  return out;
}

/** The error answers of a route behind `apiKeyAuth`. */
export function protectedErrors(scoped: boolean): Record<string, OpenApiObject> {
  return {
    "400": response("ApiKeyBadRequest"),
    "401": response("ApiKeyUnauthorized"),
    "403": response(scoped ? "ApiKeyForbidden" : "ApiKeyNotFromHere"),
    "429": response("ApiKeyTooManyRequests"),
    "503": response("ApiKeyUnavailable"),
  };
}
