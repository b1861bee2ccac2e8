// The error path of every adapter, driven over real HTTP from the installed
// tarball: one answer of each class (400, 401, 403, 404, 409, 422, 503) from
// the auth middleware and the management API. pack-smoke.mjs (import) and
// pack-smoke.cjs (require) hand it the modules they loaded.
const assert = require("node:assert/strict");
const http = require("node:http");

const ROLES = { admin: ["jobs:*", "api_keys:manage"], viewer: ["jobs:read"] };
const ADMIN = { id: "u_admin", owner: "org_1", role: "admin" };

/** A memory store that can be switched off (every call throws). */
function switchable(store) {
  const state = { down: false };
  const wrapped = new Proxy(store, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (typeof value !== "function" || prop === "watch") return value;
      return (...args) => {
        if (state.down) throw new Error("store is down");
        return value.apply(target, args);
      };
    },
  });
  return { store: wrapped, state };
}

function request(port, method, path, headers = {}, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method, path, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: text ? JSON.parse(text) : null }));
    });
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

function listen(handler) {
  return new Promise((resolve) => {
    const server = http.createServer(handler);
    server.listen(0, "127.0.0.1", () => resolve({ port: server.address().port, close: () => server.close() }));
  });
}

/** A Node request handler for a Fetch-style app (Hono's `app.fetch`, a keyward/fetch handler). */
function fetchHandler(fetch) {
  return async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const headers = new Headers();
    for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    const answer = await fetch(
      new Request(`http://${req.headers.host}${req.url}`, {
        method: req.method,
        headers,
        ...(hasBody && { body: Buffer.concat(chunks) }),
      }),
    );
    res.writeHead(answer.status, Object.fromEntries(answer.headers));
    res.end(Buffer.from(await answer.arrayBuffer()));
  };
}

/** Builds the same small app with each adapter; returns a running server per adapter. */
async function servers(lib, kw) {
  const actor = (_native, context) => (context.header("x-session")[0] === "admin" ? ADMIN : null);
  const out = {};
  {
    const app = lib.Express();
    app.get("/jobs", lib.express.apiKeyAuth(kw), lib.express.requireScopes("jobs:write"), (_req, res) => res.json({ ok: true }));
    app.use("/keys", lib.express.apiKeyRoutes(kw, { actor }));
    out.express = await listen(app);
  }
  {
    const app = new lib.Hono();
    app.get("/jobs", lib.hono.apiKeyAuth(kw), lib.hono.requireScopes("jobs:write"), (c) => c.json({ ok: true }));
    app.route("/keys", lib.hono.apiKeyRoutes(kw, { actor }));
    out.hono = await listen(fetchHandler(app.fetch));
  }
  {
    const app = new lib.Koa();
    app.use(lib.koa.apiKeyRoutes(kw, { actor, prefix: "/keys" }));
    app.use(async (ctx, next) => (ctx.path === "/jobs" ? next() : undefined));
    app.use(lib.koa.apiKeyAuth(kw));
    app.use(lib.koa.requireScopes("jobs:write"));
    app.use((ctx) => {
      ctx.body = { ok: true };
    });
    out.koa = await listen(app.callback());
  }
  {
    const app = lib.Fastify();
    app.get("/jobs", { preHandler: [lib.fastify.apiKeyAuth(kw), lib.fastify.requireScopes("jobs:write")] }, async () => ({
      ok: true,
    }));
    await app.register(lib.fastify.apiKeyRoutes(kw, { actor }), { prefix: "/keys" });
    await app.listen({ port: 0, host: "127.0.0.1" });
    out.fastify = { port: app.server.address().port, close: () => app.close() };
  }
  {
    const authenticate = lib.fetch.apiKeyAuth(kw);
    const canWrite = lib.fetch.requireScopes("jobs:write");
    const keys = lib.fetch.apiKeyRoutes(kw, { actor, prefix: "/keys" });
    const handle = async (request) => {
      if (new URL(request.url).pathname !== "/jobs") return keys(request);
      const auth = await authenticate(request);
      if (!auth.ok) return auth.response;
      return canWrite(auth, request) ?? Response.json({ ok: true });
    };
    out.fetch = await listen(fetchHandler(handle));
  }
  return out;
}

async function run(lib, label) {
  const { store, state } = switchable(lib.memoryStore());
  const kw = lib.createKeyward({ store, prefix: "cho", roles: ROLES });
  const viewer = await kw.create({ owner: "org_1", label: "viewer", role: "viewer" });
  const revoked = await kw.create({ owner: "org_1", label: "gone", role: "viewer" });
  await kw.revoke(revoked.apiKey.id);
  const running = await servers(lib, kw);
  const session = { "x-session": "admin", "content-type": "application/json" };
  try {
    for (const [name, { port }] of Object.entries(running)) {
      const at = `${label} ${name}`;
      const check = async (want, method, path, headers, body) => {
        const res = await request(port, method, path, headers, body);
        assert.equal(res.status, want, `${at}: ${method} ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
        if (want >= 400) {
          assert.equal(res.body.status, want, `${at}: error body status`);
          assert.equal(typeof res.body.error, "string", `${at}: error body label`);
        }
        return res;
      };
      const r401 = await check(401, "GET", "/jobs");
      assert.match(r401.headers["www-authenticate"], /^Bearer realm="/, `${at}: challenge`);
      await check(403, "GET", "/jobs", { authorization: `Bearer ${viewer.key}` });
      await check(400, "POST", "/keys", session, "{not json");
      const r422 = await check(422, "POST", "/keys", session, JSON.stringify({ label: "  " }));
      assert.ok(Array.isArray(r422.body.details), `${at}: 422 details`);
      await check(403, "POST", "/keys", session, JSON.stringify({ label: "too strong", scopes: ["*"] }));
      await check(404, "GET", "/keys/00000000-0000-4000-8000-000000000000", session);
      await check(409, "POST", `/keys/${revoked.apiKey.id}/enable`, session);
      await check(201, "POST", "/keys", session, JSON.stringify({ label: "made over HTTP", role: "viewer" }));
      state.down = true;
      try {
        const list503 = await check(503, "GET", "/keys", session);
        assert.ok(Number(list503.headers["retry-after"]) > 0, `${at}: management 503 carries Retry-After`);
        const auth503 = await check(503, "GET", "/jobs", { authorization: `Bearer ${viewer.key}` });
        assert.ok(Number(auth503.headers["retry-after"]) > 0, `${at}: auth 503 carries Retry-After`);
      } finally {
        state.down = false;
      }
    }
  } finally {
    for (const { close } of Object.values(running)) close();
    await kw.close();
  }
  console.log(`${label}: every adapter answers 400, 401, 403, 404, 409, 422 and 503 as documented`);
}

module.exports = { run };
