/**
 * Drives `verifier-child.ts`: a second keyward instance in its own OS
 * process, for the cross-process propagation tests of every shared store.
 */
import { type Child, startTs } from "./spawn.js";

/** One line the child reported. */
export type ChildEvent =
  | { event: "ready" }
  | { event: "refused"; code: string; at: number }
  | { event: "timeout" }
  | { event: "error"; message: string };

/** A running child verifier. */
export interface ChildVerifier {
  /** Resolves with the first report named `name`; rejects on `error`, `timeout`, an early exit, or after `within` ms. */
  next<N extends ChildEvent["event"]>(name: N, within?: number): Promise<Extract<ChildEvent, { event: N }>>;
  /** Resolves with the exit code. */
  exited(): Promise<number | null>;
  stop(): Promise<void>;
}

/**
 * Starts the child with `env` (KW_STORE and the store's settings, see
 * verifier-child.ts) and hands it `key` over stdin.
 */
export function startChildVerifier(env: Record<string, string>, key: string): ChildVerifier {
  const child: Child = startTs("test/support/verifier-child.ts", { env, input: `${key}\n` });
  const events = (): ChildEvent[] =>
    child
      .stdout()
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as ChildEvent);
  return {
    async next(name, within = 20_000) {
      const deadline = Date.now() + within;
      for (;;) {
        const seen = events();
        const found = seen.find((e) => e.event === name);
        if (found) return found as never;
        const bad = seen.find((e) => e.event === "error" || e.event === "timeout");
        if (bad) throw new Error(`the child verifier reported ${JSON.stringify(bad)}\n${child.stderr().slice(-2000)}`);
        if (child.process.exitCode !== null) throw new Error(`the child verifier exited early\n${child.stderr().slice(-2000)}`);
        if (Date.now() > deadline) throw new Error(`the child verifier did not report ${name} within ${within} ms`);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    },
    exited: () => child.exited(),
    stop: () => child.stop(),
  };
}
