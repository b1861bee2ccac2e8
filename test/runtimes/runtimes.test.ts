/**
 * Runtime proofs: the packed package (installed by scripts/artifact.mjs into
 * .artifact/newest) runs a contract subset on Bun (memory store, and the
 * Postgres store on PGlite), Deno, and workerd through miniflare without the
 * nodejs_compat flag. Each runtime serves test/runtimes/app.mjs (the core,
 * keyward/hono, a store) on 127.0.0.1, ports 7200-7299; this file drives it
 * over real HTTP and checks every answer against the OpenAPI document.
 *
 * Runs in the dist-esm-newest project only. A runtime that is not installed
 * is skipped with a message; under KEYWARD_REQUIRE_SERVICES=1 it fails.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { openApiDocument } from "keyward/openapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Exchange } from "../support/http.js";
import { OpenApiChecker } from "../support/openapi-check.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const consumer = `${root}.artifact/newest`;
const workdir = `${consumer}/runtimes`;
const REQUIRED = process.env.KEYWARD_REQUIRE_SERVICES === "1";
const START_TIMEOUT = 60_000;

/** The scripts run from inside the consumer project, so `keyward` and `hono` resolve to what the tarball installed. */
function prepare(): void {
  if (!existsSync(`${consumer}/node_modules/keyward/package.json`)) {
    throw new Error(
      ".artifact/newest holds no installed package: run `npm run build && node scripts/artifact.mjs` (npm test does)",
    );
  }
  // Bun and esbuild apply the `paths` of the nearest tsconfig.json, even to files in node_modules: without
  // one of its own, the consumer project would inherit the repository's, which maps `keyward` to src/
  writeFileSync(`${consumer}/tsconfig.json`, '{ "compilerOptions": {} }\n');
  rmSync(workdir, { recursive: true, force: true });
  mkdirSync(workdir, { recursive: true });
  for (const file of readdirSync(fileURLToPath(new URL(".", import.meta.url)))) {
    if (file.endsWith(".mjs")) cpSync(fileURLToPath(new URL(file, import.meta.url)), `${workdir}/${file}`);
  }
}

/** The first of `candidates` that runs and prints a version, or null. */
function findBinary(candidates: string[]): string | null {
  for (const path of candidates) {
    try {
      execFileSync(path, ["--version"], { stdio: "ignore", timeout: 20_000 });
      return path;
    } catch {}
  }
  return null;
}

const bin = (name: string) => `${root}node_modules/.bin/${name}`;
const BUN = findBinary([bin("bun"), `${root}node_modules/@oven/bun-linux-x64/bin/bun`, "bun"]);
const DENO = findBinary([bin("deno"), `${root}node_modules/@deno/linux-x64-glibc/deno`, "deno"]);
const MINIFLARE = (() => {
  try {
    const require = createRequire(import.meta.url);
    return Boolean(require.resolve("miniflare") && require.resolve("esbuild"));
  } catch {
    return false;
  }
})();

/** A port of ours (7200-7299) nothing listens on. */
async function freePort(taken: Set<number> = new Set()): Promise<number> {
  for (let port = 7200; port <= 7299; port++) {
    if (taken.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error("no free port in 7200-7299");
}

interface Started {
  bases: string[];
  version: string;
  stop(): Promise<void>;
}

/** Starts a runtime script and waits for the JSON line saying it listens. */
function startScript(command: string, args: string[], env: Record<string, string> = {}): Promise<Started> {
  const child: ChildProcess = spawn(command, args, {
    cwd: workdir,
    env: { ...process.env, NO_COLOR: "1", ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let output = "";
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const kill = setTimeout(() => child.kill("SIGKILL"), 5_000);
      child.once("exit", () => {
        clearTimeout(kill);
        resolve();
      });
      child.stdin?.end(); // the scripts exit when their stdin closes
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${command} did not start within ${START_TIMEOUT} ms:\n${output}`));
    }, START_TIMEOUT);
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split("\n").find((l) => l.startsWith('{"ready"'));
      if (!line) return;
      clearTimeout(timer);
      const { ready, version } = JSON.parse(line) as { ready: number[]; version: string };
      resolve({ bases: ready.map((port) => `http://127.0.0.1:${port}`), version, stop });
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited (${code}) before listening:\n${output}`));
    });
  });
}

/** The app of app.mjs, as OpenAPI describes it: every answer below is checked against this. */
const checker = new OpenApiChecker([
  openApiDocument({
    keyPrefix: "cho",
    managementSecurity: { type: "apiKey", in: "header", name: "x-test-user" },
    protectedRoutes: [
      { method: "get", path: "/v1/jobs", scopes: ["jobs:read"] },
      { method: "post", path: "/v1/jobs", scopes: ["jobs:write"], responses: { "201": { description: "Created" } } },
    ],
  }),
  // keyward/fetch under /f
  openApiDocument({
    prefix: "/f/settings/api-keys",
    keyPrefix: "cho",
    managementSecurity: { type: "apiKey", in: "header", name: "x-test-user" },
    protectedRoutes: [{ method: "get", path: "/f/v1/jobs", scopes: ["jobs:read"] }],
  }),
]);

async function call(base: string, method: string, path: string, headers: Record<string, string> = {}, body?: unknown) {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)["content-type"] = "application/json";
  }
  const res = await fetch(base + path, init);
  const text = await res.text();
  let json: unknown;
  try {
    json = text === "" ? undefined : JSON.parse(text);
  } catch {}
  const exchange: Exchange = { status: res.status, headers: headersOf(res), text, json };
  if (!path.startsWith("/test/")) checker.check({ method, path }, exchange);
  return exchange;
}

function headersOf(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    out[name] = value;
  });
  return out;
}

/** `keyward` as the runtime resolved it: the dist/ of the installed tarball. */
const INSTALLED = `file://${consumer}/node_modules/keyward/dist/index.js`;

const admin = { "x-test-user": "admin", "content-type": "application/json" };
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
type Issued = { id: string; rawKey: string; lastUsedAt: string | null };

/** The contract subset, against the app `start` serves. */
function contract(
  name: string,
  start: () => Promise<{ base: string; stop(): Promise<void> }>,
  runtime: (info: Record<string, unknown>) => void,
) {
  describe(name, () => {
    let base = "";
    let stop: () => Promise<void> = async () => {};
    let viewer: Issued;
    const create = async (label: string, role: string): Promise<Issued> => {
      const res = await call(base, "POST", "/settings/api-keys", admin, { label, role });
      expect(res.status).toBe(201);
      return res.json as Issued;
    };

    beforeAll(async () => {
      ({ base, stop } = await start());
    }, START_TIMEOUT);
    afterAll(() => stop());

    it("is the runtime it claims to be", async () => {
      runtime((await call(base, "GET", "/test/runtime")).json as Record<string, unknown>);
    });

    it("creates a key through the management API: 201 with the key, shown once", async () => {
      viewer = await create("Runtime viewer", "viewer");
      expect(viewer.rawKey).toMatch(/^cho_[0-9A-Za-z]{54}$/);
      const listed = await call(base, "GET", "/settings/api-keys", admin);
      expect(listed.status).toBe(200);
      expect(listed.text).not.toContain(viewer.rawKey);
    });

    it("a good key → 200; no key → 401 with the challenge; a missing scope → 403", async () => {
      const ok = await call(base, "GET", "/v1/jobs", bearer(viewer.rawKey));
      expect([ok.status, ok.json]).toEqual([200, { owner: "org_a" }]);
      const none = await call(base, "GET", "/v1/jobs");
      expect([none.status, none.headers["www-authenticate"]]).toEqual([401, 'Bearer realm="api"']);
      const scope = await call(base, "POST", "/v1/jobs", bearer(viewer.rawKey));
      expect([scope.status, scope.headers["www-authenticate"]]).toEqual([
        403,
        'Bearer realm="api", error="insufficient_scope", scope="jobs:write"',
      ]);
    });

    it("management errors: an unknown key → 404, a blank label → 422 with details", async () => {
      const missing = await call(base, "GET", `/settings/api-keys/${crypto.randomUUID()}`, admin);
      expect(missing.json).toMatchObject({ status: 404, error: "NOT_FOUND" });
      const blank = await call(base, "POST", "/settings/api-keys", admin, { label: " " });
      expect(blank.json).toMatchObject({ status: 422, details: [{ field: "label", message: "must not be blank" }] });
    });

    it("a revoked key → 401 invalid_token", async () => {
      const doomed = await create("Runtime revoked", "viewer");
      expect((await call(base, "GET", "/v1/jobs", bearer(doomed.rawKey))).status).toBe(200);
      expect((await call(base, "POST", `/settings/api-keys/${doomed.id}/revoke`, admin, {})).json).toMatchObject({
        status: "revoked",
      });
      const res = await call(base, "GET", "/v1/jobs", bearer(doomed.rawKey));
      expect([res.status, res.headers["www-authenticate"]]).toEqual([401, 'Bearer realm="api", error="invalid_token"']);
    });

    it("records when keys are used (lastUsedAt), even where timers end with the request", async () => {
      const used = await create("Runtime last-used", "viewer");
      const later = await create("Runtime later use", "viewer");
      expect((await call(base, "GET", "/v1/jobs", bearer(used.rawKey))).status).toBe(200);
      await new Promise((r) => setTimeout(r, 2_600)); // the one-second batching, then over a second more
      // a later use: on workerd, where the batching timer died with its request, this one writes the batch
      expect((await call(base, "GET", "/v1/jobs", bearer(later.rawKey))).status).toBe(200);
      await expect
        .poll(async () => ((await call(base, "GET", `/settings/api-keys/${used.id}`, admin)).json as Issued).lastUsedAt, {
          timeout: 5_000,
        })
        .not.toBeNull();
    });

    it("keyward/fetch answers the same: create, 200, 401 with the challenge, 404 and 422", async () => {
      const res = await call(base, "POST", "/f/settings/api-keys", admin, { label: "Fetch viewer", role: "viewer" });
      expect(res.status).toBe(201);
      const key = (res.json as Issued).rawKey;
      const ok = await call(base, "GET", "/f/v1/jobs", bearer(key));
      expect([ok.status, ok.json]).toEqual([200, { owner: "org_a" }]);
      expect((await call(base, "GET", "/v1/jobs", bearer(key))).status).toBe(200); // one instance, two adapters
      const none = await call(base, "GET", "/f/v1/jobs");
      expect([none.status, none.headers["www-authenticate"]]).toEqual([401, 'Bearer realm="api"']);
      const missing = await call(base, "GET", `/f/settings/api-keys/${crypto.randomUUID()}`, admin);
      expect(missing.json).toMatchObject({ status: 404, error: "NOT_FOUND" });
      const blank = await call(base, "POST", "/f/settings/api-keys", admin, { label: " " });
      expect(blank.json).toMatchObject({ status: 422, details: [{ field: "label", message: "must not be blank" }] });
    });

    it("a failing store → 503 with Retry-After, never 200 or 401; then it recovers", async () => {
      expect((await call(base, "PUT", "/test/store", {}, { failing: true })).json).toEqual({ failing: true });
      try {
        const res = await call(base, "GET", "/v1/jobs", bearer(viewer.rawKey));
        expect([res.status, res.headers["retry-after"]]).toEqual([503, "5"]);
        const managed = await call(base, "GET", "/settings/api-keys", admin);
        expect([managed.status, managed.headers["retry-after"]]).toEqual([503, "5"]);
      } finally {
        await call(base, "PUT", "/test/store", {}, { failing: false });
      }
      expect((await call(base, "GET", "/v1/jobs", bearer(viewer.rawKey))).status).toBe(200);
    });
  });
}

/** A runtime that is not there: a clear skip, or a failure when CI requires every runtime. */
function missing(name: string, why: string): void {
  if (REQUIRED) {
    it(`${name} is installed`, () => {
      throw new Error(`KEYWARD_REQUIRE_SERVICES=1 but ${why}`);
    });
    return;
  }
  console.log(`[runtimes] skipping ${name}: ${why}`);
  it.skip(`${name} (${why})`, () => {});
}

beforeAll(prepare);

describe("Bun", () => {
  if (!BUN) return missing("Bun", "no bun binary (npm ci installs the `bun` package)");
  let bun: Promise<Started> | undefined;
  const started = async () => {
    const first = await freePort();
    bun ??= startScript(BUN, ["bun.mjs", String(first), String(await freePort(new Set([first])))]);
    return bun;
  };
  afterAll(async () => (await bun?.catch(() => undefined))?.stop());
  const bunRuntime = (info: Record<string, unknown>) =>
    expect(info).toMatchObject({ bun: "object", userAgent: expect.stringMatching(/^Bun\//), keyward: INSTALLED });
  contract("memory store", async () => ({ base: (await started()).bases[0] as string, stop: async () => {} }), bunRuntime);
  contract(
    "Postgres store on PGlite",
    async () => ({ base: (await started()).bases[1] as string, stop: async () => {} }),
    bunRuntime,
  );
});

describe("Deno", () => {
  if (!DENO) return missing("Deno", "no deno binary (npm ci installs the `deno` package)");
  contract(
    "memory store",
    async () => {
      const deno = await startScript(
        DENO,
        [
          "run",
          "--no-lock",
          "--no-prompt",
          "--allow-net=127.0.0.1",
          `--allow-read=${consumer}`,
          "deno.mjs",
          String(await freePort()),
        ],
        { DENO_DIR: `${root}.artifact/deno-dir`, DENO_NO_UPDATE_CHECK: "1" },
      );
      return { base: deno.bases[0] as string, stop: deno.stop };
    },
    (info) => expect(info).toMatchObject({ deno: "object", userAgent: expect.stringMatching(/^Deno\//), keyward: INSTALLED }),
  );
});

describe("workerd (miniflare, no nodejs_compat)", () => {
  if (!MINIFLARE) return missing("workerd", "miniflare or esbuild is not installed (npm ci installs both)");
  contract(
    "memory store",
    async () => {
      const tools = { build: (await import("esbuild")).build, Miniflare: (await import("miniflare")).Miniflare };
      // bundled as wrangler would, for a Worker: ES modules, the worker/browser conditions, no Node built-ins
      const out = await tools.build({
        entryPoints: [`${workdir}/worker.mjs`],
        bundle: true,
        format: "esm",
        platform: "neutral",
        mainFields: ["module", "main"],
        conditions: ["workerd", "worker", "browser"],
        write: false,
        metafile: true,
        logLevel: "silent",
        tsconfig: `${consumer}/tsconfig.json`,
      });
      // every module of keyward in the bundle comes from the installed package
      const inputs = Object.keys(out.metafile.inputs).map((p) => p.replace(/^.*?\.artifact\/newest\//, ""));
      expect(inputs).toEqual(expect.arrayContaining(["node_modules/keyward/dist/index.js", "node_modules/keyward/dist/hono.js"]));
      for (const input of inputs) expect(input).toMatch(/^(node_modules|runtimes)\//);
      const script = out.outputFiles[0]?.text ?? "";
      expect(script).not.toMatch(/\bfrom\s*["']node:|\brequire\(\s*["']node:/);
      const mf = new tools.Miniflare({
        modules: true,
        script,
        compatibilityDate: "2026-04-01",
        compatibilityFlags: [], // no nodejs_compat: Web APIs only
        host: "127.0.0.1",
        port: await freePort(),
      });
      const url = await mf.ready;
      return { base: url.origin, stop: () => mf.dispose() };
    },
    (info) =>
      // no Node compatibility layer: neither `process` nor `Buffer` exists
      expect(info).toMatchObject({
        userAgent: "Cloudflare-Workers",
        bun: "undefined",
        deno: "undefined",
        process: "undefined",
        buffer: "undefined",
      }),
  );
});
