/** One flag: its parseArgs type, the value placeholder shown in help, and a description. */
export interface FlagSpec {
  type: "string" | "boolean";
  short?: string;
  value?: string;
  description: string;
}

/** One command: what it does, its positional argument, its own flags, and examples. */
export interface CommandSpec {
  summary: string;
  /** Placeholder of the positional argument, e.g. `<id>`; absent when the command takes none. */
  argument?: string;
  /** Whether the positional argument may be omitted. */
  optionalArgument?: boolean;
  flags: Record<string, FlagSpec>;
  examples: string[];
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
  "redis-prefix": { type: "string", value: "<prefix>", description: "Redis key-name prefix (default: keyward)" },
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

const stdinFlag: FlagSpec = {
  type: "boolean",
  description: "identify the key by the raw key read from stdin (e.g. a leaked key) instead of <id>",
};

const idCommand = (summary: string, verb: string): CommandSpec => ({
  summary,
  argument: "<id>",
  flags: { stdin: stdinFlag },
  examples: [`keyward ${verb} 0b9e2f4c-5d1a-4c3e-9f7a-2b8c6d4e1f30`, `pbpaste | keyward ${verb} --stdin`],
});

/** Every command of the CLI. */
export const COMMANDS: Record<string, CommandSpec> = {
  migrate: {
    summary: "Create or upgrade the PostgreSQL table (idempotent; Redis needs no migration)",
    flags: {},
    examples: ["DATABASE_URL=postgres://app@db/app keyward migrate", "keyward migrate --pglite ./.data/keys --table api_keys"],
  },
  create: {
    summary: "Create a key and print it once",
    flags: {
      owner: { type: "string", value: "<owner>", description: "tenant the key belongs to (required)" },
      label: { type: "string", value: "<label>", description: "human-readable name (required)" },
      role: {
        type: "string",
        value: "<role>",
        description: "role from --config/KEYWARD_ROLES (--role and/or --scopes required)",
      },
      scopes: { type: "string", value: "<a,b>", description: "comma-separated scopes, e.g. jobs:read,jobs:write" },
      expires: {
        type: "string",
        value: "<when>",
        description: "ISO date (2026-06-30, 2026-06-30T12:00:00Z) or duration from now (90d, 12h, 2w, 1.5h)",
      },
      metadata: { type: "string", value: "<json>", description: "JSON object stored with the key" },
    },
    examples: [
      "keyward create --owner org_1 --label 'Bootstrap admin' --role admin --config keyward.json",
      "keyward create --owner org_1 --label 'CI' --scopes jobs:read,jobs:write --expires 90d --json",
    ],
  },
  list: {
    summary: "List an owner's keys, masked, newest first",
    flags: {
      owner: { type: "string", value: "<owner>", description: "tenant whose keys to list (required)" },
      status: { type: "string", value: "<status>", description: "only active, disabled, revoked or expired keys" },
      limit: { type: "string", value: "<n>", description: "page size, 1-100 (default 20)" },
      cursor: { type: "string", value: "<cursor>", description: "nextCursor of the previous page" },
    },
    examples: ["keyward list --owner org_1", "keyward list --owner org_1 --status active --limit 100 --json"],
  },
  get: idCommand("Show one key's record (never the key)", "get"),
  revoke: idCommand("Revoke a key: instant and final", "revoke"),
  disable: idCommand("Disable a key (reversible with enable)", "disable"),
  enable: idCommand("Enable a disabled key (a revoked key cannot be enabled)", "enable"),
  help: {
    summary: "Show help for a command",
    argument: "[command]",
    optionalArgument: true,
    flags: {},
    examples: ["keyward help create"],
  },
};

const ALL_COMMAND_FLAGS: Record<string, FlagSpec> = Object.assign({}, ...Object.values(COMMANDS).map((c) => c.flags));

/** The parseArgs option table of a command: its flags plus the global ones. */
export function parseOptions(command?: string): Record<string, { type: "string" | "boolean"; short?: string }> {
  const flags = { ...GLOBAL_FLAGS, ...(command ? COMMANDS[command]?.flags : ALL_COMMAND_FLAGS) };
  return Object.fromEntries(
    Object.entries(flags).map(([name, f]) => [name, f.short ? { type: f.type, short: f.short } : { type: f.type }]),
  );
}
