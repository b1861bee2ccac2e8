/**
 * Usage-control benchmark on the memory store: `verify()` of a key without
 * limits next to one with a rate limit, one with credits, one with both and
 * one with an IP allowlist, interleaved in the same run.
 */
import { createKeyward } from "keyward";
import { memoryStore } from "keyward/memory";
import { interleaved, rate } from "./harness.js";

export async function benchUsage(): Promise<string[]> {
  const kw = createKeyward({ store: memoryStore(), prefix: "cho", roles: { viewer: ["jobs:read"] }, lastUsed: false });
  const make = async (extra: Record<string, unknown>) =>
    (await kw.create({ owner: "org_1", label: "bench", role: "viewer", ...extra })).key;
  const plain = await make({});
  const limited = await make({ ratelimit: { limit: 1_000_000_000, window: 60_000 } });
  const metered = await make({ credits: { remaining: 1_000_000_000_000 } });
  const both = await make({ ratelimit: { limit: 1_000_000_000, window: 60_000 }, credits: { remaining: 1_000_000_000_000 } });
  const office = await make({ allowedIps: ["10.0.0.0/8", "2001:db8::/32"] });
  const opts = { scopes: ["jobs:read"] };
  const fromOffice = { scopes: ["jobs:read"], ip: "10.1.2.3" };
  for (const [key, o] of [
    [plain, opts],
    [limited, opts],
    [metered, opts],
    [both, opts],
    [office, fromOffice],
  ] as const) {
    const r = await kw.verify(key, o);
    if (!r.ok) throw new Error(`bench setup: verify failed (${r.error.code})`);
  }
  const res = await interleaved({
    plain: () => kw.verify(plain, opts),
    ratelimit: () => kw.verify(limited, opts),
    credits: () => kw.verify(metered, opts),
    both: () => kw.verify(both, opts),
    allowlist: () => kw.verify(office, fromOffice),
  });
  const base = res.plain ?? 1;
  const share = (name: string) => `${rate(res[name] ?? 0)} = ${((res[name] ?? 0) / base).toFixed(2)}x`;
  await kw.close();
  return [
    `verify, no usage control (memory): ${rate(base)}`,
    `verify with a rate limit (memory): ${share("ratelimit")} (target >= 0.70x)`,
    `verify with credits (memory): ${share("credits")}`,
    `verify with a rate limit and credits (memory): ${share("both")}`,
    `verify with an IP allowlist (memory): ${share("allowlist")}`,
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of await benchUsage()) console.log(line);
}
