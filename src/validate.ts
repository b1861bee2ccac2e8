import { type FieldError, ValidationError } from "./errors.js";
import { isValidScope } from "./scopes.js";
import type { Metadata } from "./types.js";

/** Longest label accepted. */
export const MAX_LABEL_LENGTH = 120;
/** Most scopes one key may list. */
export const MAX_SCOPES = 100;
/** Largest metadata object, as JSON. */
export const MAX_METADATA_BYTES = 4096;
/** Longest owner or actor id. */
export const MAX_ID_LENGTH = 256;
/** Latest instant a `Date` can hold (epoch ms): later expiries are refused. */
export const MAX_TIME = 8.64e15;

/** Text every database stores as written: no NUL, no lone UTF-16 surrogate. */
function storable(text: string): boolean {
  return !text.includes("\u0000") && !LONE_SURROGATE.test(text);
}
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Collects field errors, then throws them together. */
export class Checker {
  readonly errors: FieldError[] = [];

  fail(field: string, message: string): void {
    this.errors.push({ field, message });
  }

  /** Throws a {@link ValidationError} if any check failed. */
  done(): void {
    if (this.errors.length > 0) throw new ValidationError(this.errors);
  }

  label(value: unknown, required: boolean): string | undefined {
    if (value === undefined && !required) return undefined;
    if (typeof value !== "string") return (this.fail("label", "must be a string"), undefined);
    const label = value.trim();
    if (label === "") return (this.fail("label", "must not be blank"), undefined);
    if (label.length > MAX_LABEL_LENGTH) {
      return (this.fail("label", `must be at most ${MAX_LABEL_LENGTH} characters`), undefined);
    }
    // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
    if (/[\u0000-\u001f\u007f]/.test(label)) return (this.fail("label", "must not contain control characters"), undefined);
    if (!storable(label)) return (this.fail("label", "must not contain unpaired surrogates"), undefined);
    return label;
  }

  id(field: string, value: unknown): string | undefined {
    if (typeof value !== "string" || value === "" || value.length > MAX_ID_LENGTH) {
      return (this.fail(field, `must be a non-empty string of at most ${MAX_ID_LENGTH} characters`), undefined);
    }
    if (!storable(value)) return (this.fail(field, "must not contain NUL or unpaired surrogates"), undefined);
    return value;
  }

  scopes(value: unknown, catalog: ReadonlySet<string> | null): string[] | undefined {
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) return (this.fail("scopes", "must be an array of strings"), undefined);
    if (value.length > MAX_SCOPES) return (this.fail("scopes", `must hold at most ${MAX_SCOPES} scopes`), undefined);
    const out: string[] = [];
    value.forEach((scope, i) => {
      if (!isValidScope(scope)) this.fail(`scopes[${i}]`, "is not a valid scope (resource:action)");
      else if (catalog && !inCatalog(scope, catalog)) this.fail(`scopes[${i}]`, "is not in the scope catalog");
      else if (!out.includes(scope)) out.push(scope);
    });
    return out;
  }

  role(value: unknown, roles: Readonly<Record<string, readonly string[]>>): string | null | undefined {
    if (value === undefined) return undefined;
    if (value === null) return null;
    if (typeof value !== "string" || !Object.hasOwn(roles, value)) {
      return (this.fail("role", "is not a known role"), undefined);
    }
    return value;
  }

  expiresAt(value: unknown, now: number): number | null | undefined {
    if (value === undefined) return undefined;
    if (value === null) return null;
    const ms =
      value instanceof Date
        ? value.getTime()
        : typeof value === "string" && value.trim() !== ""
          ? Date.parse(value)
          : typeof value === "number"
            ? value
            : Number.NaN;
    if (!Number.isFinite(ms) || ms > MAX_TIME) return (this.fail("expiresAt", "must be a valid date"), undefined);
    if (ms <= now) return (this.fail("expiresAt", "must be in the future"), undefined);
    return ms;
  }

  metadata(value: unknown): Metadata | undefined {
    if (value === undefined) return undefined;
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      return (this.fail("metadata", "must be a JSON object"), undefined);
    }
    let json: string;
    try {
      json = JSON.stringify(value);
    } catch {
      return (this.fail("metadata", "must be JSON-serialisable"), undefined);
    }
    // JSON.stringify writes NUL as \u0000 and a lone surrogate as \udXXX: reject both
    if (/\\u0000|\\ud[89a-f][0-9a-f]{2}/i.test(json)) {
      return (this.fail("metadata", "must not contain NUL or unpaired surrogates"), undefined);
    }
    if (new TextEncoder().encode(json).length > MAX_METADATA_BYTES) {
      return (this.fail("metadata", `must be at most ${MAX_METADATA_BYTES} bytes as JSON`), undefined);
    }
    return JSON.parse(json) as Metadata;
  }
}

/** Whether a valid scope is allowed by a catalog: listed, `*`, or a wildcard over a listed resource. */
function inCatalog(scope: string, catalog: ReadonlySet<string>): boolean {
  if (catalog.has(scope) || scope === "*") return true;
  if (!scope.endsWith(":*")) return false;
  const head = scope.slice(0, -1);
  for (const known of catalog) if (known.startsWith(head)) return true;
  return false;
}
