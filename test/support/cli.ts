import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KEY_PATTERN } from "keyward";
import { type RunResult, runTs } from "./spawn.js";

export { ROOT } from "./spawn.js";

/** What a CLI run produced. */
export type CliResult = RunResult;

/** Environment variables the CLI reads; stripped from the inherited environment so each test sets its own. */
const CLI_ENV = ["DATABASE_URL", "REDIS_URL", "KEYWARD_PEPPER", "KEYWARD_PREFIX", "KEYWARD_ROLES", "KEYWARD_DEBUG"];

/**
 * Runs the real entry point as a subprocess (`cli/index.ts …args`).
 * `env` adds variables to a clean copy of the environment; `input` is written to stdin.
 */
export function cli(
  args: string[],
  options: { env?: Record<string, string>; input?: string; timeout?: number } = {},
): Promise<CliResult> {
  const env: Record<string, string | undefined> = Object.fromEntries(CLI_ENV.map((name) => [name, undefined]));
  Object.assign(env, options.env);
  return runTs("cli/index.ts", { args, env, input: options.input ?? "", timeout: options.timeout ?? 60_000 });
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
