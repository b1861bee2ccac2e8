import { createKeyward } from "keyward";
import { createSecretScanningHandler, GITHUB_SECRET_SCANNING_KEYS_URL, headersFromFetch } from "keyward/http";
import { memoryStore } from "keyward/memory";
import { describe, expect, it } from "vitest";
import { alertBody, testSigner } from "../support/github-signer.js";

/** A fake api.github.com that publishes `signers` and counts its requests. */
function github(list: () => { key_identifier: string; key: string }[], fail = false) {
  const calls: string[] = [];
  const fetch = (async (url: string) => {
    calls.push(String(url));
    await new Promise((r) => setTimeout(r, 5));
    if (fail) throw new Error("network down");
    return new Response(JSON.stringify({ public_keys: list() }), { headers: { "content-type": "application/json" } });
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

function alert(signer: ReturnType<typeof testSigner>, token: string) {
  const body = alertBody([token]);
  return { headers: headersFromFetch(new Headers(signer.headers(body))), path: "/scan", readBody: async () => body };
}

describe("GitHub's published key list", () => {
  it("is fetched from api.github.com once and cached for every later alert", async () => {
    const signer = testSigner();
    const gh = github(() => [signer.entry]);
    const kw = createKeyward({ store: memoryStore(), prefix: "cho" });
    const handle = createSecretScanningHandler(kw, { fetch: gh.fetch });
    const { key, apiKey } = await kw.create({ owner: "o", label: "l" });
    for (let i = 0; i < 5; i++) expect((await handle(alert(signer, key))).status).toBe(200);
    expect(gh.calls).toEqual([GITHUB_SECRET_SCANNING_KEYS_URL]);
    expect((await kw.get(apiKey.id))?.status).toBe("revoked");
  });

  it("an unknown key id refreshes the list at most once per refreshInterval, however many alerts name it", async () => {
    const signer = testSigner();
    const rotated = testSigner();
    let published = [signer.entry];
    const gh = github(() => published);
    let now = 1_000_000;
    const kw = createKeyward({ store: memoryStore(), prefix: "cho" });
    const { key, apiKey } = await kw.create({ owner: "o", label: "l" });
    const handle = createSecretScanningHandler(kw, { fetch: gh.fetch, refreshInterval: 60_000, now: () => now });
    expect((await handle(alert(signer, "x"))).status).toBe(200);
    expect(gh.calls).toHaveLength(1);

    // a flood of alerts naming an unknown id, at once and one after another: no further fetch within the interval
    now += 60_000;
    const flood = await Promise.all(Array.from({ length: 50 }, () => handle(alert(rotated, key))));
    expect(flood.every((r) => r.status === 401)).toBe(true);
    for (let i = 0; i < 20; i++) expect((await handle(alert(rotated, key))).status).toBe(401);
    expect(gh.calls).toHaveLength(2);
    expect((await kw.get(apiKey.id))?.status).toBe("active");

    // GitHub publishes the new key; after the interval the next unknown id refreshes once and verifies
    published = [signer.entry, rotated.entry];
    now += 30_000;
    expect((await handle(alert(rotated, key))).status).toBe(401);
    expect(gh.calls).toHaveLength(2);
    now += 30_000;
    expect((await handle(alert(rotated, key))).status).toBe(200);
    expect(gh.calls).toHaveLength(3);
    expect((await kw.get(apiKey.id))?.status).toBe("revoked");
  });

  it("when the list cannot be fetched the alert is a 503 (GitHub retries) and nothing is touched", async () => {
    const signer = testSigner();
    const gh = github(() => [signer.entry], true);
    const kw = createKeyward({ store: memoryStore(), prefix: "cho" });
    const { key, apiKey } = await kw.create({ owner: "o", label: "l" });
    const res = await createSecretScanningHandler(kw, { fetch: gh.fetch })(alert(signer, key));
    expect(res.status).toBe(503);
    expect(res.headers["retry-after"]).toBeDefined();
    expect((await kw.get(apiKey.id))?.status).toBe("active");
  });

  it("a failing store is a 503, never a 200 labelling our key a false positive", async () => {
    const signer = testSigner();
    const store = memoryStore();
    const kw = createKeyward({ store, prefix: "cho", storeTimeout: 200 });
    const { key } = await kw.create({ owner: "o", label: "l" });
    store.findByHash = () => {
      throw new Error("down");
    };
    const res = await createSecretScanningHandler(kw, { publicKeys: [signer.entry] })(alert(signer, key));
    expect(res.status).toBe(503);
    expect(JSON.stringify(res.body)).not.toContain(key);
  });
});
