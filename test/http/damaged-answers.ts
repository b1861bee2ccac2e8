/**
 * Store answers that are not a well-formed `KeyRecord`, and a store that
 * gives them on demand. The catalogue is written from the record's contract
 * (docs/stores.md), not from keyward's own check, so the tests that use it
 * can catch a check that lets something through. Shared by the core tests
 * and the HTTP property test; imports the library only by its package name.
 */

import fc from "fast-check";
import type { KeyRecord, KeyStore, ListQuery, RecordPatch, Transition, Use } from "keyward";

/** A way to damage a good record (or the answer holding it). */
export interface Damage {
  name: string;
  apply: (record: KeyRecord) => unknown;
}

const TEXT = ["id", "owner", "label", "keyPrefix", "last4", "hash"] as const;
const NULLABLE_TEXT = ["role", "createdBy", "rotatedFrom", "rotatedTo"] as const;
const NULLABLE_TIME = ["expiresAt", "disabledAt", "revokedAt", "lastUsedAt"] as const;
export const FIELDS = [...TEXT, "scopes", ...NULLABLE_TEXT, "createdAt", ...NULLABLE_TIME, "metadata"] as const;
type Field = (typeof FIELDS)[number];

class Entity {
  team = "growth";
}

function without(record: KeyRecord, field: Field): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...record };
  delete copy[field];
  return copy;
}

const set = (field: Field, value: unknown, name = `${field}: ${describeValue(value)}`): Damage => ({
  name,
  apply: (r) => ({ ...r, [field]: value }),
});

function describeValue(value: unknown): string {
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "function") return "a function";
  if (typeof value === "symbol") return "a symbol";
  if (value === undefined) return "undefined";
  if (value instanceof Date) return "a Date";
  if (value instanceof Map) return "a Map";
  if (value instanceof Set) return "a Set";
  if (value instanceof Entity) return "a class instance";
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  try {
    return JSON.stringify(value).slice(0, 40);
  } catch {
    return "an object";
  }
}

function cyclic(): Record<string, unknown> {
  const o: Record<string, unknown> = { a: 1 };
  o.self = o;
  return o;
}

function deep(levels: number): Record<string, unknown> {
  let o: Record<string, unknown> = { leaf: true };
  for (let i = 0; i < levels; i++) o = { n: o };
  return o;
}

const sparse = (): string[] => {
  const a: string[] = ["jobs:read"];
  a[2] = "jobs:write";
  return a;
};

/** Damage to one field of the record: missing, `undefined`, or a value of the wrong type or form. */
export const FIELD_DAMAGES: readonly Damage[] = [
  ...FIELDS.map((f): Damage => ({ name: `no ${f}`, apply: (r) => without(r, f) })),
  ...FIELDS.map((f) => set(f, undefined)),
  set("scopes", "jobs:*", 'scopes: "jobs:*" (a string, not an array)'),
  set("scopes", "*"),
  set("scopes", null),
  set("scopes", { 0: "jobs:read", length: 1 }),
  set("scopes", new Set(["jobs:read"])),
  set("scopes", [7]),
  set("scopes", ["jobs:read", null]),
  set("scopes", ["jobs:read", ["*"]]),
  set("scopes", [" jobs:read"]),
  set("scopes", ["jobs:read:"]),
  set("scopes", ["jobs read"]),
  set("scopes", [""]),
  set("scopes", ["a".repeat(129)]),
  set("scopes", sparse(), "scopes: a sparse array"),
  set("id", ""),
  set("id", 42),
  set("owner", ""),
  set("owner", null),
  set("owner", { id: "org_a" }),
  set("hash", ""),
  set("hash", null),
  set("hash", ["v1:x"]),
  set("label", null),
  set("label", 7),
  set("keyPrefix", {}),
  set("last4", 1234),
  set("role", 1),
  set("role", {}),
  set("role", ["viewer"]),
  set("role", true),
  set("createdBy", 5),
  set("rotatedFrom", {}),
  set("rotatedTo", false),
  set("createdAt", null),
  set("createdAt", "1700000000000"),
  set("createdAt", Number.NaN),
  set("createdAt", Number.POSITIVE_INFINITY),
  set("createdAt", 1e300),
  set("createdAt", 10n),
  set("createdAt", new Date(0)),
  set("expiresAt", "2099-01-01"),
  set("expiresAt", Number.NaN),
  set("expiresAt", Number.NEGATIVE_INFINITY),
  set("expiresAt", new Date(4102444800000)),
  set("disabledAt", true),
  set("revokedAt", ""),
  set("revokedAt", Number.NaN),
  set("revokedAt", 0n),
  set("lastUsedAt", {}),
  set("lastUsedAt", 9e15),
  set("metadata", null),
  set("metadata", []),
  set("metadata", "text"),
  set("metadata", 5),
  set("metadata", new Date(0)),
  set("metadata", new Map([["a", 1]])),
  set("metadata", new Entity()),
  set("metadata", { fn: () => 1 }, "metadata: holds a function"),
  set("metadata", { big: 10n }, "metadata: holds a bigint"),
  set("metadata", { u: undefined }, "metadata: holds undefined"),
  set("metadata", { n: Number.NaN }, "metadata: holds NaN"),
  set("metadata", { s: Symbol("x") }, "metadata: holds a symbol"),
  set("metadata", { when: new Date(0) }, "metadata: holds a Date"),
  set("metadata", { nested: { list: [1, new Map()] } }, "metadata: holds a Map deep down"),
  set("metadata", cyclic(), "metadata: a cycle"),
  set("metadata", deep(200), "metadata: 200 levels deep"),
];

function throwingGetter(field: Field): Damage {
  return {
    name: `a getter on ${field} that throws`,
    apply: (r) =>
      Object.defineProperty({ ...r }, field, {
        enumerable: true,
        get() {
          throw new Error(`${field} is unreadable`);
        },
      }),
  };
}

const hostile = (): object =>
  new Proxy(
    {},
    {
      get() {
        throw new Error("trap");
      },
      has() {
        throw new Error("trap");
      },
      getPrototypeOf() {
        throw new Error("trap");
      },
      ownKeys() {
        throw new Error("trap");
      },
      getOwnPropertyDescriptor() {
        throw new Error("trap");
      },
    },
  );

const revoked = (): object => {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
};

/** Answers that are not a record object at all, or objects that cannot be read. */
export const ANSWER_DAMAGES: readonly Damage[] = [
  { name: "undefined instead of null", apply: () => undefined },
  { name: "an array holding the record", apply: (r) => [r] },
  { name: "a number", apply: () => 42 },
  { name: "a string", apply: (r) => JSON.stringify(r) },
  { name: "a boolean", apply: () => true },
  { name: "an empty object", apply: () => ({}) },
  { name: "a Map of the fields", apply: (r) => new Map(Object.entries(r)) },
  { name: "a function", apply: (r) => () => r },
  { name: "a symbol", apply: () => Symbol("record") },
  { name: "a proxy whose every trap throws", apply: hostile },
  { name: "a revoked proxy", apply: revoked },
  throwingGetter("hash"),
  throwingGetter("scopes"),
  throwingGetter("revokedAt"),
  throwingGetter("metadata"),
];

/** Every catalogued damage to a record answer. */
export const DAMAGES: readonly Damage[] = [...FIELD_DAMAGES, ...ANSWER_DAMAGES];

/** How a store method misbehaves. */
export type Behaviour =
  | { kind: "answer"; damage: Damage; async: boolean }
  | { kind: "throw" | "reject" | "hang" | "thenable-throws" | "then-getter-throws" | "thenable-hangs" | "promise-then-throws" };

export const FAILURES: readonly Behaviour["kind"][] = [
  "throw",
  "reject",
  "hang",
  "thenable-throws",
  "then-getter-throws",
  "thenable-hangs",
  "promise-then-throws",
];

export const READS = ["findByHash", "get", "list", "update", "transition", "rotate"] as const;
export type ReadMethod = (typeof READS)[number];

export function describeBehaviour(b: Behaviour): string {
  return b.kind === "answer" ? `${b.async ? "resolves to" : "answers"} ${b.damage.name}` : b.kind;
}

/** What a misbehaving method returns (or throws) instead of `real`. */
function misbehave(b: Behaviour, method: ReadMethod, real: () => unknown): unknown {
  switch (b.kind) {
    case "throw":
      throw new Error("store is down");
    case "reject":
      return Promise.reject(new Error("store is down"));
    case "hang":
      return new Promise(() => {});
    case "thenable-throws":
      return {
        // biome-ignore lint/suspicious/noThenProperty: a hostile thenable is the point
        then() {
          throw new Error("then throws");
        },
      };
    case "then-getter-throws":
      // biome-ignore lint/suspicious/noThenProperty: a hostile thenable is the point
      return Object.defineProperty({}, "then", {
        get() {
          throw new Error("then getter throws");
        },
      });
    case "thenable-hangs":
      return {
        // biome-ignore lint/suspicious/noThenProperty: a hostile thenable is the point
        then() {},
      };
    case "promise-then-throws": {
      const p = Promise.resolve(null);
      // biome-ignore lint/suspicious/noThenProperty: a hostile promise is the point
      Object.defineProperty(p, "then", {
        value() {
          throw new Error("then throws");
        },
      });
      return p;
    }
    case "answer": {
      const answer = real();
      const damaged = damageAnswer(b.damage, method, answer);
      return b.async ? Promise.resolve().then(() => damaged) : damaged;
    }
  }
}

/** `damage` applied to a real answer: to the record, or for `list` to the first record of the page (or the whole answer). */
function damageAnswer(damage: Damage, method: ReadMethod, answer: unknown): unknown {
  if (method !== "list") return damage.apply(answer as KeyRecord);
  const page = answer as KeyRecord[];
  if (damage.name === "an array holding the record") return [...page.slice(1), damage.apply(page[0] as KeyRecord)];
  if (ANSWER_DAMAGES.includes(damage)) return damage.apply(page[0] as KeyRecord); // the whole answer is no array
  return page.map((r, i) => (i === 0 ? damage.apply(r) : r));
}

/** A store that delegates to `inner`, except the methods in `targets`, which behave as `behaviour` says. */
export interface FaultyStore extends KeyStore {
  fault: { behaviour: Behaviour; targets: ReadonlySet<ReadMethod> } | null;
  /** Calls of the write methods (insert, update, transition, rotate, touch) that reached the inner store. */
  writes: number;
}

export function faultyStore(inner: KeyStore): FaultyStore {
  const store: FaultyStore = {
    fault: null,
    writes: 0,
    insert: (record: KeyRecord) => {
      store.writes++;
      return inner.insert(record);
    },
    findByHash: (hash: string) => read("findByHash", () => inner.findByHash(hash)),
    get: (id: string) => read("get", () => inner.get(id)),
    list: (query: ListQuery) => read("list", () => inner.list(query)) as unknown as KeyRecord[],
    update: (id: string, patch: RecordPatch) => read("update", () => (store.writes++, inner.update(id, patch))),
    transition: (id: string, action: Transition, at: number) =>
      read("transition", () => (store.writes++, inner.transition(id, action, at))),
    rotate: (id: string, replacement: KeyRecord, expiresAt: number) =>
      read("rotate", () => (store.writes++, inner.rotate(id, replacement, expiresAt))),
    touch: (uses: readonly Use[]) => {
      store.writes++;
      return inner.touch(uses);
    },
    ...(inner.watch && { watch: inner.watch.bind(inner) }),
  };
  const read = (method: ReadMethod, real: () => unknown): KeyRecord | null => {
    const fault = store.fault;
    const answer = fault?.targets.has(method) ? misbehave(fault.behaviour, method, real) : real();
    return answer as KeyRecord | null;
  };
  return store;
}

// ---- random damage, for property tests --------------------------------------------------------

/** Values that are never JSON data. */
const notJson = fc.oneof(
  fc.constantFrom<unknown>(undefined, Number.NaN, Number.POSITIVE_INFINITY, 10n, Symbol("s"), new Map(), new Entity()),
  fc.constant(() => 1),
  fc.date({ noInvalidDate: true }),
);

/** Scope strings that are never well formed (a trailing space, or a fixed malformed form). */
const badScopeString = fc.oneof(
  fc.string({ maxLength: 20 }).map((s) => `${s} `),
  fc.constantFrom("", "jobs:", ":read", "jobs::read", "jobs:*:read", "**", "JOBS READ", "jobs:read\n", "é:read", "a".repeat(129)),
);

const badByField: Record<"text" | "nullableText" | "time" | "nullableTime" | "scopes" | "metadata", fc.Arbitrary<unknown>> = {
  text: fc.oneof(
    fc.constantFrom<unknown>(undefined, null),
    fc.integer(),
    fc.boolean(),
    fc.double(),
    fc.array(fc.string(), { maxLength: 2 }),
    fc.object({ maxDepth: 1 }),
  ),
  nullableText: fc.oneof(
    fc.constant<unknown>(undefined),
    fc.integer(),
    fc.boolean(),
    fc.array(fc.string(), { maxLength: 2 }),
    fc.object({ maxDepth: 1 }),
  ),
  time: fc.oneof(
    fc.constantFrom<unknown>(undefined, null, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
    fc.string(),
    fc.boolean(),
    fc.bigInt(),
    fc.date({ noInvalidDate: true }),
    fc.array(fc.integer(), { maxLength: 2 }),
    fc.double({ min: 8.7e15, noNaN: true }),
    fc.double({ max: -8.7e15, noNaN: true }),
  ),
  nullableTime: fc.oneof(
    fc.constantFrom<unknown>(undefined, Number.NaN, Number.POSITIVE_INFINITY),
    fc.string(),
    fc.boolean(),
    fc.bigInt(),
    fc.date({ noInvalidDate: true }),
    fc.double({ min: 8.7e15, noNaN: true }),
  ),
  scopes: fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.constantFrom<unknown>(null, undefined, "jobs:*", "*"),
    fc.object({ maxDepth: 1 }),
    fc
      .tuple(
        fc.array(fc.constantFrom("jobs:read", "jobs:*", "*"), { maxLength: 2 }),
        fc.oneof(
          badScopeString,
          fc.integer(),
          fc.constantFrom<unknown>(null, undefined),
          fc.array(fc.string(), { maxLength: 1 }),
        ),
        fc.array(fc.constantFrom("jobs:write", "*"), { maxLength: 2 }),
      )
      .map(([a, bad, b]) => [...a, bad, ...b]),
  ),
  metadata: fc.oneof(
    fc.constantFrom<unknown>(null, undefined, "text", 5, true),
    fc.array(fc.jsonValue(), { maxLength: 3 }),
    fc.date({ noInvalidDate: true }),
    fc
      .tuple(fc.string({ maxLength: 8 }), notJson, fc.boolean())
      .map(([k, v, nested]) => (nested ? { outer: { [k]: [v] } } : { [k]: v })),
  ),
};

const KIND: Record<Field, keyof typeof badByField> = {
  id: "text",
  owner: "text",
  label: "text",
  keyPrefix: "text",
  last4: "text",
  hash: "text",
  scopes: "scopes",
  role: "nullableText",
  createdBy: "nullableText",
  rotatedFrom: "nullableText",
  rotatedTo: "nullableText",
  createdAt: "time",
  expiresAt: "nullableTime",
  disabledAt: "nullableTime",
  revokedAt: "nullableTime",
  lastUsedAt: "nullableTime",
  metadata: "metadata",
};

/** One field made wrong: deleted, or set to a value its kind never takes (empty ids too). */
const fieldDamage: fc.Arbitrary<{ field: Field; remove: boolean; value: unknown }> = fc.constantFrom(...FIELDS).chain((field) =>
  fc.oneof(
    fc.constant({ field, remove: true, value: undefined }),
    badByField[KIND[field]].map((value) => ({ field, remove: false, value })),
    ...(["id", "owner", "hash"].includes(field) ? [fc.constant({ field, remove: false, value: "" })] : []),
  ),
);

/** A random damage: one to three fields made wrong, or a catalogued damage. */
export const arbitraryDamage: fc.Arbitrary<Damage> = fc.oneof(
  fc.array(fieldDamage, { minLength: 1, maxLength: 3 }).map(
    (changes): Damage => ({
      name: changes.map((c) => (c.remove ? `no ${c.field}` : `${c.field}: ${describeValue(c.value)}`)).join(", "),
      apply: (r) => {
        const out: Record<string, unknown> = { ...r };
        for (const c of changes) {
          if (c.remove) delete out[c.field];
          else out[c.field] = c.value;
        }
        return out;
      },
    }),
  ),
  fc.constantFrom(...DAMAGES),
);

/** A random misbehaviour: a damaged answer (now or later), or a failure of the call itself. */
export const arbitraryBehaviour: fc.Arbitrary<Behaviour> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("answer" as const), damage: arbitraryDamage, async: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constantFrom(...FAILURES).map((kind) => ({ kind }) as Behaviour) },
);
