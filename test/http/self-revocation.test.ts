import { createKeyward, type Keyward, type KeywardEvent } from "keyward";
import { createSelfRevocationHandler, headersFromFetch } from "keyward/http";
import { memoryStore } from "keyward/memory";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADAPTERS, type Running } from "../support/apps.js";
import { post, REVOKE_PATH, startLeakApp } from "../support/leak-apps.js";

const JSON_HEADERS = { "content-type": "application/json" };

/** Everything a client sees of an answer except the Date header. */
function view(res: Awaited<ReturnType<typeof post>>) {
  const headers: [string, string][] = [];
  res.headers.forEach((value, name) => {
    if (name !== "date") headers.push([name, value]);
  });
  return { status: res.status, headers, text: res.text };
}

describe.each(ADAPTERS)("selfRevocation on %s", (adapter) => {
  const events: KeywardEvent[] = [];
  const kw: Keyward = createKeyward({ store: memoryStore(), prefix: "cho", onEvent: (e) => void events.push(e) });
  const other = createKeyward({ store: memoryStore(), prefix: "cho" });
  let app: Running;
  beforeAll(async () => {
    app = await startLeakApp(adapter, kw, { revocation: { rateLimit: false } });
  });
  afterAll(() => app.close());

  const send = (keys: unknown) => post(app.port, REVOKE_PATH, JSON.stringify({ keys }), JSON_HEADERS);

  it("existing, already revoked, unknown and malformed keys get the identical 202; the existing ones are revoked", async () => {
    const live = await kw.create({ owner: "org_1", label: "live" });
    const dead = await kw.create({ owner: "org_1", label: "dead" });
    await kw.revoke(dead.apiKey.id);
    const unknown = (await other.create({ owner: "o", label: "elsewhere" })).key;
    events.length = 0;

    const answers = [];
    for (const keys of [[live.key], [dead.key], [unknown], ["cho_not-a-key"], [live.key, unknown]])
      answers.push(view(await send(keys)));
    expect(answers[0]?.status).toBe(202);
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(answers[0]?.text).not.toContain(live.key);

    expect((await kw.get(live.apiKey.id))?.status).toBe("revoked");
    expect((await kw.get(dead.apiKey.id))?.status).toBe("revoked");
    const leaked = events.filter((e) => e.type === "key.leaked");
    expect(leaked.map((e) => e.keyId)).toContain(live.apiKey.id);
    expect(leaked[0]).toMatchObject({ source: "self-revocation", action: "revoke", actor: null });
    expect(JSON.stringify(events)).not.toContain(live.key);
  });

  it("several keys in one request are all revoked", async () => {
    const a = await kw.create({ owner: "org_1", label: "a" });
    const b = await kw.create({ owner: "org_2", label: "b" });
    expect((await send([a.key, b.key])).status).toBe(202);
    expect((await kw.get(a.apiKey.id))?.status).toBe("revoked");
    expect((await kw.get(b.apiKey.id))?.status).toBe("revoked");
  });

  it("more than 100 keys, no keys, or keys that are not strings → 400 and nothing revoked", async () => {
    const { key, apiKey } = await kw.create({ owner: "org_1", label: "c" });
    const many = [key, ...Array.from({ length: 100 }, (_, i) => `cho_${i}`)];
    for (const keys of [many, [], [key, 1], key, undefined]) expect((await send(keys)).status, JSON.stringify(keys)).toBe(400);
    expect((await post(app.port, REVOKE_PATH, "{not json", JSON_HEADERS)).status).toBe(400);
    expect((await kw.get(apiKey.id))?.status).toBe("active");
  });
});

describe.each(ADAPTERS)("selfRevocation rate limit on %s", (adapter) => {
  it("a client over its limit gets 429 with Retry-After, and that request revokes nothing", async () => {
    const kw = createKeyward({ store: memoryStore(), prefix: "cho" });
    const app = await startLeakApp(adapter, kw, { revocation: { rateLimit: { limit: 3, window: 60_000 } } });
    try {
      for (let i = 0; i < 3; i++) expect((await post(app.port, REVOKE_PATH, '{"keys":["x"]}', JSON_HEADERS)).status).toBe(202);
      const { key, apiKey } = await kw.create({ owner: "o", label: "l" });
      const res = await post(app.port, REVOKE_PATH, JSON.stringify({ keys: [key] }), JSON_HEADERS);
      expect(res.status).toBe(429);
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      expect((await kw.get(apiKey.id))?.status).toBe("active");
    } finally {
      await app.close();
    }
  });
});

describe("selfRevocation handler", () => {
  const request = (keys: string[], address: string | null) => ({
    headers: headersFromFetch(new Headers(JSON_HEADERS)),
    path: "/revoke",
    address,
    readBody: async () => JSON.stringify({ keys }),
  });

  it("counts each client address on its own, and a new window starts after `window` ms", async () => {
    let now = 0;
    const kw = createKeyward({ store: memoryStore(), prefix: "cho" });
    const handle = createSelfRevocationHandler(kw, { rateLimit: { limit: 2, window: 1_000 }, now: () => now });
    const statuses = async (address: string) => [(await handle(request(["x"], address))).status];
    expect([...(await statuses("a")), ...(await statuses("a")), ...(await statuses("a"))]).toEqual([202, 202, 429]);
    expect(await statuses("b")).toEqual([202]);
    now += 1_000;
    expect(await statuses("a")).toEqual([202]);
  });

  it("clientKey decides who a request counts against (e.g. a proxy's header)", async () => {
    const kw = createKeyward({ store: memoryStore(), prefix: "cho" });
    const handle = createSelfRevocationHandler(kw, {
      rateLimit: { limit: 1, window: 60_000 },
      clientKey: ({ header }) => header("x-client")[0] ?? null,
    });
    const from = (client: string) => ({
      ...request(["x"], "10.0.0.1"),
      headers: headersFromFetch(new Headers({ "x-client": client })),
    });
    expect((await handle(from("one"))).status).toBe(202);
    expect((await handle(from("two"))).status).toBe(202);
    expect((await handle(from("one"))).status).toBe(429);
  });

  it("a failing store is a 503 with Retry-After, never a 202 that revoked nothing", async () => {
    const store = memoryStore();
    const kw = createKeyward({ store, prefix: "cho", storeTimeout: 200 });
    const { key } = await kw.create({ owner: "o", label: "l" });
    store.findByHash = () => Promise.reject(new Error("down"));
    const res = await createSelfRevocationHandler(kw)(request([key], "127.0.0.1"));
    expect(res.status).toBe(503);
    expect(res.headers["retry-after"]).toBeDefined();
  });
});
