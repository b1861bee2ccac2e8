import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { SCHEMA_VERSION } from "keyward/postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCommandLine } from "../../cli/args.js";
import { type CliIO, runCli } from "../../cli/run.js";
import { parseExpires, parseScopes, parseTimeout } from "../../cli/values.js";
import { keysIn, ROLES, STACK_LINE, tempDir } from "../support/cli.js";

/** Runs the CLI in-process with captured output and only the given environment. */
async function run(argv: string[], io: Partial<CliIO> = {}) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    env: {},
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    readStdin: async () => "",
    ...io,
  });
  return { code, stdout, stderr };
}

const tmp = tempDir("run");
const store = ["--pglite", tmp.dir];
const files = tempDir("run-config");
const configFile = join(files.dir, "keyward.json");
beforeAll(async () => {
  writeFileSync(
    configFile,
    JSON.stringify({ prefix: "sk_live", roles: ROLES, scopes: ["jobs:read", "jobs:write", "api_keys:manage"] }),
  );
  expect((await run(["migrate", ...store])).code).toBe(0);
}, 60_000);
afterAll(() => {
  tmp.remove();
  files.remove();
});

describe("usage errors (exit 2, nothing touched)", () => {
  const cases: [string, string[], Record<string, string>, RegExp][] = [
    ["flag of another command", ["list", "--owner", "o", "--label", "x", ...store], {}, /unknown option --label for "list"/],
    ["neither --role nor --scopes", ["create", "--owner", "o", "--label", "x", ...store], {}, /--role or --scopes is required/],
    [
      "--role without roles",
      ["create", "--owner", "o", "--label", "x", "--role", "admin", ...store],
      {},
      /pass --config <file.json> or set KEYWARD_ROLES/,
    ],
    [
      "empty --scopes",
      ["create", "--owner", "o", "--label", "x", "--scopes", " , ", ...store],
      {},
      /--scopes needs at least one scope/,
    ],
    [
      "metadata not an object",
      ["create", "--owner", "o", "--label", "x", "--scopes", "a:b", "--metadata", "[1]", ...store],
      {},
      /--metadata must be a JSON object/,
    ],
    [
      "zero duration",
      ["create", "--owner", "o", "--label", "x", "--scopes", "a:b", "--expires", "0d", ...store],
      {},
      /positive duration/,
    ],
    ["bad --limit", ["list", "--owner", "o", "--limit", "ten", ...store], {}, /--limit must be an integer from 1 to 100/],
    [
      "bad --status",
      ["list", "--owner", "o", "--status", "gone", ...store],
      {},
      /--status must be one of active, disabled, revoked, expired/,
    ],
    ["missing <id>", ["disable", ...store], {}, /<id> is required \(or --stdin\)/],
    ["<id> and --stdin", ["get", "abc", "--stdin", ...store], {}, /either <id> or --stdin/],
    ["extra argument", ["enable", "a", "b", ...store], {}, /unexpected argument "b" for "enable"/],
    ["boolean flag with a value", ["list", "--owner", "o", "--json=yes", ...store], {}, /--json does not take a value/],
    ["two store flags", ["list", "--owner", "o", "--redis-url", "redis://127.0.0.1:1", ...store], {}, /choose one store/],
    [
      "--table with Redis",
      ["list", "--owner", "o", "--table", "t"],
      { REDIS_URL: "redis://127.0.0.1:1" },
      /--table applies to PostgreSQL only/,
    ],
    [
      "--redis-prefix with PostgreSQL",
      ["list", "--owner", "o", "--redis-prefix", "p", ...store],
      {},
      /--redis-prefix applies to Redis only/,
    ],
    [
      "--redis-namespace with PostgreSQL",
      ["list", "--owner", "o", "--redis-namespace", "p", ...store],
      {},
      /--redis-namespace applies to Redis only/,
    ],
    [
      "bad table name",
      ["list", "--owner", "o", "--table", "x; DROP TABLE y", ...store],
      {},
      /configuration error: postgresStore: table/,
    ],
    ["bad KEYWARD_ROLES", ["list", "--owner", "o", ...store], { KEYWARD_ROLES: "{admin" }, /KEYWARD_ROLES is not valid JSON/],
    [
      "bad role in KEYWARD_ROLES",
      ["list", "--owner", "o", ...store],
      { KEYWARD_ROLES: '{"admin":"*"}' },
      /role "admin" must be an array/,
    ],
    ["bad prefix", ["list", "--owner", "o", "--prefix", "Not A Prefix", ...store], {}, /configuration error/],
    [
      "unreadable --config",
      ["list", "--owner", "o", "--config", "/nonexistent/keyward.json", ...store],
      {},
      /cannot read --config .*ENOENT/,
    ],
    ["no store", ["list", "--owner", "o", "--json"], {}, /"code":"usage"/],
  ];
  it.each(cases)("%s", async (_name, argv, env, pattern) => {
    const r = await run(argv, { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.stdout).toBe("");
  });

  it("--config rejects a pepper, unknown settings and invalid JSON", async () => {
    const bad = (name: string, text: string) => {
      const file = join(files.dir, name);
      writeFileSync(file, text);
      return run(["list", "--owner", "o", "--config", file, ...store]);
    };
    expect((await bad("pepper.json", '{"pepper":"s3cret"}')).stderr).toMatch(/read only from the KEYWARD_PEPPER/);
    expect((await bad("typo.json", '{"role":{}}')).stderr).toMatch(/unknown setting "role"/);
    expect((await bad("broken.json", "{")).stderr).toMatch(/is not valid JSON/);
  });

  it("a missing driver says what to install", async () => {
    const load = async (name: string) => {
      throw Object.assign(new Error(`Cannot find package '${name}' imported from /app/cli.js`), { code: "ERR_MODULE_NOT_FOUND" });
    };
    const pg = await run(["list", "--owner", "o", "--database-url", "postgres://x@127.0.0.1/x"], { load });
    const redis = await run(["list", "--owner", "o", "--redis-url", "redis://127.0.0.1"], { load });
    const lite = await run(["list", "--owner", "o", "--pglite", "./x"], { load });
    expect([pg.code, redis.code, lite.code]).toEqual([2, 2, 2]);
    expect(pg.stderr).toMatch(/install pg to use --database-url/);
    expect(redis.stderr).toMatch(/install ioredis to use --redis-url/);
    expect(lite.stderr).toMatch(/install @electric-sql\/pglite to use --pglite/);
  });
});

describe("against PGlite, in-process", () => {
  it("migrate is idempotent and reports the schema version", async () => {
    const r = await run(["migrate", "--json", ...store]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ store: "pglite", migrated: true, version: SCHEMA_VERSION });
  });

  it("--config supplies prefix, roles and the scope catalog; flag and env override the prefix", async () => {
    const base = ["create", "--owner", "org_cfg", "--label", "x", "--config", configFile, "--json", ...store];
    const fromConfig = await run([...base, "--role", "admin"]);
    expect(fromConfig.code, fromConfig.stderr).toBe(0);
    expect(JSON.parse(fromConfig.stdout).rawKey).toMatch(/^sk_live_/);
    expect(JSON.parse((await run([...base, "--scopes", "jobs:read"], { env: { KEYWARD_PREFIX: "cho" } })).stdout).rawKey).toMatch(
      /^cho_/,
    );
    expect(JSON.parse((await run([...base, "--scopes", "jobs:read", "--prefix", "ak"])).stdout).rawKey).toMatch(/^ak_/);

    const outside = await run([...base, "--scopes", "jobs:delete"]);
    expect(outside.code).toBe(1);
    expect(JSON.parse(outside.stderr).error.details).toEqual([{ field: "scopes[0]", message: "is not in the scope catalog" }]);
  });

  it("--expires takes a duration, a date or a date-time with an offset; a past or impossible date is refused by the core (exit 1)", async () => {
    const create = (expires: string) =>
      run(["create", "--owner", "org_exp", "--label", "x", "--scopes", "a:b", "--expires", expires, "--json", ...store]);
    const soon = JSON.parse((await create("2w")).stdout);
    expect(Date.parse(soon.expiresAt) - Date.parse(soon.createdAt)).toBeGreaterThan(14 * 86_400_000 - 60_000);
    expect(JSON.parse((await create("2099-01-31")).stdout).expiresAt).toBe("2099-01-31T00:00:00.000Z");
    expect(JSON.parse((await create("2099-01-31T12:00:00+02:00")).stdout).expiresAt).toBe("2099-01-31T10:00:00.000Z");
    const past = await create("2001-01-01T00:00:00Z");
    expect(past.code).toBe(1);
    expect(past.stderr).toMatch(/expiresAt.*must be in the future/);
    for (const impossible of ["2099-02-31", "2099-13-01", "2099-06-30T24:00:00Z"]) {
      const refused = await create(impossible);
      expect(refused.code, impossible).toBe(1);
      expect(JSON.parse(refused.stderr).error.details).toEqual([
        { field: "expiresAt", message: expect.stringMatching(/exists/) },
      ]);
    }
    const local = await create("2099-01-31T12:00");
    expect(local.code).toBe(2);
    expect(local.stderr).toMatch(/date-time with an offset/);
  });

  it("--stdin without a configured prefix uses the key's own; a different configured prefix is a usage error", async () => {
    const create = ["create", "--owner", "org_stdin", "--label", "x", "--scopes", "jobs:read", "--json"];
    const created = await run([...create, "--config", configFile, ...store]);
    expect(created.code, created.stderr).toBe(0);
    const { id, rawKey } = JSON.parse(created.stdout) as { id: string; rawKey: string };
    expect(rawKey).toMatch(/^sk_live_/);
    const shown = await run(["get", "--stdin", "--json", ...store], { readStdin: async () => rawKey });
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ id, status: "active" });
    const other = await run(["revoke", "--stdin", "--prefix", "sk_test", ...store], { readStdin: async () => rawKey });
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/has the prefix "sk_live", not the configured "sk_test"/);
    expect(other.stderr).not.toContain(rawKey);
  });

  it("human output: the key once with the warning; list and get never show it; a note when no pepper is set", async () => {
    const created = await run(["create", "--owner", "org_h", "--label", "Ops", "--scopes", "jobs:read", ...store]);
    expect(created.code).toBe(0);
    expect(keysIn(created.stdout)).toHaveLength(1);
    expect(created.stdout).toMatch(/Store it now: it won't be shown again\./);
    expect(created.stderr).toMatch(/KEYWARD_PEPPER is not set/);
    const id = /^id\s+(\S+)$/m.exec(created.stdout)?.[1] as string;
    const listed = await run(["list", "--owner", "org_h", ...store]);
    expect(listed.stdout).toMatch(/^ID\s+LABEL\s+KEY\s+ROLE\/SCOPES\s+STATUS\s+CREATED\s+LAST USED$/m);
    expect(listed.stdout).toMatch(new RegExp(`^${id}\\s+Ops\\s+kw_\\w{8}…\\w{4}\\s+jobs:read\\s+active\\s+\\S+\\s+never$`, "m"));
    const shown = await run(["get", id, ...store]);
    expect(shown.stdout).toMatch(/^status\s+active$/m);
    expect(keysIn(listed.stdout + shown.stdout)).toEqual([]);
    expect((await run(["list", "--owner", "nobody", ...store])).stdout).toBe("No keys for owner nobody.\n");
  });
});

describe("parsing", () => {
  it("flags may come before or after the command", () => {
    expect(parseCommandLine(["--json", "--pglite", "d", "revoke", "abc"])).toMatchObject({
      command: "revoke",
      args: ["abc"],
      flags: { json: true, pglite: "d" },
    });
  });
  it("durations and dates", () => {
    expect(parseExpires("90d", 0)).toBe(90 * 86_400_000);
    expect(parseExpires("12h", 1_000)).toBe(1_000 + 12 * 3_600_000);
    // the core's grammar (parseDuration), shared with keyward/jwt: long units and decimals too
    expect(parseExpires("90 days", 0)).toBe(90 * 86_400_000);
    expect(parseExpires("1.5h", 0)).toBe(5_400_000);
    expect(parseExpires(" 2026-06-30T12:00:00+02:00", 0)).toBe("2026-06-30T12:00:00+02:00");
    for (const bad of ["1", "90", "-5d", "3mo", "1y", "2026-06-30T12:00", "2026-06-30T12:00:00", "06/30/2026", "soon"])
      expect(() => parseExpires(bad, 0)).toThrow(/--expires/);
  });
  it("--timeout: a duration, or a bare number of seconds as before", () => {
    expect(parseTimeout(undefined)).toBe(15_000);
    expect(parseTimeout("2.5")).toBe(2_500);
    expect(parseTimeout("500ms")).toBe(500);
    expect(parseTimeout("2m")).toBe(120_000);
    expect(parseTimeout("10 minutes")).toBe(600_000);
    for (const bad of ["0", "0.0001", "1e3", "601", "10m1s", "11m", "soon"])
      expect(() => parseTimeout(bad), bad).toThrow(/--timeout/);
  });
  it("scope lists", () => {
    expect(parseScopes(" jobs:read ,jobs:write,, ")).toEqual(["jobs:read", "jobs:write"]);
  });
});
