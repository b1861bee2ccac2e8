/**
 * SECURITY 40: a state-changing management request cannot be made by a
 * cross-site "simple" request — one a browser sends without a CORS preflight
 * (a form or `text/plain` body, or no body, with only the headers a browser
 * or the network adds). Such a request carries the victim's session cookie,
 * so it is refused with 415 before the actor is even resolved, on every
 * adapter. JSON bodies, bodiless requests carrying a header a page can only
 * send after a preflight, and PATCH/DELETE (always preflighted) go through.
 */
import { type Actor, type ActorContext, createKeyward, type Keyward, keyActor } from "keyward";
import { memoryStore } from "keyward/memory";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ADAPTERS, type AdapterName, type Running } from "../support/apps.js";
import { ACTORS, type Exchange, PREFIX, ROLES, request } from "../support/http.js";
import { mountHono, serveMounts } from "../support/mount.js";

const SESSION = "/settings/api-keys";
const BEARER = "/integrations/api-keys";
const MESSAGE = /Content-Type: application\/json/;

/** A session-cookie actor, as a dashboard has: the cookie is what a forged request would carry. */
let actorCalls = 0;
function cookieActor(_native: unknown, context: ActorContext): Actor | null {
  actorCalls++;
  const cookie = context.header("cookie").join("; ");
  return /(?:^|;\s*)session=admin(?:;|$)/.test(cookie) ? (ACTORS.admin as Actor) : null;
}

type Headers = [string, string][];

/** What Chromium sends with a cross-site form submission (a navigation). */
const FORM_NAVIGATION: Headers = [
  ["cache-control", "max-age=0"],
  ["sec-ch-ua", '"Chromium";v="131", "Not_A Brand";v="24"'],
  ["sec-ch-ua-mobile", "?0"],
  ["sec-ch-ua-platform", '"Linux"'],
  ["origin", "https://evil.example"],
  ["upgrade-insecure-requests", "1"],
  ["user-agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"],
  ["accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"],
  ["sec-fetch-site", "cross-site"],
  ["sec-fetch-mode", "navigate"],
  ["sec-fetch-user", "?1"],
  ["sec-fetch-dest", "document"],
  ["referer", "https://evil.example/"],
  ["accept-encoding", "gzip, deflate, br, zstd"],
  ["accept-language", "en-US,en;q=0.9"],
  ["priority", "u=0, i"],
  ["cookie", "session=admin"],
];

/** What a cross-site `fetch(url, { method: "POST", credentials: "include", body? })` carries (no preflight). */
const SIMPLE_FETCH: Headers = [
  ["origin", "https://evil.example"],
  ["user-agent", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"],
  ["accept", "*/*"],
  ["accept-language", "en-US,en;q=0.5"],
  ["accept-encoding", "gzip, deflate, br"],
  ["referer", "https://evil.example/"],
  ["sec-fetch-dest", "empty"],
  ["sec-fetch-mode", "cors"],
  ["sec-fetch-site", "cross-site"],
  ["pragma", "no-cache"],
  ["cache-control", "no-cache"],
  ["cookie", "session=admin"],
];

/** An older browser (no Sec-Fetch-*), through a reverse proxy, a CDN and tracing that add headers of their own. */
const THROUGH_PROXIES: Headers = [
  ["user-agent", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 Version/15.6 Safari/605.1.15"],
  ["accept", "*/*"],
  ["origin", "https://evil.example"],
  ["cookie", "session=admin"],
  ["x-forwarded-for", "203.0.113.7"],
  ["x-forwarded-proto", "https"],
  ["x-forwarded-host", "app.example"],
  ["x-real-ip", "203.0.113.7"],
  ["forwarded", "for=203.0.113.7;proto=https"],
  ["via", "1.1 varnish"],
  ["x-request-id", "3f2c1a"],
  ["traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"],
  ["cf-connecting-ip", "203.0.113.7"],
  ["cf-ray", "8f1b2c3d4e5f6a7b-AMS"],
  ["x-amzn-trace-id", "Root=1-67891233-abcdef012345678912345678"],
];

interface Forgery {
  method: string;
  /** Below the mount point; `:id` is replaced by the target key's id. */
  route: string;
  headers: Headers;
  contentType?: string;
  body?: string;
}

const FORGERIES: [string, Forgery][] = [
  [
    "a form post creating a key (urlencoded)",
    {
      method: "POST",
      route: "/",
      headers: FORM_NAVIGATION,
      contentType: "application/x-www-form-urlencoded",
      body: "label=pwned&role=admin",
    },
  ],
  [
    "a form post creating a key (multipart)",
    {
      method: "POST",
      route: "/",
      headers: FORM_NAVIGATION,
      contentType: "multipart/form-data; boundary=x",
      body: '--x\r\nContent-Disposition: form-data; name="label"\r\n\r\npwned\r\n--x--\r\n',
    },
  ],
  [
    "a text/plain body that holds JSON (the classic JSON forgery)",
    {
      method: "POST",
      route: "/",
      headers: SIMPLE_FETCH,
      contentType: "text/plain;charset=UTF-8",
      body: '{"label":"pwned","role":"admin"}',
    },
  ],
  [
    "a text/plain body with a JSON-looking parameter",
    {
      method: "POST",
      route: "/",
      headers: SIMPLE_FETCH,
      contentType: "text/plain; x=application/json",
      body: '{"label":"pwned"}',
    },
  ],
  ["a bodiless revoke", { method: "POST", route: "/:id/revoke", headers: SIMPLE_FETCH }],
  ["a bodiless disable", { method: "POST", route: "/:id/disable", headers: SIMPLE_FETCH }],
  ["a bodiless rotate", { method: "POST", route: "/:id/rotate", headers: SIMPLE_FETCH }],
  ["a bodiless enable", { method: "POST", route: "/:id/enable", headers: SIMPLE_FETCH }],
  [
    "a form post to revoke",
    {
      method: "POST",
      route: "/:id/revoke",
      headers: FORM_NAVIGATION,
      contentType: "application/x-www-form-urlencoded",
      body: "x=1",
    },
  ],
  ["a bodiless revoke through proxies, a CDN and tracing", { method: "POST", route: "/:id/revoke", headers: THROUGH_PROXIES }],
  [
    "a form navigation that picked up an unknown header on the way",
    { method: "POST", route: "/:id/revoke", headers: [...FORM_NAVIGATION, ["x-edge-location", "ams1"]] },
  ],
  [
    "a no-cors fetch that picked up an unknown header on the way",
    {
      method: "POST",
      route: "/:id/disable",
      headers: [
        ...SIMPLE_FETCH.filter(([n]) => n !== "sec-fetch-mode"),
        ["sec-fetch-mode", "no-cors"],
        ["x-edge-location", "ams1"],
      ],
    },
  ],
  [
    "a bodiless revoke with cached HTTP Basic credentials (a browser sends them by itself)",
    { method: "POST", route: "/:id/revoke", headers: [...SIMPLE_FETCH, ["authorization", "Basic YWRtaW46aHVudGVyMg=="]] },
  ],
];

describe.each(ADAPTERS)("cross-site simple requests to the management API over %s", (adapter: AdapterName) => {
  let kw: Keyward;
  let server: Running;
  let manager: string;
  let target: { id: string };

  const send = (
    path: string,
    o: { method?: string; headers?: Headers; contentType?: string; body?: string; chunked?: boolean },
  ) => {
    const headers: Headers = [...(o.headers ?? [])];
    if (o.contentType !== undefined) headers.push(["content-type", o.contentType]);
    return request(server.port, {
      method: o.method ?? "GET",
      path,
      headers,
      ...(o.body !== undefined && { body: o.body }),
      ...(o.chunked && { chunked: true }),
    });
  };

  const expect415 = (res: Exchange, path: string) => {
    expect(res.status).toBe(415);
    expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.json).toEqual({
      status: 415,
      error: "BAD_REQUEST",
      message: expect.stringMatching(MESSAGE),
      timestamp: expect.any(String),
      path,
    });
  };

  beforeAll(async () => {
    kw = createKeyward({ store: memoryStore(), prefix: PREFIX, roles: ROLES });
    server = await serveMounts(adapter, kw, { [SESSION]: cookieActor, [BEARER]: keyActor(kw) });
    manager = (await kw.create({ owner: "org_a", label: "manager", role: "admin" })).key;
  });
  afterAll(async () => {
    await server.close();
    await kw.close();
  });
  beforeEach(async () => {
    target = (await kw.create({ owner: "org_a", label: "target", role: "viewer" })).apiKey;
  });

  it.each(FORGERIES)("refuses %s: 415 before the actor is resolved, nothing changed", async (_name, forgery) => {
    const path = `${SESSION}${forgery.route.replace(":id", target.id)}`.replace(/\/$/, "");
    const before = (await kw.list("org_a", { limit: 100 })).data;
    const calls = actorCalls;
    expect415(await send(path, forgery), path);
    expect(actorCalls).toBe(calls);
    expect((await kw.list("org_a", { limit: 100 })).data).toEqual(before);
  });

  it("refuses a body that is not JSON-typed also from a request that is not simple, PATCH and DELETE included", async () => {
    const bearer: Headers = [["authorization", `Bearer ${manager}`]];
    const before = (await kw.list("org_a", { limit: 100 })).data;
    const cases: [string, string, Parameters<typeof send>[1]][] = [
      ["POST", BEARER, { headers: bearer, contentType: "text/plain", body: '{"label":"x"}' }],
      ["POST", BEARER, { headers: bearer, body: '{"label":"x"}' }], // no Content-Type at all
      ["POST", BEARER, { headers: bearer, contentType: "text/plain", body: '{"label":"x"}', chunked: true }], // no length
      [
        "POST",
        `${SESSION}/${target.id}/revoke`,
        {
          headers: [
            ["cookie", "session=admin"],
            ["x-requested-with", "XMLHttpRequest"],
          ],
          contentType: "application/x-www-form-urlencoded",
          body: "a=1",
        },
      ],
      ["PATCH", `${BEARER}/${target.id}`, { headers: bearer, contentType: "application/x-www-form-urlencoded", body: "label=x" }],
      ["DELETE", `${BEARER}/${target.id}`, { headers: bearer, contentType: "text/plain", body: "please" }],
      ["POST", BEARER, { headers: bearer, contentType: "application/jsonp", body: '{"label":"x"}' }],
    ];
    for (const [method, path, o] of cases) expect415(await send(path, { ...o, method }), path);
    expect((await kw.list("org_a", { limit: 100 })).data).toEqual(before);
  });

  it("accepts what a page can send only after a CORS preflight, and GET as always", async () => {
    const cookie: Headers = [...SIMPLE_FETCH];
    const created = await send(SESSION, {
      method: "POST",
      headers: cookie,
      contentType: "application/json; charset=utf-8",
      body: '{"label":"ok"}',
    });
    expect(created.status).toBe(201);
    const vendor = await send(SESSION, {
      method: "POST",
      headers: cookie,
      contentType: "Application/Vnd.Api+JSON",
      body: '{"label":"vendor"}',
    });
    expect(vendor.status).toBe(201);
    const typedNoBody = await send(`${SESSION}/${target.id}/disable`, {
      method: "POST",
      headers: cookie,
      contentType: "application/json",
    });
    expect(typedNoBody.json).toMatchObject({ id: target.id, status: "disabled" });
    const custom = await send(`${SESSION}/${target.id}/enable`, {
      method: "POST",
      headers: [...cookie, ["x-requested-with", "XMLHttpRequest"]],
    });
    expect(custom.json).toMatchObject({ id: target.id, status: "active" });
    const bearer = await send(`${BEARER}/${target.id}/rotate`, {
      method: "POST",
      headers: [["authorization", `Bearer ${manager}`]],
    });
    expect(bearer.status).toBe(201);
    const listed = await send(SESSION, { headers: cookie });
    expect(listed.status).toBe(200);
    const other = (await kw.create({ owner: "org_a", label: "to delete" })).apiKey;
    const deleted = await send(`${SESSION}/${other.id}`, { method: "DELETE", headers: cookie });
    expect(deleted.json).toMatchObject({ id: other.id, status: "revoked" });
    const renamed = await send(`${SESSION}/${other.id}`, { method: "PATCH", headers: cookie });
    expect(renamed.status).toBe(409); // reached the operation: a revoked key cannot be updated
  });
});

describe("on a Fetch runtime (Hono app.request, headers as a Fetch Headers object)", () => {
  let kw: Keyward;
  let target: { id: string };
  const app = () => mountHono(kw, { [SESSION]: cookieActor });
  const cookie = { cookie: "session=admin" };

  beforeAll(async () => {
    kw = createKeyward({ store: memoryStore(), prefix: PREFIX, roles: ROLES });
    target = (await kw.create({ owner: "org_a", label: "target" })).apiKey;
  });
  afterAll(() => kw.close());

  it("refuses string, form and multipart bodies, a bodiless POST, and a stream without Content-Length", async () => {
    const form = new FormData();
    form.set("label", "pwned");
    const stream = () =>
      new ReadableStream({
        start(c) {
          c.enqueue(new TextEncoder().encode('{"label":"pwned"}'));
          c.close();
        },
      });
    const attempts: [string, RequestInit][] = [
      [SESSION, { method: "POST", headers: cookie, body: '{"label":"pwned"}' }], // text/plain;charset=UTF-8
      [SESSION, { method: "POST", headers: cookie, body: new URLSearchParams({ label: "pwned" }) }],
      [SESSION, { method: "POST", headers: cookie, body: form }],
      [`${SESSION}/${target.id}/revoke`, { method: "POST", headers: cookie }],
      [
        SESSION,
        { method: "POST", headers: { ...cookie, "x-requested-with": "fetch" }, body: stream(), duplex: "half" } as RequestInit,
      ],
    ];
    for (const [path, init] of attempts) {
      const res = await app().request(path, init);
      expect(res.status, `${init.method} ${path}`).toBe(415);
      expect(await res.json()).toMatchObject({ status: 415, error: "BAD_REQUEST", message: expect.stringMatching(MESSAGE) });
    }
    expect((await kw.list("org_a")).data.map((k) => [k.label, k.status])).toEqual([["target", "active"]]);
  });

  it("accepts JSON, and a bodiless POST with a header only a preflighted request carries", async () => {
    const json = { ...cookie, "content-type": "application/json" };
    expect((await app().request(SESSION, { method: "POST", headers: json, body: '{"label":"ok"}' })).status).toBe(201);
    const res = await app().request(`${SESSION}/${target.id}/disable`, { method: "POST", headers: { ...cookie, "x-csrf": "1" } });
    expect(await res.json()).toMatchObject({ id: target.id, status: "disabled" });
  });
});
