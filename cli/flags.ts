import { UsageError } from "./errors.js";

/** Parsed flag values: strings, booleans, or absent. */
export type Flags = Record<string, string | boolean | undefined>;

/** A parsed command line. */
export interface Invocation {
  /** The command, or undefined when none was given. */
  command: string | undefined;
  /** Positional arguments after the command. */
  args: string[];
  flags: Flags;
  /** `--help` / `-h` was given: show help instead of running. */
  help: boolean;
}

/** One flag: its parseArgs type, the value placeholder shown in help, and a description. */
export interface FlagSpec {
  type: "string" | "boolean";
  short?: string;
  value?: string;
  description: string;
  /** Set on a flag kept for compatibility: what to use instead, shown in help and noted when the flag is given. */
  deprecated?: string;
}

/** Flags every command accepts. */
export const GLOBAL_FLAGS: Record<string, FlagSpec> = {
  "database-url": { type: "string", value: "<url>", description: "PostgreSQL connection URL (default: $DATABASE_URL)" },
  "redis-url": {
    type: "string",
    value: "<url>",
    description: "Redis URL: redis://host:6379[/db], rediss:// for TLS (default: $REDIS_URL)",
  },
  pglite: { type: "string", value: "<dir>", description: "embedded PostgreSQL (PGlite) data directory" },
  table: { type: "string", value: "<name>", description: "PostgreSQL table (default: keyward_keys)" },
  schema: { type: "string", value: "<name>", description: "PostgreSQL schema (default: public)" },
  "redis-namespace": {
    type: "string",
    value: "<namespace>",
    description: "Redis namespace every key name starts with (default: keyward)",
  },
  "redis-prefix": {
    type: "string",
    value: "<namespace>",
    description: "the same as --redis-namespace",
    deprecated: "use --redis-namespace (--prefix is the key prefix)",
  },
  timeout: {
    type: "string",
    value: "<duration>",
    description:
      "give up on the store after this long (15s, 500ms, 2m; a bare number is seconds), to connect and per operation: exit 3 (default 15s)",
  },
  prefix: {
    type: "string",
    value: "<prefix>",
    description: "key prefix, e.g. sk_live (default: $KEYWARD_PREFIX, config, or kw)",
  },
  config: {
    type: "string",
    value: "<file.json>",
    description: "JSON file with the application's prefix, roles and scopes catalog",
  },
  json: { type: "boolean", description: "machine-readable JSON output" },
  help: { type: "boolean", short: "h", description: "show help" },
};

/** A string flag's value, or undefined. */
export function str(flags: Flags, name: string): string | undefined {
  const value = flags[name];
  return typeof value === "string" ? value : undefined;
}

/** A required string flag; throws {@link UsageError} when absent. */
export function required(flags: Flags, name: string, command: string): string {
  const value = str(flags, name);
  if (value === undefined) throw new UsageError(`--${name} is required`, command);
  return value;
}
