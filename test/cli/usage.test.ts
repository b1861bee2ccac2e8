import { afterAll, describe, expect, it } from "vitest";
import { cli, ROLES, STACK_LINE, tempDir } from "../support/cli.js";

const tmp = tempDir("usage");
afterAll(() => tmp.remove());
const pglite = ["--pglite", tmp.dir];

describe("keyward --help (subprocess)", () => {
  const commands = ["migrate", "create", "list", "get", "revoke", "disable", "enable", "help"];
  it.concurrent.each(commands)("%s --help exits 0", { timeout: 60_000 }, async (command) => {
    const r = await cli([command, "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: keyward ${command}`);
    expect(r.stdout).toContain("--database-url");
    expect(r.stderr).toBe("");
  });

  it.concurrent("--help, -h and help <command> print help", { timeout: 60_000 }, async () => {
    const [top, short, topic] = await Promise.all([cli(["--help"]), cli(["-h"]), cli(["help", "create"])]);
    for (const r of [top, short]) {
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Commands:[\s\S]*revoke/);
    }
    expect(topic.code).toBe(0);
    expect(topic.stdout).toContain("--owner <owner>");
  });
});

/** [name, args, env, expected exit code, stderr pattern] */
const cases: [string, string[], Record<string, string>, number, RegExp][] = [
  ["no command", [], {}, 2, /Usage: keyward <command>/],
  ["unknown command", ["frobnicate"], {}, 2, /unknown command "frobnicate"/],
  ["unknown flag", ["create", "--owner", "o", "--bogus", ...pglite], {}, 2, /unknown option --bogus for "create"/],
  ["missing required flag", ["create", "--owner", "o", "--scopes", "jobs:read", ...pglite], {}, 2, /--label is required/],
  ["flag without its value", ["create", "--owner", "--label", "x", ...pglite], {}, 2, /--owner needs a value/],
  [
    "invalid date",
    ["create", "--owner", "o", "--label", "x", "--scopes", "a:b", "--expires", "next tuesday", ...pglite],
    {},
    2,
    /not an ISO date/,
  ],
  ["no store", ["list", "--owner", "o"], {}, 2, /no store: pass --database-url, --redis-url or --pglite/],
  [
    "both store URLs in the environment",
    ["list", "--owner", "o"],
    { DATABASE_URL: "postgres://x@127.0.0.1/x", REDIS_URL: "redis://127.0.0.1" },
    2,
    /both DATABASE_URL and REDIS_URL are set/,
  ],
  [
    "PostgreSQL unreachable",
    ["list", "--owner", "o", "--database-url", "postgres://postgres@127.0.0.1:1/test"],
    {},
    3,
    /cannot connect to PostgreSQL at 127\.0\.0\.1:1/,
  ],
  [
    "Redis unreachable",
    ["list", "--owner", "o", "--redis-url", "redis://127.0.0.1:1"],
    {},
    3,
    /cannot connect to Redis at 127\.0\.0\.1:1/,
  ],
];

describe("bad input: message on stderr, exit code, no stack trace (subprocess; more cases in run.test.ts)", () => {
  it.concurrent.each(cases)("%s", { timeout: 60_000 }, async (_name, args, env, code, pattern) => {
    const r = await cli(args, { env });
    expect(r.code, r.stderr).toBe(code);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.stdout).toBe("");
  });
});

describe("refusals from the core (subprocess, PGlite)", () => {
  const dir = tempDir("refusals");
  afterAll(() => dir.remove());
  const store = ["--pglite", dir.dir];

  it("a missing table, 422 with details, 404, and JSON errors", async () => {
    const unmigrated = await cli(["list", "--owner", "o", ...store]);
    expect(unmigrated.code).toBe(3);
    expect(unmigrated.stderr).toMatch(/table does not exist[\s\S]*keyward migrate/);
    expect((await cli(["migrate", ...store])).code).toBe(0);

    const invalid = await cli(["create", "--owner", "o", "--label", "  ", "--scopes", "jobs:read,NOT A SCOPE", ...store]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/validation failed/i);
    expect(invalid.stderr).toMatch(/label: must not be blank/);
    expect(invalid.stderr).toMatch(/scopes\[1\]: is not a valid scope/);

    const unknownRole = await cli(["create", "--owner", "o", "--label", "x", "--role", "superuser", "--json", ...store], {
      env: { KEYWARD_ROLES: JSON.stringify(ROLES) },
    });
    expect(unknownRole.code).toBe(1);
    expect(JSON.parse(unknownRole.stderr)).toEqual({
      error: {
        code: "validation_error",
        message: expect.any(String),
        details: [{ field: "role", message: "is not a known role" }],
      },
    });

    const missing = await cli(["revoke", "00000000-0000-4000-8000-000000000000", ...store]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/not found/i);
    for (const r of [unmigrated, invalid, unknownRole, missing]) expect(r.stderr).not.toMatch(STACK_LINE);
  }, 120_000);
});
