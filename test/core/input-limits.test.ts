/**
 * Input refused at the door, with 422 `details`, before anything is stored:
 * deeply nested or huge metadata (SECURITY 41), labels that would display
 * as something else, and expiry dates that do not exist.
 */
import { createKeyward, type Keyward, ValidationError } from "keyward";
import { memoryStore } from "keyward/memory";
import { describe, expect, it } from "vitest";

const NOW = Date.UTC(2030, 0, 1);
const kw = (): Keyward => createKeyward({ store: memoryStore(), prefix: "kw", lastUsed: false, now: () => NOW });

async function refusal(promise: Promise<unknown>): Promise<ValidationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  expect((error as ValidationError).status).toBe(422);
  return error as ValidationError;
}

/** An array `depth` levels deep around `inner` (the outer array is level 1). */
function nested(depth: number, inner: unknown = 1): unknown {
  let value = inner;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

describe("metadata is bounded in depth and size (SECURITY 41)", () => {
  it("refuses a 2,000-deep array under the size limit on create and update; list, verify and revoke keep working", async () => {
    const k = kw();
    const deep = { a: nested(2_000) };
    expect(JSON.stringify(deep).length).toBeLessThan(4096);
    const created = await refusal(k.create({ owner: "o", label: "deep", metadata: deep }));
    expect(created.details).toEqual([{ field: "metadata", message: "must not be nested more than 8 levels deep" }]);

    const { key, apiKey } = await k.create({ owner: "o", label: "plain", metadata: { team: "ops" } });
    const updated = await refusal(k.update(apiKey.id, { metadata: deep }));
    expect(updated.details).toEqual([{ field: "metadata", message: "must not be nested more than 8 levels deep" }]);

    const page = await k.list("o");
    expect(page.data.map((x) => [x.label, x.metadata])).toEqual([["plain", { team: "ops" }]]);
    expect((await k.verify(key)).ok).toBe(true);
    expect((await k.revoke(apiKey.id)).status).toBe("revoked");
  });

  it("accepts 8 levels (the metadata object is level 1) and refuses 9", async () => {
    const k = kw();
    const eight = { a: nested(7) };
    const nine = { a: nested(8) };
    expect((await k.create({ owner: "o", label: "eight", metadata: eight })).apiKey.metadata).toEqual(eight);
    await refusal(k.create({ owner: "o", label: "nine", metadata: nine }));
    const objects = { a: { b: { c: { d: { e: { f: { g: { h: 1 } } } } } } } };
    expect((await k.create({ owner: "o", label: "objects", metadata: objects })).apiKey.metadata).toEqual(objects);
    await refusal(k.create({ owner: "o", label: "deeper", metadata: { z: objects } }));
  });

  it("refuses a cycle, a toJSON that produces deep output, and something that is not an object once serialised", async () => {
    const k = kw();
    const cycle: Record<string, unknown> = { name: "loop" };
    cycle.self = cycle;
    expect((await refusal(k.create({ owner: "o", label: "x", metadata: cycle }))).details?.[0]?.field).toBe("metadata");
    const sneaky = { toJSON: () => ({ a: nested(100) }) };
    await refusal(k.create({ owner: "o", label: "x", metadata: sneaky as never }));
    await refusal(k.create({ owner: "o", label: "x", metadata: new Date() as never }));
    expect((await k.list("o")).data).toEqual([]);
  });

  it("refuses huge metadata by its size, whatever its shape", async () => {
    const k = kw();
    const wide = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]));
    const long = { text: "x".repeat(5_000) };
    const sparse = { list: new Array(1e9) };
    for (const metadata of [wide, long, sparse]) {
      const error = await refusal(k.create({ owner: "o", label: "x", metadata }));
      expect(error.details).toEqual([{ field: "metadata", message: "must be at most 4096 bytes as JSON" }]);
    }
    expect((await k.list("o")).data).toEqual([]);
  });

  it("counts only what JSON keeps: undefined and function values do not use up the size", async () => {
    const k = kw();
    const metadata = Object.fromEntries(Array.from({ length: 2_000 }, (_, i) => [`unused_${i}`, undefined]));
    const { apiKey } = await k.create({ owner: "o", label: "x", metadata: { ...metadata, kept: true } });
    expect(apiKey.metadata).toEqual({ kept: true });
  });
});

describe("labels refuse characters that change how they display", () => {
  const cases: [string, string, string][] = [
    ["a C0 control inside", "CI\u0007sync", "must not contain control characters"],
    ["a C1 control inside", "CI\u0085sync", "must not contain control characters"],
    ["a line separator", "CI\u2028sync", "must not contain control characters"],
    ["RIGHT-TO-LEFT OVERRIDE", "invoice\u202Egpj.exe", "must not contain bidirectional formatting characters"],
    ["LEFT-TO-RIGHT EMBEDDING", "a\u202Ab", "must not contain bidirectional formatting characters"],
    ["POP DIRECTIONAL FORMATTING", "a\u202Cb", "must not contain bidirectional formatting characters"],
    ["RIGHT-TO-LEFT ISOLATE", "a\u2067b", "must not contain bidirectional formatting characters"],
    ["POP DIRECTIONAL ISOLATE", "a\u2069b", "must not contain bidirectional formatting characters"],
    ["RIGHT-TO-LEFT MARK", "a\u200Fb", "must not contain bidirectional formatting characters"],
    ["ZERO WIDTH SPACE", "Prod\u200Bkey", "must not contain zero-width characters"],
    ["ZERO WIDTH NON-JOINER", "Prod\u200Ckey", "must not contain zero-width characters"],
    ["ZERO WIDTH JOINER", "Prod\u200Dkey", "must not contain zero-width characters"],
    ["WORD JOINER", "Prod\u2060key", "must not contain zero-width characters"],
    ["a byte order mark inside", "Prod\uFEFFkey", "must not contain zero-width characters"],
    ["a leading byte order mark (which trim() would drop)", "\uFEFFProd key", "must not contain zero-width characters"],
  ];

  it.each(cases)("refuses %s on create and update, storing nothing", async (_name, label, message) => {
    const k = kw();
    expect((await refusal(k.create({ owner: "o", label }))).details).toEqual([{ field: "label", message }]);
    const { apiKey } = await k.create({ owner: "o", label: "Original" });
    expect((await refusal(k.update(apiKey.id, { label }))).details).toEqual([{ field: "label", message }]);
    expect((await k.list("o")).data.map((x) => x.label)).toEqual(["Original"]);
  });

  it("still trims surrounding whitespace and keeps scripts, accents and emoji", async () => {
    const k = kw();
    for (const [label, stored] of [
      ["  \tCRM sync\n", "CRM sync"],
      ["مفتاح الإنتاج", "مفتاح الإنتاج"],
      ["Clé d’accès — 🔑", "Clé d’accès — 🔑"],
    ]) {
      expect((await k.create({ owner: "o", label: label as string })).apiKey.label).toBe(stored);
    }
  });
});

describe("expiry dates are parsed strictly", () => {
  const refused: [string, unknown][] = [
    ["31 February", "2099-02-31"],
    ["month 13", "2099-13-01"],
    ["29 February of a common year", "2099-02-29T00:00:00Z"],
    ["day 0", "2099-01-00"],
    ["hour 24", "2099-01-01T24:00:00Z"],
    ["minute 60", "2099-01-01T10:60:00Z"],
    ["a leap second", "2099-01-01T23:59:60Z"],
    ["an offset of 24 hours", "2099-01-01T10:00:00+24:00"],
    ["a date-time without an offset (server's local time)", "2099-01-01T10:00:00"],
    ["an RFC 2822 date", "Thu, 01 Jan 2099 00:00:00 GMT"],
    ["a slashed date", "2099/01/01"],
    ["words", "next tuesday"],
    ["surrounding spaces", " 2099-01-01 "],
    ["an empty string", ""],
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["a number beyond a Date's range", 1e300],
    ["a numeric string", "4070908800000"],
    ["an invalid Date", new Date("2099-02-31T00:00:00Z-nope")],
  ];

  it.each(refused)("refuses %s with 422 details, storing nothing", async (_name, expiresAt) => {
    const k = kw();
    const error = await refusal(k.create({ owner: "o", label: "x", expiresAt: expiresAt as never }));
    expect(error.details).toEqual([{ field: "expiresAt", message: expect.any(String) }]);
    expect((await k.list("o")).data).toEqual([]);
  });

  const accepted: [string, string | number, string][] = [
    ["a date-time in UTC", "2099-06-30T12:00:00Z", "2099-06-30T12:00:00.000Z"],
    ["a date-time with an offset", "2099-06-30T14:30:00+02:30", "2099-06-30T12:00:00.000Z"],
    ["an offset without a colon", "2099-06-30T07:00:00-0500", "2099-06-30T12:00:00.000Z"],
    ["minutes only, lowercase t and z", "2099-06-30t12:00z", "2099-06-30T12:00:00.000Z"],
    ["a fraction of a second", "2099-06-30T12:00:00.123456Z", "2099-06-30T12:00:00.123Z"],
    ["a space instead of T", "2099-06-30 12:00:00Z", "2099-06-30T12:00:00.000Z"],
    ["29 February of a leap year", "2096-02-29T00:00:00Z", "2096-02-29T00:00:00.000Z"],
    ["a date alone: midnight UTC", "2099-06-30", "2099-06-30T00:00:00.000Z"],
    ["epoch milliseconds", Date.UTC(2099, 5, 30, 12), "2099-06-30T12:00:00.000Z"],
    ["fractional epoch milliseconds (truncated, as a Date does)", Date.UTC(2099, 5, 30, 12) + 0.9, "2099-06-30T12:00:00.000Z"],
  ];

  it.each(accepted)("accepts %s", async (_name, expiresAt, iso) => {
    expect((await kw().create({ owner: "o", label: "x", expiresAt })).apiKey.expiresAt).toBe(iso);
  });
});
