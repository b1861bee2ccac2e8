/**
 * The CLI against stores that misbehave or are named wrongly: a Redis that
 * accepts connections and never answers (or answers only the handshake) ends
 * the run with exit 3 within the documented deadline instead of hanging; a
 * URL of the wrong kind is a usage error (exit 2); a database number in a
 * Redis URL is honoured; a key minted without a configured prefix comes with
 * a warning.
 */
import net from "node:net";
import Redis from "ioredis";
import { generateKey } from "keyward";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliIO, runCli } from "../../cli/run.js";
import { cli, REQUIRE_SERVICES, STACK_LINE, tempDir } from "../support/cli.js";

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

/** A TCP server on 127.0.0.1 that accepts connections; `answer` decides what (if anything) each one hears. */
async function fakeRedis(answer: (socket: net.Socket, data: string) => void): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
    socket.on("data", (data) => answer(socket, data.toString("latin1")));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `redis://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe("a Redis that accepts connections but never answers", () => {
  let silent: Awaited<ReturnType<typeof fakeRedis>>;
  let handshakeOnly: Awaited<ReturnType<typeof fakeRedis>>;
  beforeAll(async () => {
    silent = await fakeRedis(() => {});
    // answers the client's handshake (HELLO refused, CLIENT SETINFO, SELECT, the INFO ready check), then nothing:
    // every command hangs
    handshakeOnly = await fakeRedis((socket, data) => {
      for (const [, command] of data.matchAll(/\*\d+\r\n\$\d+\r\n([A-Za-z]+)\r\n/g)) {
        const name = (command as string).toLowerCase();
        // ioredis 6 opens with HELLO 3; a server without RESP3 says so, and the client goes on in RESP2
        if (name === "hello") socket.write("-ERR unknown command 'hello'\r\n");
        else if (name === "client" || name === "select") socket.write("+OK\r\n");
        else if (name === "info") {
          const info = "# Server\r\nredis_version:7.2.0\r\nloading:0\r\n";
          socket.write(`$${info.length}\r\n${info}\r\n`);
        } else return;
      }
    });
  });
  afterAll(async () => {
    await silent.close();
    await handshakeOnly.close();
  });

  it("the process exits with 3 after --timeout, saying nothing answered, without a stack trace", async () => {
    const r = await cli(["list", "--owner", "org_1", "--redis-url", silent.url, "--timeout", "1"], { timeout: 30_000 });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/cannot connect to Redis at 127\.0\.0\.1:\d+: no answer within 1 s/);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.stdout).toBe("");
  });

  it("without --timeout, the documented default (15 s) applies", async () => {
    const r = await run(["get", "some-id", "--json"], { env: { REDIS_URL: silent.url } });
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stderr)).toEqual({
      error: { code: "unavailable", message: expect.stringMatching(/no answer within 15 s$/) },
    });
  }, 40_000);

  it("a command that never gets an answer after the handshake: exit 3 (by id, and by a key read from stdin)", async () => {
    const byId = await cli(["revoke", "some-id", "--redis-url", handshakeOnly.url, "--timeout", "3"], { timeout: 30_000 });
    expect(byId.code).toBe(3);
    expect(byId.stderr).toMatch(/key store unavailable/);
    const key = generateKey("kw").key;
    const byKey = await run(["disable", "--stdin", "--redis-url", handshakeOnly.url, "--timeout", "3"], {
      readStdin: async () => key,
    });
    expect(byKey.code).toBe(3);
    expect(byKey.stderr).toMatch(/key store unavailable/);
    expect(byKey.stderr).not.toContain(key);
  }, 40_000);

  it("--timeout must be a duration or a number of seconds, from just above 0 to 10 minutes", async () => {
    for (const value of ["0", "0s", "-1", "abc", "601", "11m", "1e3", ""]) {
      const r = await run(["list", "--owner", "o", "--redis-url", silent.url, `--timeout=${value}`]);
      expect(r.code, value).toBe(2);
      expect(r.stderr).toMatch(/--timeout must be a duration \(15s, 500ms, 2m\) or a number of seconds/);
    }
  });
});

describe("store URLs of the wrong kind are usage errors (exit 2), and never echoed", () => {
  const cases: [string, string[], Record<string, string>, RegExp][] = [
    [
      "an http URL as --redis-url",
      ["--redis-url", "http://u:s3cret@127.0.0.1:6379"],
      {},
      /--redis-url must be a redis:\/\/ or rediss:\/\/ \(TLS\) URL/,
    ],
    [
      "a PostgreSQL URL in REDIS_URL",
      [],
      { REDIS_URL: "postgres://u:s3cret@db/app" },
      /REDIS_URL must be a redis:\/\/ or rediss:\/\//,
    ],
    ["host:port without a scheme", ["--redis-url", "127.0.0.1:6379"], {}, /--redis-url must be a redis:\/\/ or rediss:\/\//],
    [
      "a path that is not a database number",
      ["--redis-url", "redis://:s3cret@127.0.0.1:6379/keys"],
      {},
      /path of --redis-url must be a database number/,
    ],
    [
      "a database path with more segments",
      ["--redis-url", "redis://127.0.0.1:6379/2/x"],
      {},
      /path of --redis-url must be a database number/,
    ],
    [
      "db= that is not a number",
      ["--redis-url", "redis://127.0.0.1:6379?db=two"],
      {},
      /db= in --redis-url must be a database number/,
    ],
    ["two different databases", ["--redis-url", "redis://127.0.0.1:6379/2?db=3"], {}, /names two databases/],
    [
      "a Redis URL as --database-url",
      ["--database-url", "redis://:s3cret@127.0.0.1:6379"],
      {},
      /--database-url holds a Redis URL: pass it with --redis-url/,
    ],
  ];
  it.each(cases)("%s", async (_name, flags, env, pattern) => {
    const r = await run(["list", "--owner", "o", ...flags], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).not.toContain("s3cret");
    expect(r.stderr).not.toMatch(STACK_LINE);
  });
});

const REDIS_URL = process.env.REDIS_URL;
describe.skipIf(!REDIS_URL && !REQUIRE_SERVICES)("a database number in the Redis URL is honoured", () => {
  const prefix = `kwtest:cli-db:${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const on = (db: number) => {
    const u = new URL(REDIS_URL as string);
    u.pathname = `/${db}`;
    return u.toString();
  };
  const names = async (client: Redis) => {
    const found: string[] = [];
    let cursor = "0";
    do {
      const [next, batch] = await client.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      cursor = next;
      found.push(...batch);
    } while (cursor !== "0");
    return found;
  };
  const db0 = () => new Redis(on(0), { maxRetriesPerRequest: 1 });
  const db3 = () => new Redis(on(3), { maxRetriesPerRequest: 1 });

  afterAll(async () => {
    for (const client of [db0(), db3()]) {
      const found = await names(client);
      if (found.length > 0) await client.del(...found);
      await client.quit();
    }
  });

  it("create, list and revoke all run on that database, and migrate names it", async () => {
    const flags = ["--redis-url", on(3), "--redis-namespace", prefix, "--prefix", "cho"];
    const migrated = await run(["migrate", ...flags]);
    expect(migrated.stdout).toMatch(/database 3, namespace /);
    const created = await run(["create", "--owner", "org_db", "--label", "db3", "--scopes", "jobs:read", "--json", ...flags]);
    expect(created.code, created.stderr).toBe(0);
    const { id } = JSON.parse(created.stdout) as { id: string };

    const [zero, three] = [db0(), db3()];
    try {
      expect((await names(three)).length).toBeGreaterThan(0);
      expect(await names(zero)).toEqual([]);
    } finally {
      await zero.quit();
      await three.quit();
    }
    const listed = await run(["list", "--owner", "org_db", "--json", ...flags]);
    expect((JSON.parse(listed.stdout) as { data: { id: string }[] }).data.map((k) => k.id)).toEqual([id]);
    const elsewhere = await run(["list", "--owner", "org_db", "--json", "--redis-url", on(0), "--redis-namespace", prefix]);
    expect(JSON.parse(elsewhere.stdout).data).toEqual([]);
    // the deprecated --redis-prefix still names the namespace, with a note; --redis-namespace wins over it
    const list = ["list", "--owner", "org_db", "--redis-url", on(3)];
    const old = await run([...list, "--redis-prefix", prefix]);
    expect(old.code, old.stderr).toBe(0);
    expect(old.stdout).toContain(id);
    expect(old.stderr).toMatch(/note: --redis-prefix is deprecated: use --redis-namespace/);
    const both = await run([...list, "--json", "--redis-namespace", prefix, "--redis-prefix", `${prefix}:other`]);
    expect((JSON.parse(both.stdout) as { data: { id: string }[] }).data.map((k) => k.id)).toEqual([id]);
    const bothOtherWay = await run([...list, "--json", "--redis-namespace", `${prefix}:other`, "--redis-prefix", prefix]);
    expect(JSON.parse(bothOtherWay.stdout).data).toEqual([]);
    const revoked = await run(["revoke", id, "--json", ...flags]);
    expect(JSON.parse(revoked.stdout)).toMatchObject({ id, status: "revoked" });
  });
});

describe("a key minted without a configured prefix", () => {
  const tmp = tempDir("prefix");
  const store = ["--pglite", tmp.dir];
  beforeAll(async () => {
    expect((await run(["migrate", ...store])).code).toBe(0);
  }, 60_000);
  afterAll(() => tmp.remove());

  const create = (extra: string[], env: Record<string, string> = {}) =>
    run(["create", "--owner", "org_p", "--label", "x", "--scopes", "jobs:read", "--json", ...store, ...extra], { env });

  it("is still created, with a warning on stderr naming the prefix used and how to set one", async () => {
    const r = await create([]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).rawKey).toMatch(/^kw_/);
    expect(r.stderr).toMatch(
      /warning: no key prefix is set \(--prefix, KEYWARD_PREFIX or "prefix" in --config\), so the key starts with kw_/,
    );
  });

  it("no warning once the prefix is set by flag or environment", async () => {
    for (const r of [await create(["--prefix", "cho"]), await create([], { KEYWARD_PREFIX: "cho" })]) {
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).rawKey).toMatch(/^cho_/);
      expect(r.stderr).not.toMatch(/prefix/);
    }
  });
});
