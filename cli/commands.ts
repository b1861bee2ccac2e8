import { createHasher, hasValidChecksum, KEY_PATTERN, type Keyward, NotFoundError, StoreUnavailableError } from "keyward";
import { type Invocation, required, str } from "./args.js";
import type { OpenStore } from "./connect.js";
import { UsageError } from "./errors.js";
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

/** A command whose input was checked; it runs once the store is open. */
export type Prepared = (ctx: Context) => Promise<void>;

/** How a command reads the raw key for `--stdin`. */
export type StdinReader = () => Promise<string>;

const FULL_KEY = new RegExp(`^(?:${KEY_PATTERN.source})$`);
const print = (ctx: Context, value: unknown) => ctx.out(JSON.stringify(value, null, 2));

function prepareCreate(inv: Invocation, settings: Settings, now: number): Prepared {
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
  return async (ctx) => {
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
  };
}

function prepareList(inv: Invocation): Prepared {
  const owner = required(inv.flags, "owner", "list");
  const status = str(inv.flags, "status");
  const limit = str(inv.flags, "limit");
  const cursor = str(inv.flags, "cursor");
  const options = {
    ...(status !== undefined && { status: parseStatus(status) }),
    ...(limit !== undefined && { limit: parseLimit(limit) }),
    ...(cursor !== undefined && { cursor }),
  };
  return async (ctx) => {
    const page = await ctx.keyward.list(owner, options);
    if (ctx.json) return print(ctx, page);
    if (page.data.length === 0) {
      ctx.out(`No keys for owner ${clean(owner)}${options.status ? ` with status ${options.status}` : ""}.`);
    } else for (const line of keyTable(page.data)) ctx.out(line);
    if (page.nextCursor) ctx.out(`\nMore keys: add --cursor ${page.nextCursor}`);
  };
}

/** The id of the record whose hash matches a raw key, tried in the order verification uses (current pepper, older ones, none). */
async function idOfKey(ctx: Context, key: string): Promise<string> {
  const peppers = ctx.settings.peppers;
  const hasher = createHasher(peppers.length > 0 ? peppers : undefined);
  for (const hash of [hasher.hash, ...hasher.fallbacks].map((h) => h(key))) {
    let record: Awaited<ReturnType<typeof ctx.opened.store.findByHash>>;
    try {
      record = await ctx.opened.store.findByHash(hash);
    } catch (error) {
      throw new StoreUnavailableError(error);
    }
    if (record) return record.id;
  }
  throw new NotFoundError("No stored key matches the key read from stdin (is KEYWARD_PEPPER the application's pepper?)");
}

async function prepareById(inv: Invocation, readStdin: StdinReader): Promise<Prepared> {
  const command = inv.command as "get" | "revoke" | "disable" | "enable";
  const fromStdin = inv.flags.stdin === true;
  if (fromStdin && inv.args.length > 0) throw new UsageError("pass either <id> or --stdin, not both", command);
  let rawKey: string | undefined;
  if (fromStdin) {
    rawKey = (await readStdin()).trim();
    if (!FULL_KEY.test(rawKey) || !hasValidChecksum(rawKey)) {
      throw new UsageError("stdin does not hold a well-formed keyward key", command);
    }
  } else if (inv.args.length === 0 || inv.args[0] === "") throw new UsageError("<id> is required (or --stdin)", command);
  const idArg = inv.args[0] as string;
  return async (ctx) => {
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
  };
}

function prepareMigrate(): Prepared {
  return async (ctx) => {
    const result = await ctx.opened.migrate();
    if (ctx.json) return print(ctx, { store: ctx.opened.kind, migrated: result !== null, version: result?.version ?? null });
    if (result === null) ctx.out(`${ctx.opened.where}: Redis needs no migration; nothing to do.`);
    else ctx.out(`${ctx.opened.where}: schema is at version ${result.version}.`);
  };
}

/**
 * Checks a command's flags and arguments (throwing {@link UsageError} before
 * any connection is made) and returns the function that runs it.
 *
 * @example
 * ```ts
 * const run = await prepare(parseCommandLine(argv), settings, readStdin, Date.now());
 * await run(ctx);
 * ```
 */
export async function prepare(inv: Invocation, settings: Settings, readStdin: StdinReader, now: number): Promise<Prepared> {
  switch (inv.command) {
    case "migrate":
      return prepareMigrate();
    case "create":
      return prepareCreate(inv, settings, now);
    case "list":
      return prepareList(inv);
    default:
      return prepareById(inv, readStdin);
  }
}
