import { readFileSync } from "node:fs";
import { createHasher, createKeyward, hasValidChecksum, type KeyRecord, keyPattern } from "keyward";
import { memoryStore } from "keyward/memory";
import { describe, expect, it } from "vitest";

/** Written by test/fixtures/make-golden.ts; never regenerate it to make this test pass. */
interface Golden {
  prefix: string;
  pepper: string;
  roles: Record<string, string[]>;
  cases: { name: string; key: string; peppered: boolean; expect: { ok: true; scopes: string[] } | { ok: false; code: string } }[];
  records: KeyRecord[];
}

const golden = JSON.parse(readFileSync(new URL("../fixtures/golden-v1.json", import.meta.url), "utf8")) as Golden;
const now = () => Date.UTC(2026, 0, 1);

function instances() {
  const store = memoryStore({ records: golden.records });
  const common = { store, prefix: golden.prefix, roles: golden.roles, now, lastUsed: false as const };
  return {
    store,
    plain: createKeyward(common),
    peppered: createKeyward({ ...common, pepper: golden.pepper }),
    rotatedPepper: createKeyward({ ...common, pepper: ["a-newer-pepper", golden.pepper] }),
  };
}

describe("keys created by keyward 0.1.0 keep working (SECURITY 37)", () => {
  it("the fixture covers v1 and v2 hashes, a role, and refused states", () => {
    const tags = new Set(golden.records.map((r) => r.hash.slice(0, 3)));
    expect([...tags].sort()).toEqual(["v1:", "v2:"]);
    expect(golden.records.some((r) => r.role !== null)).toBe(true);
    expect(golden.cases.map((c) => (c.expect.ok ? "ok" : c.expect.code)).sort()).toEqual([
      "disabled",
      "expired",
      "ok",
      "ok",
      "ok",
      "ok",
      "revoked",
    ]);
  });

  it.each(golden.cases.map((c) => [c.name, c] as const))("%s verifies exactly as recorded", async (_name, c) => {
    const kw = instances();
    const result = await (c.peppered ? kw.peppered : kw.plain).verify(c.key);
    if (c.expect.ok) {
      expect(result).toMatchObject({ ok: true, scopes: c.expect.scopes });
    } else {
      expect(result).toMatchObject({ ok: false, error: { code: c.expect.code, status: 401 } });
    }
  });

  it.each(golden.cases.filter((c) => c.peppered).map((c) => [c.name, c] as const))(
    "%s still verifies after the pepper is rotated (old pepper listed second)",
    async (_name, c) => {
      const result = await instances().rotatedPepper.verify(c.key);
      expect(result.ok ? "ok" : result.error.code).toBe(c.expect.ok ? "ok" : c.expect.code);
    },
  );

  it("the stored hash of every key is still computed the same way", () => {
    golden.cases.forEach((c, i) => {
      const record = golden.records[i] as KeyRecord;
      expect(record.hash).toBe((c.peppered ? createHasher(golden.pepper) : createHasher()).hash(c.key));
    });
  });

  it("the key format still recognises every key: checksum, pattern, display parts", () => {
    golden.cases.forEach((c, i) => {
      const record = golden.records[i] as KeyRecord;
      expect(hasValidChecksum(c.key)).toBe(true);
      expect(keyPattern(golden.prefix).test(c.key)).toBe(true);
      expect(c.key.startsWith(record.keyPrefix)).toBe(true);
      expect(c.key.endsWith(record.last4)).toBe(true);
    });
  });

  it("the records load unchanged and list as they were stored", async () => {
    const { plain } = instances();
    const page = await plain.list("org_golden", { limit: 100 });
    expect(page.data).toHaveLength(golden.records.length);
    for (const r of golden.records) {
      expect(await plain.get(r.id)).toMatchObject({
        id: r.id,
        label: r.label,
        keyPrefix: r.keyPrefix,
        last4: r.last4,
        role: r.role,
      });
    }
  });
});
