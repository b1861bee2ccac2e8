/**
 * SECURITY 25 (the `null` half): a key created without an expiry — `expiresAt:
 * null` or no `expiresAt` at all — verifies however far the clock moves, and
 * nothing keyward does ever deletes it: no store call removes a record or
 * gives it a time to live, on any store. Expired keys are kept too (they list
 * as `expired`), so no cleanup exists that could catch a `null` one by
 * mistake. The 1 ms boundary and invalid dates are in test/core/lifecycle.test.ts.
 */
import { createKeyward } from "keyward";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DELETE_IF } from "../../adapters/redis/scripts.js";
import { type OpenedStore, STORE_KINDS } from "../support/store-matrix.js";

const T0 = Date.UTC(2030, 0, 1);
const CENTURIES = 300 * 365 * 86_400_000;
const roles = { viewer: ["jobs:read"] };

/** SQL that removes rows. */
const SQL_REMOVAL = /\b(DELETE|TRUNCATE|DROP)\b/i;
/** Redis commands that remove keys or give them a time to live. */
const REDIS_REMOVAL = new Set([
  "DEL",
  "UNLINK",
  "EXPIRE",
  "PEXPIRE",
  "EXPIREAT",
  "PEXPIREAT",
  "GETEX",
  "SETEX",
  "PSETEX",
  "GETDEL",
]);

/** The statements (SQL) or commands (Redis) in `sent` that would delete a record or let it expire. */
function removals(sent: readonly string[], redis: boolean): string[] {
  if (!redis) return sent.filter((statement) => SQL_REMOVAL.test(statement));
  return sent.filter((line) => {
    const words = line.split(" ");
    const command = (words[0] ?? "").toUpperCase();
    if (command === "SET") return words.slice(3).some((w) => /^(EX|PX|EXAT|PXAT)$/i.test(w));
    if (command === "EVALSHA") return words[1] === DELETE_IF.sha;
    if (command === "EVAL") return /'(DEL|UNLINK|P?EXPIRE(AT)?)'/i.test(line);
    return REDIS_REMOVAL.has(command);
  });
}

for (const kind of STORE_KINDS) {
  describe.skipIf(!kind.available)(`keys without an expiry never expire and are never deleted: ${kind.name}`, () => {
    let opened: OpenedStore;
    let now = T0;
    const clock = () => now;
    const issued: Record<"explicitNull" | "absent" | "expiring" | "revoked" | "rotatedOut", { key: string; id: string }> =
      {} as never;

    beforeAll(async () => {
      opened = await kind.open("noexp");
      const kw = createKeyward({ store: opened.store, prefix: "kw", roles, now: clock, lastUsed: { flushDelay: 1 } });
      const make = async (label: string, extra: { expiresAt?: number | null } = {}) => {
        const { key, apiKey } = await kw.create({ owner: "org_noexp", label, role: "viewer", ...extra });
        return { key, id: apiKey.id };
      };
      issued.explicitNull = await make("explicit null", { expiresAt: null });
      issued.absent = await make("no expiresAt");
      issued.expiring = await make("expires in an hour", { expiresAt: T0 + 3_600_000 });
      issued.revoked = await make("revoked");
      issued.rotatedOut = await make("rotated out");
      // a normal life: uses, state changes, a rotation
      for (const { key } of Object.values(issued)) expect((await kw.verify(key)).ok).toBe(true);
      await kw.revoke(issued.revoked.id);
      await kw.disable(issued.absent.id);
      await kw.enable(issued.absent.id);
      await kw.rotate(issued.rotatedOut.id, { gracePeriod: 1_000 });
      await kw.close();
    });

    afterAll(async () => {
      await opened.close();
    });

    it.each([
      ["a day", 86_400_000],
      ["ten years", 10 * 365 * 86_400_000],
      ["three hundred years", CENTURIES],
    ])("after %s, the null-expiry keys still verify and read as active; the dated one reads as expired", async (_n, ms) => {
      now = T0 + ms;
      const kw = createKeyward({ store: opened.store, prefix: "kw", roles, now: clock, lastUsed: false });
      for (const which of ["explicitNull", "absent"] as const) {
        const result = await kw.verify(issued[which].key, { scopes: ["jobs:read"] });
        expect(result, which).toMatchObject({ ok: true, key: { id: issued[which].id, expiresAt: null, status: "active" } });
        expect(await kw.get(issued[which].id)).toMatchObject({ status: "active", active: true, expiresAt: null });
      }
      expect(await kw.verify(issued.expiring.key)).toMatchObject({ ok: false, error: { code: "expired" } });
      await kw.close();
    });

    it("no record was deleted: every key is still stored and listed under its status, far in the future", async () => {
      now = T0 + CENTURIES;
      const kw = createKeyward({ store: opened.store, prefix: "kw", roles, now: clock, lastUsed: false });
      const listed = async (status?: "active" | "expired" | "revoked") =>
        (await kw.list("org_noexp", { limit: 100, ...(status && { status }) })).data.map((k) => k.label).sort();
      expect(await listed()).toHaveLength(6); // five created, one rotation replacement
      expect(await listed("active")).toEqual(["explicit null", "no expiresAt", "rotated out"].sort()); // the replacement keeps the label
      expect(await listed("expired")).toEqual(["expires in an hour", "rotated out"]);
      expect(await listed("revoked")).toEqual(["revoked"]);
      for (const { id } of Object.values(issued)) expect(await opened.store.get(id), id).not.toBeNull();
      await kw.close();
    });

    it("nothing was ever asked to delete a record or give it a time to live", () => {
      const redis = opened.redis !== undefined;
      expect(opened.sent.length > 0).toBe(kind.name !== "memoryStore");
      expect(removals(opened.sent, redis)).toEqual([]);
      // the check does catch such calls
      expect(removals(["DEL kw:rec:{x}", "SET kw:id:{x} v1:y NX PX 1000", `EVALSHA ${DELETE_IF.sha} 1 k v`], true)).toHaveLength(
        3,
      );
      expect(removals(["DELETE FROM t WHERE expires_at < $1", "WITH d AS (DELETE FROM t) SELECT 1"], false)).toHaveLength(2);
    });

    if (kind.name.startsWith("redisStore")) {
      it("Redis holds every key name of these records without a time to live", async () => {
        const redis = opened.redis as NonNullable<OpenedStore["redis"]>;
        const names = await redis.keys();
        expect(names.length).toBeGreaterThanOrEqual(6 + 6 + 1); // a record and an id index per key, one owner index
        for (const name of names) expect(await redis.send(["PTTL", name]), name).toBe(-1);
      });
    }
  });
}
