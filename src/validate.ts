import { type FieldError, ValidationError } from "./errors.js";
import { parseExpiryText } from "./expiry.js";
import { isValidScope } from "./scopes.js";
import type { Metadata } from "./types.js";

/** Longest label accepted. */
export const MAX_LABEL_LENGTH = 120;
/** Most scopes one key may list. */
export const MAX_SCOPES = 100;
/** Largest metadata object, as JSON. */
export const MAX_METADATA_BYTES = 4096;
/** Deepest metadata nesting: the metadata object is level 1, an object or array inside it level 2, and so on. */
export const MAX_METADATA_DEPTH = 8;
/** Longest owner or actor id. */
export const MAX_ID_LENGTH = 256;
/** Latest instant a `Date` can hold (epoch ms): later expiries are refused. */
export const MAX_TIME = 8.64e15;

/** Text every database stores as written: no NUL, no lone UTF-16 surrogate. */
function storable(text: string): boolean {
  return !text.includes("\u0000") && !LONE_SURROGATE.test(text);
}
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Characters a label may not hold: C0/C1 controls and line separators;
 * bidirectional marks, embeddings, overrides and isolates, which make a
 * label display as something else (`U+202E` reverses the text after it);
 * zero-width characters, which make two labels look alike.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
const LABEL_CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const LABEL_FORMATTING: readonly (readonly [RegExp, string])[] = [
  [/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/, "must not contain bidirectional formatting characters"],
  [/[\u200b-\u200d\u2060\ufeff]/, "must not contain zero-width characters"],
];

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
    // controls inside the label (surrounding whitespace such as "\n" is trimmed); formatting
    // characters anywhere in the value, since trim() would silently drop a leading U+FEFF
    if (LABEL_CONTROLS.test(label)) return (this.fail("label", "must not contain control characters"), undefined);
    for (const [pattern, message] of LABEL_FORMATTING) {
      if (pattern.test(value)) return (this.fail("label", message), undefined);
    }
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
        : typeof value === "string"
          ? parseExpiryText(value)
          : typeof value === "number" && Number.isFinite(value)
            ? Math.trunc(value)
            : Number.NaN;
    if (!Number.isFinite(ms) || ms > MAX_TIME) {
      const message =
        typeof value === "string"
          ? "must be a date-time with an offset (2099-06-30T12:00:00Z) or a date (2099-06-30, midnight UTC) that exists"
          : "must be a valid date or finite epoch milliseconds";
      return (this.fail("expiresAt", message), undefined);
    }
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
      const shape = metadataShape(value);
      if (shape) return (this.fail("metadata", shape), undefined);
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
    const stored = JSON.parse(json) as unknown;
    if (stored === null || typeof stored !== "object" || Array.isArray(stored)) {
      return (this.fail("metadata", "must be a JSON object"), undefined); // e.g. a Date, whose JSON is a string
    }
    // what is stored, once more: a `toJSON` inside may have produced the nesting
    const storedShape = metadataShape(stored);
    return storedShape ? (this.fail("metadata", storedShape), undefined) : (stored as Metadata);
  }
}

/**
 * Why metadata is refused, or null: nested deeper than
 * {@link MAX_METADATA_DEPTH}, or surely larger than {@link MAX_METADATA_BYTES}
 * as JSON (a lower bound of its JSON size is counted while walking).
 * Iterative, so no input can exhaust the stack, and it stops as soon as a
 * limit is passed, so a huge object costs little. A cycle is refused as too
 * deep. An object with `toJSON` is not entered: its JSON is checked after
 * serialisation. Getters that throw propagate to the caller.
 */
function metadataShape(root: object): string | null {
  let budget = MAX_METADATA_BYTES;
  const stack: [unknown, number][] = [[root, 1]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [node, depth] = item;
    // a string costs at least its UTF-16 length: UTF-8 never has fewer bytes than UTF-16 units
    if (typeof node === "string") budget -= node.length + 2;
    else if (node === null || typeof node !== "object") budget -= 1;
    else if (typeof (node as { toJSON?: unknown }).toJSON !== "function") {
      if (depth > MAX_METADATA_DEPTH) return `must not be nested more than ${MAX_METADATA_DEPTH} levels deep`;
      budget -= 2;
      if (Array.isArray(node)) {
        for (let i = 0; i < node.length && budget >= 0; i++) {
          budget -= 1;
          stack.push([node[i], depth + 1]);
        }
      } else {
        for (const key of Object.keys(node)) {
          const value = (node as Record<string, unknown>)[key];
          if (value === undefined || typeof value === "function" || typeof value === "symbol") continue; // not in JSON
          budget -= key.length + 4;
          if (budget < 0) break;
          stack.push([value, depth + 1]);
        }
      }
    }
    if (budget < 0) return `must be at most ${MAX_METADATA_BYTES} bytes as JSON`;
  }
  return null;
}

/** Whether a valid scope is allowed by a catalog: listed, `*`, or a wildcard over a listed resource. */
function inCatalog(scope: string, catalog: ReadonlySet<string>): boolean {
  if (catalog.has(scope) || scope === "*") return true;
  if (!scope.endsWith(":*")) return false;
  const head = scope.slice(0, -1);
  for (const known of catalog) if (known.startsWith(head)) return true;
  return false;
}
