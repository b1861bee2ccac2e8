import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { KEY_PATTERN } from "keyward";

/** The repository root: the CLI runs from here so tsx picks up tsconfig paths. */
export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** What a CLI run produced. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Environment variables the CLI reads; stripped from the inherited environment so each test sets its own. */
const CLI_ENV = ["DATABASE_URL", "REDIS_URL", "KEYWARD_PEPPER", "KEYWARD_PREFIX", "KEYWARD_ROLES", "KEYWARD_DEBUG"];

/**
 * Runs the real entry point as a subprocess: `npx tsx cli/index.ts …args`.
 * `env` adds variables to a clean copy of the environment; `input` is written to stdin.
 */
export function cli(
  args: string[],
  options: { env?: Record<string, string>; input?: string; timeout?: number } = {},
): Promise<CliResult> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of CLI_ENV) delete env[name];
  Object.assign(env, options.env);
  return new Promise((resolve, reject) => {
    const child = spawn("npx", ["tsx", "cli/index.ts", ...args], { cwd: ROOT, env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`keyward ${args.join(" ")} did not exit within ${options.timeout ?? 60_000} ms\n${stderr}`));
    }, options.timeout ?? 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? "");
  });
}

/** Every keyward key found in `text`. */
export function keysIn(text: string): string[] {
  return text.match(new RegExp(KEY_PATTERN.source, "g")) ?? [];
}

/** A fresh temporary directory, removed by the returned function. */
export function tempDir(label: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `keyward-cli-${label}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Whether integration suites must fail instead of skipping when a service is missing (CI). */
export const REQUIRE_SERVICES = process.env.KEYWARD_REQUIRE_SERVICES === "1";

/** Roles the tests configure through `KEYWARD_ROLES`, as an application would. */
export const ROLES = { owner: ["*"], admin: ["jobs:*", "api_keys:manage"], viewer: ["jobs:read"] };

/** A stack-trace line, which an expected error must never print. */
export const STACK_LINE = /^\s+at .+\(.+:\d+:\d+\)$/m;
