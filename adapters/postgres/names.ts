import { ConfigError } from "keyward";

/**
 * Default table name.
 *
 * @example
 * ```ts
 * postgresStore({ client }).table; // '"public"."keyward_keys"'
 * ```
 */
export const DEFAULT_TABLE = "keyward_keys";
/**
 * Default schema.
 *
 * @example
 * ```ts
 * postgresStore({ client, schema: DEFAULT_SCHEMA });
 * ```
 */
export const DEFAULT_SCHEMA = "public";
/**
 * Name of the table recording applied migrations (one per schema).
 *
 * @example
 * ```ts
 * await pool.query(`SELECT * FROM ${MIGRATIONS_TABLE}`);
 * ```
 */
export const MIGRATIONS_TABLE = "keyward_migrations";

/**
 * Longest accepted table name: leaves room for the derived index and channel names (63 bytes max).
 *
 * @example
 * ```ts
 * "api_keys".length <= MAX_TABLE_LENGTH; // true
 * ```
 */
export const MAX_TABLE_LENGTH = 40;
const MAX_IDENTIFIER_LENGTH = 63;
const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * Where the store lives: table and schema.
 *
 * @example
 * ```ts
 * await migrate(pool, { table: "api_keys", schema: "auth" } satisfies TableOptions);
 * ```
 */
export interface TableOptions {
  /** Table name: lowercase letters, digits and `_`, at most 40 characters. Default `keyward_keys`. */
  table?: string | undefined;
  /** Schema name: lowercase letters, digits and `_`. Default `public`. */
  schema?: string | undefined;
}

/**
 * Resolved, validated and quoted names. Internal.
 *
 * @example
 * ```ts
 * const { qualified, target } = resolveNames({ table: "api_keys" }) satisfies Names;
 * ```
 */
export interface Names {
  schema: string;
  table: string;
  /** `"schema"."table"` */
  qualified: string;
  /** `"schema"."keyward_migrations"` */
  migrations: string;
  /** Row key in the migrations table: `schema.table`. */
  target: string;
  hashIndex: string;
  ownerIndex: string;
  /** `"schema"."<table>_consume"`: the usage-control function (migration 3). */
  consume: string;
}

/**
 * Throws {@link ConfigError} unless `value` is a plain lowercase SQL
 * identifier (`[a-z_][a-z0-9_]*`) of at most `max` characters. Plain
 * identifiers are still double-quoted in every statement.
 *
 * @example
 * ```ts
 * assertIdentifier("keyward_keys", "table"); // ok
 * assertIdentifier("keys; DROP TABLE x", "table"); // throws ConfigError
 * ```
 */
export function assertIdentifier(value: unknown, label: string, max = MAX_IDENTIFIER_LENGTH): asserts value is string {
  if (typeof value !== "string" || value.length > max || !IDENTIFIER.test(value)) {
    throw new ConfigError(
      `postgresStore: ${label} must be lowercase letters, digits and "_" (not starting with a digit), at most ${max} characters`,
    );
  }
}

/**
 * Double-quotes an identifier already checked by {@link assertIdentifier}.
 *
 * @example
 * ```ts
 * quote("keyward_keys"); // '"keyward_keys"'
 * ```
 */
export function quote(identifier: string): string {
  return `"${identifier}"`;
}

/**
 * Validates `table` and `schema` and derives every name the store uses.
 *
 * @example
 * ```ts
 * resolveNames({ table: "api_keys" }).qualified; // '"public"."api_keys"'
 * ```
 */
export function resolveNames(options: TableOptions = {}): Names {
  const table = options.table ?? DEFAULT_TABLE;
  const schema = options.schema ?? DEFAULT_SCHEMA;
  assertIdentifier(table, "table", MAX_TABLE_LENGTH);
  assertIdentifier(schema, "schema");
  if (table === MIGRATIONS_TABLE) throw new ConfigError(`postgresStore: table must not be "${MIGRATIONS_TABLE}"`);
  return {
    schema,
    table,
    qualified: `${quote(schema)}.${quote(table)}`,
    migrations: `${quote(schema)}.${quote(MIGRATIONS_TABLE)}`,
    target: `${schema}.${table}`,
    hashIndex: `${table}_hash_key`,
    ownerIndex: `${table}_owner_created_idx`,
    consume: `${quote(schema)}.${quote(`${table}_consume`)}`,
  };
}

/**
 * The default change-feed channel of a table: `<table>_changes`.
 *
 * @example
 * ```ts
 * defaultChannel("keyward_keys"); // "keyward_keys_changes"
 * ```
 */
export function defaultChannel(table: string): string {
  return `${table}_changes`;
}
