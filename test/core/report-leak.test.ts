import { createKeyward, type KeywardEvent } from "keyward";
import { memoryStore } from "keyward/memory";
import { describe, expect, it } from "vitest";

function setup() {
  const events: KeywardEvent[] = [];
  const kw = createKeyward({ store: memoryStore(), prefix: "cho", onEvent: (e) => void events.push(e) });
  return { kw, events };
}

describe("reportLeak", () => {
  it("revokes one of our keys by default and emits key.leaked with the place, never the key", async () => {
    const { kw, events } = setup();
    const { key, apiKey } = await kw.create({ owner: "org_1", label: "CI" });
    const after = await kw.reportLeak(key, { url: "https://example.com/paste/1", source: "support" });
    expect(after).toMatchObject({ id: apiKey.id, status: "revoked" });
    expect(events.at(-1)).toMatchObject({
      type: "key.leaked",
      keyId: apiKey.id,
      owner: "org_1",
      actor: null,
      url: "https://example.com/paste/1",
      source: "support",
      action: "revoke",
    });
    expect(JSON.stringify(events)).not.toContain(key);
  });

  it("is null, with no event, for a key that is not ours (unknown, malformed, another prefix)", async () => {
    const { kw, events } = setup();
    const other = createKeyward({ store: memoryStore(), prefix: "xyz" });
    const { key: foreign } = await other.create({ owner: "o", label: "l" });
    const { key } = await createKeyward({ store: memoryStore(), prefix: "cho" }).create({ owner: "o", label: "l" });
    for (const k of [key, foreign, "cho_short", ""]) expect(await kw.reportLeak(k)).toBeNull();
    expect(events.filter((e) => e.type === "key.leaked")).toEqual([]);
  });

  it("a revoked key stays revoked whatever the action; disable and notify act as named", async () => {
    const { kw } = setup();
    const a = await kw.create({ owner: "o", label: "a" });
    await kw.revoke(a.apiKey.id);
    expect((await kw.reportLeak(a.key, { action: "disable" }))?.status).toBe("revoked");
    const b = await kw.create({ owner: "o", label: "b" });
    expect((await kw.reportLeak(b.key, { action: "disable" }))?.status).toBe("disabled");
    const c = await kw.create({ owner: "o", label: "c" });
    expect((await kw.reportLeak(c.key, { action: "notify" }))?.status).toBe("active");
  });

  it("an unknown action is a validation error and touches nothing", async () => {
    const { kw } = setup();
    const { key, apiKey } = await kw.create({ owner: "o", label: "a" });
    await expect(kw.reportLeak(key, { action: "delete" as "revoke" })).rejects.toMatchObject({ status: 422 });
    expect((await kw.get(apiKey.id))?.status).toBe("active");
  });
});
