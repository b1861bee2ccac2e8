/**
 * Runs an example as a real child process on a free port (`PORT=0`), the way a
 * user starts it, and stops it again.
 */
import { type Child, startTs } from "./spawn.js";

export { ROOT, servicesRequired } from "./spawn.js";

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
export async function startExample(
  file: string,
  env: Record<string, string> = {},
  within = 30_000,
  args: readonly string[] = [],
): Promise<RunningExample> {
  const child: Child = startTs(file, { env: { PORT: "0", HOST: "127.0.0.1", ...env }, args });
  try {
    const match = await child.waitFor(/listening on (http:\/\/[\w.:[\]-]+)/, within);
    return {
      url: match[1] as string,
      stdout: child.stdout,
      waitForOutput: (pattern, wait = 5_000) => child.waitFor(pattern, wait),
      stop: () => child.stop(),
    };
  } catch (error) {
    await child.stop();
    throw error;
  }
}
