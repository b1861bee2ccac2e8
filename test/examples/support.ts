/**
 * Runs an example as a real child process (`node --import tsx <file>`) on a
 * free port, the way a user starts it, and stops it again.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface RunningExample {
  /** `http://127.0.0.1:<port>` as printed by the example. */
  url: string;
  /** Everything the process printed on stdout so far (it may hold the bootstrap key: never log it). */
  stdout(): string;
  /** Resolves with the first match of `pattern` in stdout, waiting up to `within` ms for it. */
  waitForOutput(pattern: RegExp, within?: number): Promise<RegExpExecArray>;
  stop(): Promise<void>;
}

/**
 * Starts `file` (relative to the repo root) with `PORT=0` and resolves once it
 * prints `listening on http://…`. Rejects with its stderr if it exits or
 * stays silent for `within` ms.
 */
export function startExample(file: string, env: Record<string, string> = {}, within = 30_000): Promise<RunningExample> {
  const child = spawn(process.execPath, ["--import", "tsx", file], {
    cwd: ROOT,
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.setEncoding("utf8");
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    err += chunk;
  });

  return new Promise((resolve, reject) => {
    const fail = (why: string): void => {
      clearTimeout(timer);
      void stopChild(child);
      reject(new Error(`${file}: ${why}\n--- stderr ---\n${err.slice(-4000)}`));
    };
    const timer = setTimeout(() => fail(`did not print "listening on" within ${within} ms`), within);
    child.once("exit", (code, signal) => fail(`exited early (code ${code}, signal ${signal})`));
    child.stdout?.on("data", (chunk: string) => {
      out += chunk;
      const match = /listening on (http:\/\/[\w.:[\]-]+)/.exec(out);
      if (!match?.[1]) return;
      clearTimeout(timer);
      child.removeAllListeners("exit");
      resolve({
        url: match[1],
        stdout: () => out,
        waitForOutput: (pattern, wait = 5_000) => waitForOutput(() => out, pattern, wait),
        stop: () => stopChild(child),
      });
    });
  });
}

async function waitForOutput(read: () => string, pattern: RegExp, within: number): Promise<RegExpExecArray> {
  const deadline = Date.now() + within;
  for (;;) {
    const match = pattern.exec(read());
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`the example did not print ${pattern} within ${within} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** SIGTERM, then SIGKILL if the process has not exited after 5 s. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** Whether tests that need `what` must fail rather than skip (CI sets `KEYWARD_REQUIRE_SERVICES=1`). */
export function servicesRequired(): boolean {
  const flag = process.env.KEYWARD_REQUIRE_SERVICES;
  return flag !== undefined && flag !== "" && flag !== "0";
}
