import { readFile } from "node:fs/promises";
import type { Roles } from "keyward";
import { UsageError } from "./errors.js";
import { type Flags, str } from "./flags.js";

/** What the CLI needs from the application's configuration. */
export interface Settings {
  prefix: string;
  /** Whether the prefix was set (flag, environment or config) rather than defaulted to `kw`. */
  prefixSet?: boolean;
  roles: Roles;
  /** Scope catalog, when the application has one. */
  scopes?: string[];
  /** Peppers from `KEYWARD_PEPPER`, current first; empty means plain SHA-256. */
  peppers: string[];
}

const CONFIG_KEYS = new Set(["$schema", "prefix", "roles", "scopes"]);

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${where} is not valid JSON: ${(error as Error).message}`);
  }
}

function checkRoles(value: unknown, where: string): Roles {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new UsageError(`${where} must be an object mapping role names to scope arrays`);
  }
  for (const [name, scopes] of Object.entries(value)) {
    if (!Array.isArray(scopes) || scopes.some((s) => typeof s !== "string")) {
      throw new UsageError(`${where}: role "${name}" must be an array of scope strings`);
    }
  }
  return value as Roles;
}

async function readConfig(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read --config ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const config = parseJson(text, `--config ${file}`);
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    throw new UsageError(`--config ${file} must hold a JSON object`);
  }
  for (const key of Object.keys(config)) {
    if (key === "pepper") {
      throw new UsageError(`--config ${file}: the pepper is read only from the KEYWARD_PEPPER environment variable`);
    }
    if (!CONFIG_KEYS.has(key)) {
      throw new UsageError(`--config ${file}: unknown setting "${key}" (expected prefix, roles, scopes)`);
    }
  }
  return config as Record<string, unknown>;
}

/**
 * Resolves prefix, roles, scope catalog and pepper. Precedence: flag, then
 * environment (`KEYWARD_PREFIX`, `KEYWARD_ROLES`), then `--config`, then
 * defaults. The pepper comes only from `KEYWARD_PEPPER` (comma-separated,
 * current first), never from a flag or a file.
 *
 * @example
 * ```ts
 * const settings = await loadSettings({ config: "keyward.json" }, process.env);
 * ```
 */
export async function loadSettings(flags: Flags, env: Record<string, string | undefined>): Promise<Settings> {
  const file = str(flags, "config");
  const config = file === undefined ? {} : await readConfig(file);
  if (config.prefix !== undefined && typeof config.prefix !== "string") {
    throw new UsageError(`--config ${file}: "prefix" must be a string`);
  }
  const given = str(flags, "prefix") ?? (env.KEYWARD_PREFIX || undefined) ?? (config.prefix as string | undefined);
  const prefix = given ?? "kw";

  let roles: Roles = {};
  if (env.KEYWARD_ROLES) roles = checkRoles(parseJson(env.KEYWARD_ROLES, "KEYWARD_ROLES"), "KEYWARD_ROLES");
  else if (config.roles !== undefined) roles = checkRoles(config.roles, `--config ${file}: "roles"`);

  let scopes: string[] | undefined;
  if (config.scopes !== undefined) {
    if (!Array.isArray(config.scopes) || config.scopes.some((s) => typeof s !== "string")) {
      throw new UsageError(`--config ${file}: "scopes" must be an array of scope strings`);
    }
    scopes = config.scopes as string[];
  }

  // split on commas only: a pepper is used byte for byte, spaces included
  const peppers = (env.KEYWARD_PEPPER ?? "").split(",").filter((p) => p !== "");
  return { prefix, prefixSet: given !== undefined, roles, ...(scopes && { scopes }), peppers };
}
