import { parseDuration } from "keyward";
import { describe, expect, it } from "vitest";

describe("parseDuration: the one duration grammar (CLI and keyward/jwt)", () => {
  it.each([
    ["500ms", 500],
    ["1s", 1_000],
    ["30s", 30_000],
    ["30 sec", 30_000],
    ["2 minutes", 120_000],
    ["15m", 900_000],
    ["1.5h", 5_400_000],
    ["12 hrs", 43_200_000],
    ["90d", 7_776_000_000],
    ["1 day", 86_400_000],
    ["2w", 1_209_600_000],
    ["3 Weeks", 1_814_400_000],
    ["  45S  ", 45_000],
    ["0s", 0],
    ["0.4ms", 0],
    ["1.0005s", 1_001],
  ])("%j is %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    ["a bare number", "30"],
    ["a negative duration", "-5s"],
    ["a signed duration", "+5s"],
    ["an exponent", "1e3s"],
    ["an unknown unit", "5 fortnights"],
    ["months (their length varies)", "3mo"],
    ["years", "1y"],
    ["two spaces", "5  s"],
    ["a compound duration", "1h30m"],
    ["a unit alone", "s"],
    ["an empty string", ""],
    ["a leading dot", ".5s"],
    ["a trailing dot", "5.s"],
    ["a prototype key as unit", "5 constructor"],
    ["another prototype key", "5 __proto__"],
    ["too long for safe-integer milliseconds", "999999999999999w"],
  ])("refuses %s (%j) with a RangeError whose message never quotes the input", (_name, text) => {
    expect(() => parseDuration(text)).toThrow(RangeError);
    const message = (() => {
      try {
        parseDuration(text);
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect([
      'parseDuration: expected a number and a unit (ms, s, m, h, d, w), such as "30s", "1.5h" or "90d"',
      "parseDuration: the duration is too long",
    ]).toContain(message);
  });

  it("refuses a value that is not a string with a TypeError", () => {
    for (const value of [30, null, undefined, {}, ["30s"]])
      expect(() => parseDuration(value as unknown as string)).toThrow(TypeError);
  });
});
