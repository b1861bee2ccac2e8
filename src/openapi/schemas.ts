import { KEY_PATTERN, keyPattern } from "keyward";
import type { OpenApiObject } from "./options.js";

/** Longest label the core accepts. */
const MAX_LABEL = 120;
/** Most scopes one key may list. */
const MAX_SCOPES = 100;

/** A `$ref` to a component schema. */
export const ref = (name: string): OpenApiObject => ({ $ref: `#/components/schemas/${name}` });

const nullable = (schema: OpenApiObject, description: string): OpenApiObject => ({
  ...schema,
  type: [schema.type, "null"],
  description,
});
const time = (description: string): OpenApiObject => ({ type: "string", format: "date-time", description });
const SCOPE = { type: "string", pattern: "^(?:\\*|[A-Za-z0-9_.-]+(?::[A-Za-z0-9_.-]+)*(?::\\*)?)$", maxLength: 200 };
const KEY_BODY = /\[0-9A-Za-z\]\{\d+\}/;

/** `KEY_PATTERN` or `keyPattern(prefix)`, anchored at both ends instead of at word boundaries. */
function anchored(pattern: RegExp): string {
  return `^${pattern.source.replace(/^\\b/, "").replace(/\\b$/, "")}$`;
}

/** The fields of `ApiKey`, the public record, in the order the core writes them. */
function apiKeyProperties(): Record<string, OpenApiObject> {
  const generic = anchored(KEY_PATTERN);
  return {
    id: { type: "string", minLength: 1, description: "Stable id of the key (a UUID for keys keyward created)" },
    owner: { type: "string", minLength: 1, description: "The tenant the key belongs to: always the caller's owner" },
    label: { type: "string", minLength: 1, maxLength: MAX_LABEL, description: "Human-readable name" },
    keyPrefix: {
      type: "string",
      pattern: generic.replace(KEY_BODY, "[0-9A-Za-z]+"),
      description: "Non-secret start of the key (`cho_4fGh2kLm`): tells two keys apart in a list",
    },
    last4: { type: "string", pattern: "^[0-9A-Za-z]{4}$", description: "The last four characters of the key" },
    scopes: {
      type: "array",
      items: { ...SCOPE },
      maxItems: MAX_SCOPES,
      description: "The key's own scopes; its role's scopes are added when it is verified",
    },
    role: nullable({ type: "string" }, "Role whose scopes the key also holds"),
    status: ref("KeyStatus"),
    active: { type: "boolean", description: '`status === "active"`' },
    createdBy: nullable({ type: "string" }, "Id of the actor who created the key; null when server code did"),
    createdAt: time("When the key was created"),
    expiresAt: nullable(time(""), "When the key stops working; null: never"),
    disabledAt: nullable(time(""), "When the key was disabled; null while enabled"),
    revokedAt: nullable(time(""), "When the key was revoked; null unless revoked"),
    lastUsedAt: nullable(time(""), "Last successful verification, to within the last-used window; null: never used"),
    rotatedFrom: nullable({ type: "string" }, "Id of the key this one replaced by rotation"),
    rotatedTo: nullable({ type: "string" }, "Id of the key that replaced this one by rotation"),
    metadata: { type: "object", description: "Your application's JSON metadata (at most 4 KiB)" },
    ratelimit: nullable(RATE_LIMIT, "The key's own rate limit; null: the server's default, if any"),
    credits: nullable(CREDITS, "The key's credits; null: unmetered"),
    remaining: nullable({ type: "integer", minimum: 0 }, "Credits left; null: unmetered"),
    allowedIps: nullable(
      { type: "array", items: { type: "string" }, minItems: 1 },
      "Addresses and CIDR ranges the key may be used from (normalised); null: anywhere",
    ),
  };
}

const RATE_LIMIT: OpenApiObject = {
  type: "object",
  description: "At most `limit` successful verifications per `window` ms (sliding window)",
  required: ["limit", "window"],
  properties: {
    limit: { type: "integer", minimum: 1 },
    window: { type: "integer", minimum: 1, description: "Milliseconds" },
  },
  additionalProperties: false,
};

const REFILL: OpenApiObject = {
  type: "object",
  description: "`remaining` is set to `amount` once per `interval` ms",
  required: ["amount", "interval"],
  properties: { amount: { type: "integer", minimum: 1 }, interval: { type: "integer", minimum: 1, description: "Milliseconds" } },
  additionalProperties: false,
};

const CREDITS: OpenApiObject = {
  type: "object",
  required: ["remaining", "refill", "refilledAt"],
  properties: {
    remaining: { type: "integer", minimum: 0 },
    refill: nullable(REFILL, "How credits come back; null: never"),
    refilledAt: nullable({ type: "integer" }, "Epoch ms of the last refill (the refill clock)"),
  },
  additionalProperties: false,
};

/** Request fields for the usage controls (create and update). */
function usageInput(): Record<string, OpenApiObject> {
  return {
    ratelimit: nullable(RATE_LIMIT, "With a caller: only lower than the key's current limit (or the default)"),
    credits: nullable(
      {
        type: "object",
        required: ["remaining"],
        properties: { remaining: { type: "integer", minimum: 0 }, refill: nullable(REFILL, "How credits come back") },
        additionalProperties: false,
      },
      "With a caller: only lower than the current balance (granting credits is server-side)",
    ),
    allowedIps: nullable(
      { type: "array", items: { type: "string" }, minItems: 1, maxItems: 100 },
      "IPv4/IPv6 addresses and CIDR ranges; with a caller: only inside the current list",
    ),
  };
}

/** The request field `expiresAt`: a date-time, epoch milliseconds, or null for never. */
const EXPIRES_AT: OpenApiObject = {
  description: "When the key stops working (in the future): an ISO 8601 date-time, epoch milliseconds, or null for never",
  anyOf: [{ type: "string", format: "date-time" }, { type: "string", format: "date" }, { type: "integer" }, { type: "null" }],
};

/** The `components.schemas` of the document. */
export function schemas(keyPrefix: string | undefined): Record<string, OpenApiObject> {
  const fields = apiKeyProperties();
  const required = Object.keys(fields);
  const rawKey = {
    type: "string",
    pattern: anchored(keyPrefix === undefined ? KEY_PATTERN : keyPattern(keyPrefix)),
    description: "The key itself. Shown this once: keyward keeps only its hash",
  };
  return {
    KeyStatus: {
      type: "string",
      enum: ["active", "disabled", "revoked", "expired"],
      description: "`disabled` is reversible, `revoked` final, `expired` past `expiresAt` or a rotation's grace period",
    },
    ApiKey: {
      type: "object",
      description: "What is stored about a key: never the key itself, never its hash",
      required,
      properties: fields,
      additionalProperties: false,
    },
    IssuedApiKey: {
      type: "object",
      description: "A new key (created or rotated): its record plus `rawKey`, the only time the key is shown",
      required: [...required, "rawKey"],
      properties: { ...apiKeyProperties(), rawKey },
      additionalProperties: false,
    },
    ApiKeyPage: {
      type: "object",
      description: "One page of keys, newest first",
      required: ["data", "nextCursor"],
      properties: {
        data: { type: "array", items: ref("ApiKey") },
        nextCursor: nullable({ type: "string" }, "Pass back as `?cursor=` for the next page; null on the last one"),
      },
      additionalProperties: false,
    },
    RoleNames: {
      type: "array",
      description: "The roles the caller may grant (those within its own scopes)",
      items: { type: "string" },
      uniqueItems: true,
    },
    CreateApiKey: {
      type: "object",
      required: ["label"],
      properties: {
        label: { type: "string", minLength: 1, maxLength: MAX_LABEL, description: "Not blank" },
        scopes: { type: "array", items: { ...SCOPE }, maxItems: MAX_SCOPES, description: "Within the caller's own scopes" },
        role: nullable({ type: "string" }, "A role the caller may grant (`GET …/roles`)"),
        expiresAt: EXPIRES_AT,
        metadata: { type: "object", description: "Your JSON metadata, at most 4 KiB" },
        ...usageInput(),
      },
      description: "The owner is always the caller's: an `owner` field is ignored",
    },
    UpdateApiKey: {
      type: "object",
      properties: {
        label: { type: "string", minLength: 1, maxLength: MAX_LABEL },
        metadata: { type: "object", description: "Replaces the metadata" },
        scopes: {
          type: "array",
          items: { ...SCOPE },
          maxItems: MAX_SCOPES,
          description: "Only when the server allows in-place scope edits (`mutableScopes`); a 422 otherwise",
        },
        role: nullable({ type: "string" }, "Only when the server allows in-place scope edits (`mutableScopes`); a 422 otherwise"),
        ...usageInput(),
      },
    },
    RotateApiKey: {
      type: "object",
      properties: {
        gracePeriod: {
          type: "number",
          minimum: 0,
          description:
            "Milliseconds the old key keeps working (default 0; at most the server's `maxGracePeriod`, 30 days by default)",
        },
      },
    },
    NoBody: {
      type: "object",
      maxProperties: 0,
      description: "Nothing is read; send `{}` (or no body) with `Content-Type: application/json`",
    },
    FieldError: {
      type: "object",
      required: ["field", "message"],
      properties: { field: { type: "string" }, message: { type: "string" } },
      additionalProperties: false,
    },
    ErrorBody: {
      type: "object",
      description: "Every error answer. Messages are fixed strings: they never echo the request",
      required: ["status", "error", "message", "timestamp", "path"],
      properties: {
        status: { type: "integer", minimum: 400, maximum: 599, description: "The HTTP status" },
        error: {
          type: "string",
          enum: [
            "BAD_REQUEST",
            "UNAUTHORIZED",
            "FORBIDDEN",
            "NOT_FOUND",
            "CONFLICT",
            "VALIDATION_ERROR",
            "TOO_MANY_REQUESTS",
            "SERVICE_UNAVAILABLE",
            "INTERNAL_SERVER_ERROR",
          ],
        },
        message: { type: "string" },
        timestamp: { type: "string", format: "date-time" },
        path: { type: "string", description: "The request path, without its query string" },
        details: { type: "array", items: ref("FieldError"), description: "The invalid fields, on a 422" },
      },
      additionalProperties: false,
    },
  };
}
