import { createKeyward } from "keyward";
import { memoryStore } from "keyward/memory";
import { describe, expect, it } from "vitest";
import { recordLines } from "../../cli/format.js";

describe("keyward show: usage controls", () => {
  it("lists the rate limit, the credits and the allowlist of a key that has them, and nothing for one without", async () => {
    const kw = createKeyward({ store: memoryStore(), lastUsed: false });
    const limited = await kw.create({
      owner: "org_1",
      label: "metered",
      ratelimit: { limit: 100, window: 60_000 },
      credits: { remaining: 5, refill: { amount: 10, interval: 3_600_000 } },
      allowedIps: ["10.0.0.0/8"],
    });
    const text = recordLines(limited.apiKey).join("\n");
    expect(text).toMatch(/^rate limit\s+100 per 60000 ms$/m);
    expect(text).toMatch(/^credits\s+5 \(refills to 10 every 3600000 ms\)$/m);
    expect(text).toMatch(/^allowed IPs\s+10\.0\.0\.0\/8$/m);
    const plain = recordLines((await kw.create({ owner: "org_1", label: "plain" })).apiKey).join("\n");
    expect(plain).not.toMatch(/rate limit|credits|allowed IPs/);
  });
});
