import { KeywardError } from "keyward";

/**
 * A 400 for a body that is not a JSON object. Its message never quotes the body.
 *
 * @example
 * ```ts
 * if (req.bodyUsed) throw new MalformedBodyError("The request body was already consumed");
 * ```
 */
export class MalformedBodyError extends KeywardError {
  constructor(message = "Malformed JSON body") {
    super("malformed_body", 400, message);
  }
}

/**
 * The body exceeds the limit (413). Adapters throw it from `readBody`.
 *
 * @example
 * ```ts
 * if (size > limit) throw new BodyTooLargeError();
 * ```
 */
export class BodyTooLargeError extends KeywardError {
  constructor() {
    super("body_too_large", 413, "Request body too large");
  }
}

/** The message of a 415: what to send instead (never the type that was sent). */
export const UNSUPPORTED_MEDIA_TYPE_MESSAGE = "Unsupported content type: send Content-Type: application/json";

/**
 * A 415 for a management request that is not JSON-typed: a body sent as a
 * form or as text, or a POST a browser could have sent cross-site without a
 * preflight. Its message says to send `Content-Type: application/json`.
 *
 * @example
 * ```ts
 * if (text !== "" && !hasJsonType(headers)) throw new UnsupportedMediaTypeError();
 * ```
 */
export class UnsupportedMediaTypeError extends KeywardError {
  constructor() {
    super("unsupported_media_type", 415, UNSUPPORTED_MEDIA_TYPE_MESSAGE);
  }
}

/**
 * Parses a request body that must be a JSON object; an empty body is `{}`.
 * Throws {@link MalformedBodyError} (400) otherwise.
 *
 * @example
 * ```ts
 * parseJsonObject('{"label":"CI"}', 16384); // { label: "CI" }
 * ```
 */
export function parseJsonObject(text: string, limit: number): Record<string, unknown> {
  if (text.length > limit) throw new BodyTooLargeError();
  if (text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new MalformedBodyError();
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new MalformedBodyError("JSON body must be an object");
  return value as Record<string, unknown>;
}

/** The own properties `keys` of `body` that are present (never `owner` or anything unlisted). */
export function pick(body: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (Object.hasOwn(body, k)) out[k] = body[k];
  return out;
}
