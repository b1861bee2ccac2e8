/**
 * SECURITY 39 on PostgreSQL: a row that does not make a well-formed record —
 * a column of the wrong type from a custom type parser or a driver quirk, a
 * `metadata` that is not a JSON object, `scopes` holding a malformed scope —
 * is refused by the row mapping, so `verify` answers `unavailable` (503) and
 * management calls throw StoreUnavailableError, writing nothing. Runs on
 * PGlite (no server needed).
 */
import { PGlite } from "@electric-sql/pglite";
import { createKeyward, StoreUnavailableError } from "keyward";
import { type PgClient, postgresStore } from "keyward/postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

type Row = Record<string, unknown>;

let db: PGlite;
beforeAll(() => {
  db = new PGlite();
});
afterAll(async () => {
  await db.close();
});

/** A client that lets a test rewrite every row a SELECT or RETURNING hands back. */
function tampering(inner: PgClient) {
  let tamper: ((row: Row) => Row) | null = null;
  const client: PgClient = {
    query: async (text: string, values?: unknown[]) => {
      const result = (await inner.query(text, values)) as { rows: Row[] };
      return tamper && Array.isArray(result.rows) ? { ...result, rows: result.rows.map(tamper) } : result;
    },
  };
  return { client, set: (fn: ((row: Row) => Row) | null) => (tamper = fn) };
}

let tables = 0;

async function setup() {
  const table = `kw_damaged_${++tables}`;
  const t = tampering(db as unknown as PgClient);
  const store = postgresStore({ client: t.client, table });
  const kw = createKeyward({ store, prefix: "kw", roles: { viewer: ["jobs:read"] }, lastUsed: false });
  const { key, apiKey } = await kw.create({ owner: "org_a", label: "k", role: "viewer", metadata: { team: "a" } });
  return { kw, key, id: apiKey.id, tamper: t.set, table };
}

const TAMPERS: readonly (readonly [string, (row: Row) => Row])[] = [
  ["id missing", ({ id: _, ...row }) => row],
  ["id a number", (row) => ({ ...row, id: 42 })],
  ["owner null", (row) => ({ ...row, owner: null })],
  ["hash undefined", (row) => ({ ...row, hash: undefined })],
  ["label a Buffer", (row) => ({ ...row, label: new Uint8Array([104, 105]) })],
  ["scopes a string", (row) => ({ ...row, scopes: "{jobs:*}" })],
  ["scopes holding a number", (row) => ({ ...row, scopes: [1] })],
  ["role a number", (row) => ({ ...row, role: 7 })],
  ["created_at text", (row) => ({ ...row, created_at: "soon" })],
  ["created_at empty", (row) => ({ ...row, created_at: "" })],
  ["created_at null", (row) => ({ ...row, created_at: null })],
  ["created_at a Date", (row) => ({ ...row, created_at: new Date() })],
  ["expires_at undefined", (row) => ({ ...row, expires_at: undefined })],
  ["expires_at out of range", (row) => ({ ...row, expires_at: "9000000000000000" })],
  ["revoked_at a boolean", (row) => ({ ...row, revoked_at: true })],
  ["metadata an array", (row) => ({ ...row, metadata: [1] })],
  ["metadata JSON text of an array", (row) => ({ ...row, metadata: "[1]" })],
  ["metadata null", (row) => ({ ...row, metadata: null })],
  ["metadata not JSON", (row) => ({ ...row, metadata: "{oops" })],
];

describe("postgresStore refuses rows that are not well-formed records", () => {
  it.each(TAMPERS)("%s: verify 503, get and revoke StoreUnavailableError, nothing written", async (_name, fn) => {
    const { kw, key, id, tamper, table } = await setup();
    tamper(fn);
    expect(await kw.verify(key)).toMatchObject({ ok: false, error: { code: "unavailable", status: 503 } });
    await expect(kw.get(id)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(kw.list("org_a")).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(kw.revoke(id)).rejects.toBeInstanceOf(StoreUnavailableError);
    tamper(null);
    const { rows } = await db.query<{ revoked_at: unknown }>(`SELECT revoked_at FROM "${table}" WHERE id = $1`, [id]);
    expect(rows[0]?.revoked_at).toBeNull();
    expect((await kw.verify(key)).ok).toBe(true);
  });

  it.each([
    ["metadata holding a JSON array", `metadata = '[1, 2]'::jsonb`],
    ["metadata holding a JSON string", `metadata = '"text"'::jsonb`],
    ["scopes holding a malformed scope", `scopes = ARRAY['jobs read']`],
    ["scopes holding NULL", `scopes = ARRAY[NULL]::text[]`],
    ["an expiry beyond any date", `expires_at = 9000000000000000`],
  ])("a row written behind keyward's back with %s: verify 503, never valid", async (_name, assignment) => {
    const { kw, key, id, table } = await setup();
    await db.query(`UPDATE "${table}" SET ${assignment} WHERE id = $1`, [id]);
    expect(await kw.verify(key)).toMatchObject({ ok: false, error: { code: "unavailable", status: 503 } });
    await expect(kw.get(id)).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});
