import { hasValidChecksum, KEY_PATTERN, KEY_STATUSES, type Keyward, NotFoundError } from "keyward";
import type { OpenStore } from "./connect.js";
import { UsageError } from "./errors.js";
import { type FlagSpec, type Invocation, required, str } from "./flags.js";
import { clean, keyTable, masked, recordLines } from "./format.js";
import type { Settings } from "./settings.js";
import { parseExpires, parseLimit, parseMetadata, parseScopes, parseStatus } from "./values.js";

/** What a command runs against once the store is open. */
export interface Context {
  keyward: Keyward;
  opened: OpenStore;
  settings: Settings;
  json: boolean;
  /** Writes one line to stdout. */
  out(line: string): void;
  /** Writes one line to stderr. */
  note(line: string): void;
}

/** A command whose input was checked: what runs once the store is open. */
export interface Prepared {
  run(ctx: Context): Promise<void>;
  /**
   * The key prefix to configure instead of the settings' one: the prefix of
   * a key read from stdin when none was set (flag, environment or config).
   */
  prefix?: string;
}

/** How a command reads the raw key for `--stdin`. */
export type StdinReader = () => Promise<string>;

/** What a command's preparation gets: the command line, the application's settings, stdin and the time. */
export interface PrepareInput {
  inv: Invocation;
  settings: Settings;
  readStdin: StdinReader;
  now: number;
}

/** One command: its help (summary, usage, flags, examples) and its preparation, in one place. */
export interface CommandSpec {
  summary: string;
  /** The usage line shown in help. */
  usage: string;
  /** Placeholder of the positional argument, e.g. `<id>`; absent when the command takes none. */
  argument?: string;
  flags: Record<string, FlagSpec>;
  examples: string[];
  /** Whether the command needs the application's settings (prefix, roles, pepper); `migrate` does not. */
  settings: boolean;
  /**
   * Checks the command's flags and arguments (throwing {@link UsageError}
   * before any connection is made) and returns what runs against the store;
   * null for `help`, which is answered before any store is opened.
   */
  prepare: ((input: PrepareInput) => Prepared | Promise<Prepared>) | null;
}

const FULL_KEY = new RegExp(`^(?:${KEY_PATTERN.source})$`);
const print = (ctx: Context, value: unknown) => ctx.out(JSON.stringify(value, null, 2));

function prepareCreate({ inv, settings, now }: PrepareInput): Prepared {
  const owner = required(inv.flags, "owner", "create");
  const label = required(inv.flags, "label", "create");
  const role = str(inv.flags, "role");
  const scopesFlag = str(inv.flags, "scopes");
  if (role === undefined && scopesFlag === undefined) throw new UsageError("--role or --scopes is required", "create");
  if (role !== undefined && Object.keys(settings.roles).length === 0) {
    throw new UsageError("--role needs the application's roles: pass --config <file.json> or set KEYWARD_ROLES", "create");
  }
  const expires = str(inv.flags, "expires");
  const metadata = str(inv.flags, "metadata");
  const input = {
    owner,
    label,
    ...(role !== undefined && { role }),
    ...(scopesFlag !== undefined && { scopes: parseScopes(scopesFlag) }),
    ...(expires !== undefined && { expiresAt: parseExpires(expires, now) }),
    ...(metadata !== undefined && { metadata: parseMetadata(metadata) }),
  };
  return {
    async run(ctx) {
      const { key, apiKey } = await ctx.keyward.create(input);
      if (ctx.json) print(ctx, { ...apiKey, rawKey: key });
      else {
        ctx.out(`Created API key ${apiKey.id} for owner ${clean(apiKey.owner)}:`);
        ctx.out("");
        ctx.out(key);
        ctx.out("");
        ctx.out("Store it now: it won't be shown again.");
        ctx.out("");
        for (const line of recordLines(apiKey)) ctx.out(line);
      }
      if (ctx.settings.prefixSet === false) {
        ctx.note(
          `warning: no key prefix is set (--prefix, KEYWARD_PREFIX or "prefix" in --config), so the key starts with ${ctx.settings.prefix}_; an application configured with another prefix refuses it`,
        );
      }
      if (ctx.settings.peppers.length === 0) {
        ctx.note("note: KEYWARD_PEPPER is not set, so the key was hashed without a pepper; set it to the application's pepper");
      }
    },
  };
}

function prepareList({ inv }: PrepareInput): Prepared {
  const owner = required(inv.flags, "owner", "list");
  const status = str(inv.flags, "status");
  const limit = str(inv.flags, "limit");
  const cursor = str(inv.flags, "cursor");
  const options = {
    ...(status !== undefined && { status: parseStatus(status) }),
    ...(limit !== undefined && { limit: parseLimit(limit) }),
    ...(cursor !== undefined && { cursor }),
  };
  return {
    async run(ctx) {
      const page = await ctx.keyward.list(owner, options);
      if (ctx.json) return print(ctx, page);
      if (page.data.length === 0) {
        ctx.out(`No keys for owner ${clean(owner)}${options.status ? ` with status ${options.status}` : ""}.`);
      } else for (const line of keyTable(page.data)) ctx.out(line);
      if (page.nextCursor) ctx.out(`\nMore keys: add --cursor ${page.nextCursor}`);
    },
  };
}

/** The prefix of a well-formed key: everything before its last `_` and 54-character body. */
const prefixOf = (key: string): string => key.slice(0, key.length - 55);

/**
 * The id of the key a raw key belongs to, through `keyward.identify`: the
 * application's checksum check and pepper order (current, older, none).
 */
async function idOfKey(ctx: Context, key: string): Promise<string> {
  const apiKey = await ctx.keyward.identify(key);
  if (apiKey) return apiKey.id;
  throw new NotFoundError("No stored key matches the key read from stdin (is KEYWARD_PEPPER the application's pepper?)");
}

type ByIdCommand = "get" | "revoke" | "disable" | "enable";

function prepareById(command: ByIdCommand): (input: PrepareInput) => Promise<Prepared> {
  return async ({ inv, settings, readStdin }) => {
    const fromStdin = inv.flags.stdin === true;
    if (fromStdin && inv.args.length > 0) throw new UsageError("pass either <id> or --stdin, not both", command);
    let rawKey: string | undefined;
    let prefix: string | undefined;
    if (fromStdin) {
      rawKey = (await readStdin()).trim();
      if (!FULL_KEY.test(rawKey) || !hasValidChecksum(rawKey)) {
        throw new UsageError("stdin does not hold a well-formed keyward key", command);
      }
      prefix = prefixOf(rawKey);
      if (settings.prefixSet !== false && prefix !== settings.prefix) {
        throw new UsageError(
          `the key read from stdin has the prefix "${prefix}", not the configured "${settings.prefix}" (--prefix, KEYWARD_PREFIX or "prefix" in --config)`,
          command,
        );
      }
    } else if (inv.args.length === 0 || inv.args[0] === "") throw new UsageError("<id> is required (or --stdin)", command);
    const idArg = inv.args[0] as string;
    return {
      ...(prefix !== undefined && { prefix }),
      async run(ctx) {
        const id = rawKey === undefined ? idArg : await idOfKey(ctx, rawKey);
        const apiKey = command === "get" ? await ctx.keyward.get(id) : await ctx.keyward[command](id);
        if (!apiKey) throw new NotFoundError(`API key ${clean(id)} not found`);
        if (ctx.json) return print(ctx, apiKey);
        if (command === "get") {
          for (const line of recordLines(apiKey)) ctx.out(line);
          return;
        }
        const verb = { revoke: "Revoked", disable: "Disabled", enable: "Enabled" }[command];
        ctx.out(
          `${verb} API key ${apiKey.id} ("${clean(apiKey.label)}", ${masked(apiKey)}, owner ${clean(apiKey.owner)}). Status: ${apiKey.status}.`,
        );
        if (command === "enable" && apiKey.status !== "active") ctx.note(`note: the key is enabled but still ${apiKey.status}`);
      },
    };
  };
}

function prepareMigrate(): Prepared {
  return {
    async run(ctx) {
      const result = await ctx.opened.migrate();
      if (ctx.json) return print(ctx, { store: ctx.opened.kind, migrated: result !== null, version: result?.version ?? null });
      if (result === null) ctx.out(`${ctx.opened.where}: Redis needs no migration; nothing to do.`);
      else ctx.out(`${ctx.opened.where}: schema is at version ${result.version}.`);
    },
  };
}

const stdinFlag: FlagSpec = {
  type: "boolean",
  description: "identify the key by the raw key read from stdin (e.g. a leaked key) instead of <id>",
};

const byId = (command: ByIdCommand, summary: string): CommandSpec => ({
  summary,
  usage: `keyward ${command} (<id> | --stdin)`,
  argument: "<id>",
  flags: { stdin: stdinFlag },
  examples: [`keyward ${command} 0b9e2f4c-5d1a-4c3e-9f7a-2b8c6d4e1f30`, `pbpaste | keyward ${command} --stdin`],
  settings: true,
  prepare: prepareById(command),
});

/** Every command of the CLI: its help and its preparation. */
export const COMMANDS: Record<string, CommandSpec> = {
  migrate: {
    summary: "Create or upgrade the PostgreSQL table (idempotent; Redis needs no migration)",
    usage: "keyward migrate [store options]",
    flags: {},
    examples: ["DATABASE_URL=postgres://app@db/app keyward migrate", "keyward migrate --pglite ./.data/keys --table api_keys"],
    settings: false,
    prepare: prepareMigrate,
  },
  create: {
    summary: "Create a key and print it once",
    usage:
      "keyward create --owner <owner> --label <label> (--role <role> | --scopes <a,b>) [--expires <when>] [--metadata <json>]",
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
    settings: true,
    prepare: prepareCreate,
  },
  list: {
    summary: "List an owner's keys, masked, newest first",
    usage: "keyward list --owner <owner> [--status <status>] [--limit <n>] [--cursor <cursor>]",
    flags: {
      owner: { type: "string", value: "<owner>", description: "tenant whose keys to list (required)" },
      status: { type: "string", value: "<status>", description: `only keys with this status: ${KEY_STATUSES.join(", ")}` },
      limit: { type: "string", value: "<n>", description: "page size, 1-100 (default 20)" },
      cursor: { type: "string", value: "<cursor>", description: "nextCursor of the previous page" },
    },
    examples: ["keyward list --owner org_1", "keyward list --owner org_1 --status active --limit 100 --json"],
    settings: true,
    prepare: prepareList,
  },
  get: byId("get", "Show one key's record (never the key)"),
  revoke: byId("revoke", "Revoke a key: instant and final"),
  disable: byId("disable", "Disable a key (reversible with enable)"),
  enable: byId("enable", "Enable a disabled key (a revoked key cannot be enabled)"),
  help: {
    summary: "Show help for a command",
    usage: "keyward help [command]",
    argument: "[command]",
    flags: {},
    examples: ["keyward help create"],
    settings: false,
    prepare: null,
  },
};
