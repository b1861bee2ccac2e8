import { COMMANDS } from "./commands.js";
import { type FlagSpec, GLOBAL_FLAGS } from "./flags.js";

const ENVIRONMENT = [
  ["DATABASE_URL", "PostgreSQL URL, used when no store flag is given"],
  ["REDIS_URL", "Redis URL, used when no store flag is given"],
  ["KEYWARD_PEPPER", "the application's pepper(s), comma-separated, current first (never a flag)"],
  ["KEYWARD_PREFIX", "key prefix (overridden by --prefix)"],
  ["KEYWARD_ROLES", 'roles as JSON, e.g. {"admin":["*"]} (overrides the config file)'],
];

const EXIT_CODES =
  "Exit codes: 0 ok; 1 refused (validation, not found, conflict); 2 usage or setup error; 3 store unavailable or no answer within --timeout.";

function flagLines(flags: Record<string, FlagSpec>): string[] {
  const left = Object.entries(flags).map(
    ([name, f]) => `${f.short ? `-${f.short}, ` : ""}--${name}${f.value ? ` ${f.value}` : ""}`,
  );
  const width = Math.max(...left.map((l) => l.length));
  return Object.values(flags).map(
    (f, i) => `  ${(left[i] as string).padEnd(width)}  ${f.deprecated ? `deprecated, ${f.deprecated}: ` : ""}${f.description}`,
  );
}

function columns(rows: string[][]): string[] {
  const width = Math.max(...rows.map((r) => (r[0] as string).length));
  return rows.map(([a, b]) => `  ${(a as string).padEnd(width)}  ${b}`);
}

/**
 * The help text of one command, or of the whole CLI when `command` is undefined.
 *
 * @example
 * ```ts
 * process.stdout.write(helpText("create"));
 * ```
 */
export function helpText(command?: string): string {
  const spec = command ? COMMANDS[command] : undefined;
  if (!command || !spec) {
    return [
      "keyward: manage API keys from the command line",
      "",
      "Usage: keyward <command> [options]",
      "",
      "Commands:",
      ...columns(Object.entries(COMMANDS).map(([name, c]) => [name, c.summary])),
      "",
      "Global options (store: exactly one of --database-url, --redis-url, --pglite, or DATABASE_URL / REDIS_URL):",
      ...flagLines(GLOBAL_FLAGS),
      "",
      "Environment:",
      ...columns(ENVIRONMENT),
      "",
      EXIT_CODES,
      'Run "keyward <command> --help" for the options of a command.',
      "",
    ].join("\n");
  }
  const own = Object.keys(spec.flags).length > 0 ? ["Options:", ...flagLines(spec.flags), ""] : [];
  return [
    `keyward ${command}: ${spec.summary}`,
    "",
    `Usage: ${spec.usage}`,
    "",
    ...own,
    "Global options:",
    ...flagLines(GLOBAL_FLAGS),
    "",
    "Examples:",
    ...spec.examples.map((e) => `  ${e}`),
    "",
    EXIT_CODES,
    "",
  ].join("\n");
}
