import { createKeyward, type Keyward } from "keyward";
import { parseCommandLine } from "./args.js";
import { COMMANDS } from "./commands.js";
import { type Loader, type OpenStore, openStore } from "./connect.js";
import { describeFailure, EXIT, UsageError } from "./errors.js";
import { GLOBAL_FLAGS, str } from "./flags.js";
import { helpText } from "./help.js";
import { loadSettings, type Settings } from "./settings.js";
import { parseTimeout } from "./values.js";

/** Where the CLI reads and writes; every field defaults to the real process. */
export interface CliIO {
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  env?: Record<string, string | undefined>;
  /** Reads all of stdin (for `--stdin`). */
  readStdin?: () => Promise<string>;
  /** Loads a driver package (default: dynamic `import()`); tests inject failures here. */
  load?: Loader;
  /** Clock in epoch ms. */
  now?: () => number;
}

async function readProcessStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write("Paste the key, then press Ctrl-D:\n");
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString("utf8");
}

function report(error: unknown, json: boolean, write: (text: string) => void, debug: boolean): number {
  const failure = describeFailure(error);
  if (json) {
    const { exitCode, ...body } = failure;
    write(`${JSON.stringify({ error: body })}\n`);
  } else {
    const lines = [`keyward: ${failure.message}`];
    for (const d of failure.details ?? []) lines.push(`  - ${d.field}: ${d.message}`);
    if (failure.hint) lines.push(`  (${failure.hint})`);
    write(`${lines.join("\n")}\n`);
  }
  if (debug && error instanceof Error && error.stack) write(`${error.stack}\n`);
  return failure.exitCode;
}

/**
 * Runs the `keyward` CLI on `argv` (the arguments after the script) and
 * resolves with the exit code: 0 ok, 1 refused (422/404/409), 2 usage or
 * setup error, 3 store unavailable. Never throws, never prints a stack trace
 * unless `KEYWARD_DEBUG` is set, and closes every connection it opened.
 *
 * @example
 * ```ts
 * const code = await runCli(["list", "--owner", "org_1", "--pglite", "./.data"]);
 * process.exitCode = code;
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIO = {}): Promise<number> {
  const stdout = io.stdout ?? ((text: string) => void process.stdout.write(text));
  const stderr = io.stderr ?? ((text: string) => void process.stderr.write(text));
  const env = io.env ?? process.env;
  const now = io.now ?? Date.now;
  let json = argv.includes("--json");
  let opened: OpenStore | undefined;
  let keyward: Keyward | undefined;
  try {
    const inv = parseCommandLine(argv);
    json = inv.flags.json === true;
    if (inv.help || inv.command === "help") {
      // `help <command>`, `<command> --help`, and `help --help` for the help command itself
      const topic = inv.command === "help" ? (inv.args[0] ?? (inv.help ? "help" : undefined)) : inv.command;
      if (topic !== undefined && !Object.hasOwn(COMMANDS, topic)) throw new UsageError(`unknown command "${topic}"`);
      stdout(helpText(topic));
      return EXIT.ok;
    }
    // parseCommandLine refused unknown commands, and help (the one without `prepare`) was answered above
    const spec = inv.command === undefined ? undefined : COMMANDS[inv.command];
    if (!spec?.prepare) {
      stderr(helpText());
      return EXIT.usage;
    }
    if (!json) {
      for (const [name, flag] of Object.entries({ ...GLOBAL_FLAGS, ...spec.flags })) {
        if (flag.deprecated && inv.flags[name] !== undefined) stderr(`note: --${name} is deprecated: ${flag.deprecated}\n`);
      }
    }
    const settings: Settings = spec.settings ? await loadSettings(inv.flags, env) : { prefix: "kw", roles: {}, peppers: [] };
    // one deadline (`--timeout`, default 15 s) to connect and for each store call: a store that
    // accepts connections but never answers ends the run with exit 3, not a hang
    const timeout = parseTimeout(str(inv.flags, "timeout"));
    const prepared = await spec.prepare({ inv, settings, readStdin: io.readStdin ?? readProcessStdin, now: now() });
    opened = await openStore(inv.flags, env, io.load ?? ((name) => import(name)), timeout);
    keyward = createKeyward({
      store: opened.store,
      prefix: prepared.prefix ?? settings.prefix,
      ...(settings.peppers.length > 0 && { pepper: settings.peppers }),
      roles: settings.roles,
      ...(settings.scopes && { scopes: settings.scopes }),
      lastUsed: false,
      storeTimeout: timeout,
      now,
    });
    await prepared.run({
      keyward,
      opened,
      settings,
      json,
      out: (line) => stdout(`${line}\n`),
      note: (line) => stderr(`${line}\n`),
    });
    return EXIT.ok;
  } catch (error) {
    return report(error, json, stderr, Boolean(env.KEYWARD_DEBUG));
  } finally {
    await keyward?.close().catch(() => undefined);
    await opened?.close();
  }
}
