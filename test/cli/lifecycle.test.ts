import { PGlite } from "@electric-sql/pglite";
import Redis from "ioredis";
import { createKeyward, KEY_PATTERN, type KeyStore, type Keyward } from "keyward";
import { postgresStore } from "keyward/postgres";
import { redisStore } from "keyward/redis";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { cli, keysIn, REQUIRE_SERVICES, ROLES, STACK_LINE, tempDir } from "../support/cli.js";

const PEPPERS = "pepper-current,pepper-older";
const suffix = `${process.pid}_${Math.random().toString(36).slice(2, 8)}`;

/** A store the CLI (as a subprocess) and the test (in-process) share. */
interface Backend {
  /** Store flags passed to every CLI call. */
  args: string[];
  /** A store on the same data, opened in-process after the CLI exited. */
  open(): Promise<{ store: KeyStore; close(): Promise<void> }>;
}

/** Runs `check` against a keyward configured like the application (same pepper and roles), then closes it. */
async function withKeyward<T>(backend: Backend, check: (kw: Keyward) => Promise<T>): Promise<T> {
  const { store, close } = await backend.open();
  const keyward = createKeyward({ store, pepper: PEPPERS.split(","), roles: ROLES });
  try {
    return await check(keyward);
  } finally {
    await keyward.close(); // flushes last-used
    await close();
  }
}

async function scenario(backend: Backend): Promise<void> {
  const run = (...args: string[]) =>
    cli([...args, ...backend.args], { env: { KEYWARD_PEPPER: PEPPERS, KEYWARD_ROLES: JSON.stringify(ROLES) } });
  const owner = `org_${suffix}`;
  const outputs: string[] = [];

  const migrated = await run("migrate", "--json");
  expect(migrated.code, migrated.stderr).toBe(0);
  expect(JSON.parse(migrated.stdout)).toMatchObject({ migrated: expect.any(Boolean) });

  // create (human): the key once, on its own line, with the warning
  const created = await run("create", "--owner", owner, "--label", "Bootstrap admin", "--role", "admin", "--expires", "30d");
  expect(created.code, created.stderr).toBe(0);
  const found = keysIn(created.stdout);
  expect(found).toHaveLength(1);
  const key = found[0] as string;
  expect(key).toMatch(new RegExp(`^${KEY_PATTERN.source}$`));
  expect(created.stdout.split("\n")).toContain(key);
  expect(created.stdout).toMatch(/won't be shown again/);
  expect(keysIn(created.stderr)).toEqual([]);
  const id = /^id\s+(\S+)$/m.exec(created.stdout)?.[1] as string;
  expect(id).toBeTruthy();

  // create (--json): { ...apiKey, rawKey }, never the hash
  const second = await run(
    "create",
    "--owner",
    owner,
    "--label",
    "CI",
    "--scopes",
    "jobs:read",
    "--metadata",
    '{"ticket":"OPS-1"}',
    "--json",
  );
  expect(second.code, second.stderr).toBe(0);
  const issued = JSON.parse(second.stdout);
  expect(issued).toMatchObject({
    owner,
    label: "CI",
    scopes: ["jobs:read"],
    role: null,
    status: "active",
    metadata: { ticket: "OPS-1" },
  });
  expect(issued.rawKey).toMatch(new RegExp(`^${KEY_PATTERN.source}$`));
  expect(issued).not.toHaveProperty("hash");
  expect(keysIn(second.stdout)).toEqual([issued.rawKey]);

  // both keys verify in-process on the same store, with the application's pepper and roles
  await withKeyward(backend, async (kw) => {
    expect((await kw.verify(key, { scopes: ["jobs:write"] })).ok).toBe(true);
    expect((await kw.verify(issued.rawKey, { scopes: ["jobs:read"] })).ok).toBe(true);
    const denied = await kw.verify(issued.rawKey, { scopes: ["jobs:write"] });
    expect(denied.ok ? null : denied.error.code).toBe("insufficient_scope");
  });

  // list: masked, never a key
  const listed = await run("list", "--owner", owner);
  expect(listed.code, listed.stderr).toBe(0);
  expect(listed.stdout).toContain(`${key.slice(0, key.indexOf("_") + 9)}…${key.slice(-4)}`);
  expect(listed.stdout).toContain("Bootstrap admin");
  expect(listed.stdout).toMatch(/LAST USED/);
  const page = JSON.parse((await run("list", "--owner", owner, "--json")).stdout);
  expect(page.nextCursor).toBeNull();
  expect(page.data.map((k: { id: string }) => k.id)).toEqual([issued.id, id]);
  expect(page.data[1].lastUsedAt).not.toBeNull();
  const first = JSON.parse((await run("list", "--owner", owner, "--limit", "1", "--json")).stdout);
  expect(first.data).toHaveLength(1);
  const rest = JSON.parse((await run("list", "--owner", owner, "--limit", "1", "--cursor", first.nextCursor, "--json")).stdout);
  expect(rest).toMatchObject({ data: [{ id }], nextCursor: null });
  outputs.push(listed.stdout, JSON.stringify(page), JSON.stringify(first), JSON.stringify(rest));

  const disabled = await run("disable", id);
  expect(disabled.code, disabled.stderr).toBe(0);
  expect(disabled.stdout).toMatch(/Disabled API key .* Status: disabled\./);
  await withKeyward(backend, async (kw) => {
    const r = await kw.verify(key);
    expect(r.ok ? null : r.error.code).toBe("disabled");
  });

  const enabled = await run("enable", id, "--json");
  expect(enabled.code, enabled.stderr).toBe(0);
  expect(JSON.parse(enabled.stdout)).toMatchObject({ id, status: "active", disabledAt: null });
  await withKeyward(backend, async (kw) => expect((await kw.verify(key)).ok).toBe(true));

  const revoked = await run("revoke", id);
  expect(revoked.code, revoked.stderr).toBe(0);
  expect(revoked.stdout).toMatch(/Status: revoked\./);
  // operators revoking a leaked key they only have the raw form of
  const leaked = await cli(["revoke", "--stdin", "--json", ...backend.args], {
    env: { KEYWARD_PEPPER: PEPPERS },
    input: `${issued.rawKey}\n`,
  });
  expect(leaked.code, leaked.stderr).toBe(0);
  expect(JSON.parse(leaked.stdout)).toMatchObject({ id: issued.id, status: "revoked" });
  await withKeyward(backend, async (kw) => {
    for (const k of [key, issued.rawKey]) {
      const r = await kw.verify(k);
      expect(r.ok ? null : r.error.code).toBe("revoked");
    }
  });

  const refused = await run("enable", id);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/revoked/);
  expect(refused.stderr).not.toMatch(STACK_LINE);
  const shown = await run("get", id, "--json");
  expect(JSON.parse(shown.stdout)).toMatchObject({ id, status: "revoked", role: "admin" });
  outputs.push(disabled.stdout, enabled.stdout, revoked.stdout, leaked.stdout, refused.stderr, shown.stdout);
  for (const text of outputs) expect(keysIn(text)).toEqual([]);
}

describe("keyward CLI on PGlite (subprocess)", () => {
  const tmp = tempDir("pglite");
  afterAll(() => tmp.remove());
  it("migrate → create → verify → list → disable/enable → revoke → refused", async () => {
    await scenario({
      args: ["--pglite", tmp.dir],
      async open() {
        const db = new PGlite(tmp.dir);
        return { store: postgresStore({ client: db, listen: false }), close: () => db.close() };
      },
    });
  }, 180_000);
});

const DATABASE_URL = process.env.DATABASE_URL;
describe.skipIf(!DATABASE_URL && !REQUIRE_SERVICES)("keyward CLI on PostgreSQL (subprocess)", () => {
  const table = `kw_cli_${suffix}`.slice(0, 40);
  it("migrate → create → verify → list → disable/enable → revoke → refused", async () => {
    expect(DATABASE_URL, "KEYWARD_REQUIRE_SERVICES is set but DATABASE_URL is not").toBeTruthy();
    const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
    try {
      await scenario({
        args: ["--database-url", DATABASE_URL as string, "--table", table],
        async open() {
          const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
          return { store: postgresStore({ client: pool, table, listen: false }), close: () => pool.end() };
        },
      });
    } finally {
      await admin.query(`DROP TABLE IF EXISTS "public"."${table}"`);
      await admin.query(`DROP FUNCTION IF EXISTS "public"."${table}_consume"`);
      await admin
        .query(`DELETE FROM "public"."keyward_migrations" WHERE target = $1`, [`public.${table}`])
        .catch(() => undefined);
      await admin.end();
    }
  }, 120_000);
});
if (!DATABASE_URL && !REQUIRE_SERVICES)
  console.log("[test/cli] DATABASE_URL is not set: skipping the CLI tests against a real PostgreSQL");

const REDIS_URL = process.env.REDIS_URL;
describe.skipIf(!REDIS_URL && !REQUIRE_SERVICES)("keyward CLI on Redis (subprocess)", () => {
  const prefix = `kwtest:cli:${suffix}`;
  it("migrate → create → verify → list → disable/enable → revoke → refused", async () => {
    expect(REDIS_URL, "KEYWARD_REQUIRE_SERVICES is set but REDIS_URL is not").toBeTruthy();
    const admin = new Redis(REDIS_URL as string, { maxRetriesPerRequest: 1 });
    try {
      await scenario({
        args: ["--redis-url", REDIS_URL as string, "--redis-namespace", prefix],
        async open() {
          const client = new Redis(REDIS_URL as string, { maxRetriesPerRequest: 1 });
          return { store: redisStore({ client, namespace: prefix }), close: async () => void (await client.quit()) };
        },
      });
    } finally {
      let cursor = "0";
      do {
        const [next, names] = await admin.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
        cursor = next;
        if (names.length > 0) await admin.del(...names);
      } while (cursor !== "0");
      await admin.quit();
    }
  }, 120_000);
});
if (!REDIS_URL && !REQUIRE_SERVICES) console.log("[test/cli] REDIS_URL is not set: skipping the CLI tests against a real Redis");
