import { parseArgs } from "node:util";
import { COMMANDS, type CommandSpec } from "./commands.js";
import { UsageError } from "./errors.js";
import { type FlagSpec, type Flags, GLOBAL_FLAGS, type Invocation } from "./flags.js";

const ALL_COMMAND_FLAGS: Record<string, FlagSpec> = Object.assign(
  {},
  ...Object.values(COMMANDS).map((c: CommandSpec) => c.flags),
);

/** The parseArgs option table of a command: its flags plus the global ones (every command's when none is known yet). */
function parseOptions(command?: string): Record<string, { type: "string" | "boolean"; short?: string }> {
  const flags = { ...GLOBAL_FLAGS, ...(command ? COMMANDS[command]?.flags : ALL_COMMAND_FLAGS) };
  return Object.fromEntries(
    Object.entries(flags).map(([name, f]) => [name, f.short ? { type: f.type, short: f.short } : { type: f.type }]),
  );
}

/** Turns a `node:util` parseArgs error into a short usage message. */
function usageMessage(error: unknown, command: string | undefined): UsageError {
  const { code, message } = error as { code?: string; message?: string };
  const text = String(message ?? error);
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const name = /'([^']+)'/.exec(text)?.[1] ?? text;
    return new UsageError(command ? `unknown option ${name} for "${command}"` : `unknown option ${name}`, command);
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    const flag = /'(-[^ ']+)/.exec(text)?.[1];
    if (/argument missing/.test(text) && flag) return new UsageError(`${flag} needs a value`, command);
    if (/ambiguous/.test(text) && flag) return new UsageError(`${flag} needs a value`, command);
    if (/does not take an argument/.test(text) && flag) return new UsageError(`${flag} does not take a value`, command);
  }
  return new UsageError(text.split(". ")[0] ?? text, command);
}

/**
 * Parses `argv` (without `node` and the script): the command is the first
 * positional; flags may come before or after it. Throws {@link UsageError}
 * for an unknown command or flag, a flag missing its value, or extra arguments.
 *
 * @example
 * ```ts
 * parseCommandLine(["revoke", "abc", "--json"]); // { command: "revoke", args: ["abc"], flags: { json: true }, help: false }
 * ```
 */
export function parseCommandLine(argv: readonly string[]): Invocation {
  // pass 1, lenient: find the command (knowing which flags take a value)
  const loose = parseArgs({ args: [...argv], options: parseOptions(), strict: false, allowPositionals: true });
  const command = loose.positionals[0];
  const help = loose.values.help === true;
  if (command !== undefined && !Object.hasOwn(COMMANDS, command)) {
    throw new UsageError(`unknown command "${command}"`);
  }
  // pass 2, strict: only the command's flags and the global ones
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options: parseOptions(command), strict: true, allowPositionals: true });
  } catch (error) {
    if (help) return { command, args: [], flags: {}, help };
    throw usageMessage(error, command);
  }
  const args = parsed.positionals.slice(1);
  const spec = command ? COMMANDS[command] : undefined;
  const max = spec?.argument ? 1 : 0;
  if (!help && args.length > max) {
    throw new UsageError(`unexpected argument "${args[max]}"${command ? ` for "${command}"` : ""}`, command);
  }
  return { command, args, flags: parsed.values as Flags, help };
}
