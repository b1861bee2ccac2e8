/**
 * keyward dashboard: the key-management page SaaS products give their customers' admins,
 * served by Hono over `apiKeyRoutes`, on the in-memory store.
 *
 *   npx tsx examples/dashboard/server.ts      # PORT (default 3004), HOST (default 127.0.0.1)
 *
 * Open the printed address. `GET /` signs the browser in as a demo admin
 * (Ada, role `admin` of the organization `org_acme`) with a session cookie;
 * the management API at /settings/api-keys resolves its actor from that
 * cookie. A real application uses its own session here, or `jwtActor` from
 * `keyward/jwt` for OAuth2 Bearer tokens. `GET /v1/jobs` is a protected
 * route (scope `jobs:read`) to try the keys you create. `GET /audit` tells
 * the page who revoked a key and whether it was reported leaked: the demo
 * records both from keyward's events (`onEvent`).
 */
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { serve } from "@hono/node-server";
import { type Context, Hono } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { csrf } from "hono/csrf";
import { secureHeaders } from "hono/secure-headers";
import { type Actor, createKeyward, type KeywardEvent } from "keyward";
import { apiKeyAuth, apiKeyRoutes, requireScopes } from "keyward/hono";
import { memoryStore } from "keyward/memory";
import ts from "typescript";

const ROLES = {
  owner: ["*"],
  admin: ["jobs:*", "api_keys:manage"],
  publisher: ["jobs:read", "jobs:write"],
  viewer: ["jobs:read"],
};

/** Display names of the demo's people, for the "Created by" column. */
const PEOPLE: Record<string, string> = { user_ada: "Ada Lovelace", user_grace: "Grace Hopper" };

/** Who the page acts as. An admin, so the role picker leaves out `owner`: nobody mints a key stronger than themselves. */
const DEMO_ADMIN: Actor = { id: "user_ada", owner: "org_acme", role: "admin" };

/**
 * Whether keys carry usage control (credits, a rate limit, an IP allowlist).
 * The page shows them, and offers "Restrict IPs…", only when this is true.
 */
const USAGE_CONTROL = true;

/**
 * What the audit trail adds to a key: who revoked it (an actor id, or null
 * for server code) and whether it was reported leaked. An application keeps
 * this in its own audit log; the demo keeps it in memory, from the events.
 */
interface AuditEntry {
  owner: string;
  revokedBy?: string | null;
  leaked?: boolean;
}
const audit = new Map<string, AuditEntry>();
const MAX_AUDIT = 10_000;

function record(event: KeywardEvent): void {
  if (!event.keyId || !event.owner) return;
  const type = event.type as string; // "key.leaked" joins the union with secret scanning
  if (type !== "key.revoked" && type !== "key.leaked") return;
  const entry = audit.get(event.keyId) ?? { owner: event.owner };
  if (type === "key.revoked") entry.revokedBy = event.actor?.id ?? null;
  else entry.leaked = true;
  if (!audit.has(event.keyId) && audit.size >= MAX_AUDIT) audit.delete(audit.keys().next().value as string);
  audit.set(event.keyId, entry);
}

const keyward = createKeyward({
  store: memoryStore(),
  prefix: "cho",
  roles: ROLES,
  // Shorter than the 60 s default so "Last used" moves while you try the demo.
  lastUsed: { window: 5_000, flushDelay: 200 },
  onEvent: record,
});

// A few keys so the list is not empty; their raw keys are dropped on the floor.
const grace: Actor = { id: "user_grace", owner: "org_acme", role: "owner" };
const crm = await keyward.create({ label: "Internal CRM sync", role: "viewer" }, { actor: grace });
await keyward.verify(crm.key); // used once, so it has a "Last used" time
// A metered partner key, set up by server code (no actor): only the server may grant credits or raise a limit.
const partner = await keyward.create({
  owner: "org_acme",
  label: "Partner feed (metered)",
  role: "viewer",
  ratelimit: { limit: 100, window: 60_000 },
  credits: { remaining: 5_000, refill: { amount: 5_000, interval: 30 * 86_400_000 } },
  allowedIps: ["203.0.113.0/24"],
});
await keyward.verify(partner.key, { ip: "203.0.113.7" });
const zapier = await keyward.create({ label: "Zapier: new jobs to Slack", role: "publisher" }, { actor: grace });
await keyward.disable(zapier.apiKey.id, { actor: grace });
const DAY = 86_400_000;
await keyward.create({ label: "Quarterly billing export", role: "viewer", expiresAt: Date.now() + 90 * DAY }, { actor: grace });
// Rotated with a week of grace: the old key still works and shows when it stops.
const mobile = await keyward.create({ label: "Mobile app backend", role: "publisher" }, { actor: grace });
await keyward.rotate(mobile.apiKey.id, { gracePeriod: 7 * DAY, actor: grace });
// Rotated with no grace: the old key is in the Expired tab.
const warehouse = await keyward.create({ label: "Data warehouse loader", role: "viewer" }, { actor: grace });
await keyward.rotate(warehouse.apiKey.id, { gracePeriod: 0, actor: grace });
const old = await keyward.create({ label: "Old deploy script", role: "publisher" }, { actor: grace });
await keyward.revoke(old.apiKey.id, { actor: grace });

// --- demo session: one random cookie per browser, all signed in as DEMO_ADMIN ---
const SESSION_COOKIE = "kw_demo_session";
const MAX_SESSIONS = 1_000;
const sessions = new Map<string, Actor>();

function sessionActor(c: Context): Actor | null {
  const id = getCookie(c, SESSION_COOKIE);
  return (id && sessions.get(id)) || null;
}

function startSession(c: Context): void {
  if (sessionActor(c)) return;
  const id = randomBytes(32).toString("base64url");
  if (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.keys().next().value as string);
  sessions.set(id, DEMO_ADMIN);
  setCookie(c, SESSION_COOKIE, id, { httpOnly: true, sameSite: "Strict", path: "/" });
}

// --- the page: static files, the page modules compiled from TypeScript once, at startup ---
const here = (file: string) => new URL(file, import.meta.url);
/** The page's modules: public/<name>.ts is served as /<name>.js; they import each other as "./<name>.js". */
const MODULES = ["app", "api", "format", "rows", "dialogs"];
const [indexHtml, styleCss, faviconSvg, ...sources] = await Promise.all([
  readFile(here("public/index.html"), "utf8"),
  readFile(here("public/style.css"), "utf8"),
  readFile(here("public/favicon.svg"), "utf8"),
  ...MODULES.map((name) => readFile(here(`public/${name}.ts`), "utf8")),
]);
const scripts = new Map(
  MODULES.map((name, i) => [
    `/${name}.js`,
    ts.transpileModule(sources[i] as string, {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
    }).outputText,
  ]),
);

const app = new Hono();
app.use(
  secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", "data:"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
    referrerPolicy: "no-referrer",
  }),
);

app.get("/", (c) => {
  startSession(c);
  c.header("cache-control", "no-store");
  return c.html(indexHtml);
});
for (const [path, js] of scripts) {
  app.get(path, (c) => c.body(js, 200, { "content-type": "text/javascript; charset=utf-8" }));
}
app.get("/style.css", (c) => c.body(styleCss, 200, { "content-type": "text/css; charset=utf-8" }));
app.get("/favicon.svg", (c) => c.body(faviconSvg, 200, { "content-type": "image/svg+xml" }));

/** Who is signed in, and the role table, so the page can describe roles and name creators. */
app.get("/session", (c) => {
  const actor = sessionActor(c);
  if (!actor) return c.json({ error: "UNAUTHORIZED", message: "Open / to start a demo session" }, 401);
  return c.json({
    user: { id: actor.id, name: PEOPLE[actor.id] ?? actor.id },
    role: actor.role,
    owner: actor.owner,
    roles: ROLES,
    people: PEOPLE,
    features: { usage: USAGE_CONTROL },
  });
});

/** The audit trail of the actor's own keys: `{ [keyId]: { revokedBy, leaked? } }`. */
app.get("/audit", (c) => {
  const actor = sessionActor(c);
  if (!actor) return c.json({ error: "UNAUTHORIZED", message: "Open / to start a demo session" }, 401);
  const own: Record<string, { revokedBy?: string | null; leaked?: boolean }> = {};
  for (const [id, { owner, ...entry }] of audit) if (owner === actor.owner) own[id] = entry;
  c.header("cache-control", "no-store");
  return c.json(own);
});

// The management API. The session cookie is SameSite=Strict and csrf() refuses
// cross-site form posts, so another site cannot drive these routes.
app.use("/settings/api-keys/*", csrf());
app.route("/settings/api-keys", apiKeyRoutes(keyward, { actor: sessionActor }));

// The API the keys are for.
const JOBS = [
  { id: "job_1", title: "Staff engineer", location: "Remote" },
  { id: "job_2", title: "Product designer", location: "Lisbon" },
];
app.get("/v1/jobs", apiKeyAuth(keyward), requireScopes("jobs:read"), (c) => c.json({ owner: c.get("apiKey").owner, data: JOBS }));
app.post("/v1/jobs", apiKeyAuth(keyward), requireScopes("jobs:write"), (c) => c.json({ created: true }, 201));

const port = Number(process.env.PORT ?? 3004);
const hostname = process.env.HOST ?? "127.0.0.1";
const server = serve({ fetch: app.fetch, port, hostname }, (info) => {
  console.log(`keyward dashboard listening on http://${hostname}:${info.port}`);
  console.log("Open it in a browser: you are signed in as a demo admin of org_acme.");
});

let closing = false;
async function shutdown(): Promise<void> {
  if (closing) return;
  closing = true;
  server.close();
  await keyward.close();
  process.exit(0);
}
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
