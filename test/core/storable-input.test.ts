import { createKeyward, ValidationError } from "keyward";
import { memoryStore } from "keyward/memory";
import { describe, expect, it } from "vitest";

const kw = () => createKeyward({ store: memoryStore(), prefix: "kw", lastUsed: false });

describe("input every database can store", () => {
  it("refuses NUL and unpaired surrogates in the owner with 422, storing nothing", async () => {
    const k = kw();
    for (const owner of ["org\u0000x", "org\ud800", "org\udc00x"]) {
      await expect(k.create({ owner, label: "x" })).rejects.toBeInstanceOf(ValidationError);
    }
  });

  it("refuses NUL and unpaired surrogates anywhere in metadata, but keeps real emoji", async () => {
    const k = kw();
    await expect(k.create({ owner: "o", label: "x", metadata: { a: "b\u0000" } })).rejects.toBeInstanceOf(ValidationError);
    await expect(k.create({ owner: "o", label: "x", metadata: { nested: ["\ud83d"] } })).rejects.toBeInstanceOf(ValidationError);
    await expect(k.create({ owner: "o", label: "half \ud83d" })).rejects.toBeInstanceOf(ValidationError);
    expect((await k.list("o")).data).toHaveLength(0);
    const ok = await k.create({ owner: "o", label: "x", metadata: { team: "🔑 sync" } });
    expect(ok.apiKey.metadata).toEqual({ team: "🔑 sync" });
  });

  it("refuses an expiry beyond what a Date can hold, and a grace period beyond ten years", async () => {
    const k = kw();
    await expect(k.create({ owner: "o", label: "x", expiresAt: 1e300 })).rejects.toBeInstanceOf(ValidationError);
    const { apiKey } = await k.create({ owner: "o", label: "x" });
    await expect(k.rotate(apiKey.id, { gracePeriod: 1e300 })).rejects.toBeInstanceOf(ValidationError);
    expect((await k.get(apiKey.id))?.rotatedTo).toBeNull();
  });
});
