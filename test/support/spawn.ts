/**
 * The one way tests start a TypeScript entry point as a real child process
 * (the CLI, an example, a second keyward instance): `node --import tsx <file>`
 * from the repository root, so `keyward/*` resolves through tsconfig paths.
 * Each child gets its own process group, and is stopped by pid (SIGTERM, then
 * SIGKILL) — never left running after its test.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Options of {@link startTs} and {@link runTs}. */
export interface SpawnOptions {
  args?: readonly string[];
  /** Variables added to the inherited environment (`undefined` removes one). */
  env?: Record<string, string | undefined>;
  /** Written to stdin, which is then closed; keys travel this way, never in argv or env. */
  input?: string;
}

/** A started child with its output so far. */
export interface Child {
  readonly process: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** The first match of `pattern` in stdout, waiting up to `within` ms; rejects with stderr if the child exits first. */
  waitFor(pattern: RegExp, within?: number): Promise<RegExpExecArray>;
  /** Resolves with the exit code once the child has exited. */
  exited(): Promise<number | null>;
  /** SIGTERM to the child's process group, SIGKILL after `grace` ms. */
  stop(grace?: number): Promise<void>;
}

/** Starts `file` (relative to the repository root) and returns at once. */
export function startTs(file: string, options: SpawnOptions = {}): Child {
  const env: Record<string, string | undefined> = { ...process.env, ...options.env };
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name];
  const child = spawn(process.execPath, ["--import", "tsx", file, ...(options.args ?? [])], {
    cwd: ROOT,
    env,
    stdio: ["pipe", "pipe", "pipe"],
    detached: true,
  });
  let out = "";
  let err = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
  child.stdin?.on("error", () => {}); // a child that exits before reading stdin
  child.stdin?.end(options.input ?? "");
  // "close": the child exited and its output is complete
  const exit = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  return {
    process: child,
    stdout: () => out,
    stderr: () => err,
    exited: () => exit,
    async waitFor(pattern, within = 30_000) {
      const deadline = Date.now() + within;
      for (;;) {
        const match = pattern.exec(out);
        if (match) return match;
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(
            `${file} exited (code ${child.exitCode}) before printing ${pattern}\n--- stderr ---\n${err.slice(-4000)}`,
          );
        }
        if (Date.now() > deadline) throw new Error(`${file} did not print ${pattern} within ${within} ms\n${err.slice(-4000)}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    stop: (grace = 5_000) => stopGroup(child, exit, grace),
  };
}

/** What a child that ran to completion produced. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `file` to completion; kills it and rejects after `timeout` ms. */
export async function runTs(file: string, options: SpawnOptions & { timeout?: number } = {}): Promise<RunResult> {
  const child = startTs(file, options);
  const timeout = options.timeout ?? 60_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void child.stop(0);
      reject(new Error(`${file} ${(options.args ?? []).join(" ")} did not exit within ${timeout} ms\n${child.stderr()}`));
    }, timeout);
  });
  try {
    const code = await Promise.race([child.exited(), late]);
    return { code, stdout: child.stdout(), stderr: child.stderr() };
  } finally {
    clearTimeout(timer);
  }
}

function stopGroup(child: ChildProcess, exit: Promise<number | null>, grace: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
  const pid = child.pid;
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-pid, name);
    } catch {
      // the group is already gone
    }
  };
  const kill = setTimeout(() => signal("SIGKILL"), grace);
  signal(grace === 0 ? "SIGKILL" : "SIGTERM");
  return exit.then(() => clearTimeout(kill));
}

/** Whether tests must fail rather than skip when a service they need is missing (CI sets `KEYWARD_REQUIRE_SERVICES=1`). */
export function servicesRequired(): boolean {
  const flag = process.env.KEYWARD_REQUIRE_SERVICES;
  return flag !== undefined && flag !== "" && flag !== "0";
}
