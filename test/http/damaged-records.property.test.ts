/**
 * SECURITY 39, as a property over real HTTP: whatever malformed answer the
 * store gives — a record with fields missing, of the wrong type, `undefined`
 * for `null`, a string where an array belongs; no record object at all; an
 * object that throws when read; a throw, a rejection, a promise or thenable
 * that never settles (bounded by a short `storeTimeout`) — every adapter
 * answers 503 with `Retry-After`, never 200 and never 500: on protected
 * routes, through `keyActor`, and on every management route. The same holds
 * for `verify`, `keyActor` and the management calls used directly. A damaged
 * answer is never cached: the next good answer is served again.
 */
import fc from "fast-check";
import { createKeyward, type Keyward, keyActor, StoreUnavailableError } from "keyward";
import { memoryStore } from "keyward/memory";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADAPTERS, type AdapterName, type Running, start } from "../support/apps.js";
import { type Exchange, PREFIX, ROLES, request } from "../support/http.js";
import {
  arbitraryBehaviour,
  type Behaviour,
  describeBehaviour,
  type FaultyStore,
  faultyStore,
  type ReadMethod,
} from "./damaged-answers.js";

const RUNS = 120;
const BASE = "/settings/api-keys";

interface Keys {
  viewer: { key: string; id: string };
  admin: { key: string; id: string };
}

/** One request of the app in `apps.ts`, and the store reads it makes (in order). */
interface Route {
  name: string;
  reads: readonly ReadMethod[];
  /** Whether a good answer afterwards gives 200 again (a route that only reads). */
  recovers: boolean;
  send(port: number, keys: Keys): Promise<Exchange>;
}

const bearer = (key: string): [string, string] => ["authorization", `Bearer ${key}`];
const session: [string, string] = ["x-test-user", "admin"];
const json: [string, string] = ["content-type", "application/json"];

const ROUTES: readonly Route[] = [
  {
    name: "GET /v1/jobs (apiKeyAuth, Bearer)",
    reads: ["findByHash"],
    recovers: true,
    send: (port, k) => request(port, { path: "/v1/jobs", headers: [bearer(k.viewer.key)] }),
  },
  {
    name: "GET /x/jobs (apiKeyAuth, X-API-Key)",
    reads: ["findByHash"],
    recovers: true,
    send: (port, k) => request(port, { path: "/x/jobs", headers: [["x-api-key", k.viewer.key]] }),
  },
  {
    name: "GET /integrations/api-keys (keyActor, then list)",
    reads: ["findByHash", "list"],
    recovers: true,
    send: (port, k) => request(port, { path: "/integrations/api-keys", headers: [bearer(k.admin.key)] }),
  },
  {
    name: "GET / (list)",
    reads: ["list"],
    recovers: true,
    send: (port) => request(port, { path: BASE, headers: [session] }),
  },
  {
    name: "GET /:id",
    reads: ["get"],
    recovers: true,
    send: (port, k) => request(port, { path: `${BASE}/${k.viewer.id}`, headers: [session] }),
  },
  {
    name: "PATCH /:id",
    reads: ["get", "update"],
    recovers: false,
    send: (port, k) =>
      request(port, { method: "PATCH", path: `${BASE}/${k.viewer.id}`, headers: [session, json], body: '{"label":"renamed"}' }),
  },
  ...(["disable", "enable", "revoke", "rotate"] as const).map(
    (action): Route => ({
      name: `POST /:id/${action}`,
      reads: ["get", action === "rotate" ? "rotate" : "transition"],
      recovers: false,
      send: (port, k) => request(port, { method: "POST", path: `${BASE}/${k.viewer.id}/${action}`, headers: [session] }),
    }),
  ),
  {
    name: "DELETE /:id",
    reads: ["get", "transition"],
    recovers: false,
    send: (port, k) => request(port, { method: "DELETE", path: `${BASE}/${k.viewer.id}`, headers: [session] }),
  },
];

/** A keyward (with a verification cache, so a damaged answer that got cached would show) on a store that misbehaves on demand. */
function faultyKeyward(): { kw: Keyward; store: FaultyStore } {
  const store = faultyStore(memoryStore());
  const kw = createKeyward({
    store,
    prefix: PREFIX,
    roles: ROLES,
    storeTimeout: 40,
    lastUsed: false,
    cache: { ttl: 60_000, max: 10_000 },
  });
  return { kw, store };
}

/** Fresh keys for one run, so no earlier run's state (or cache entry) decides this one. */
async function freshKeys(kw: Keyward): Promise<Keys> {
  const viewer = await kw.create({ owner: "org_a", label: "viewer", role: "viewer" });
  const admin = await kw.create({ owner: "org_a", label: "admin", role: "admin" });
  return { viewer: { key: viewer.key, id: viewer.apiKey.id }, admin: { key: admin.key, id: admin.apiKey.id } };
}

/** A route, a misbehaviour, and the non-empty set of the route's reads it hits. */
const arbitraryCase = fc.constantFrom(...ROUTES.map((r) => r.name)).chain((name) => {
  const route = ROUTES.find((r) => r.name === name) as Route;
  return fc.record({
    route: fc.constant(route),
    behaviour: arbitraryBehaviour,
    targets: fc.subarray([...route.reads], { minLength: 1 }),
  });
});

describe.each(ADAPTERS)("damaged store answers over %s", (adapter: AdapterName) => {
  let server: Running;
  let kw: Keyward;
  let store: FaultyStore;
  beforeAll(async () => {
    ({ kw, store } = faultyKeyward());
    server = await start(adapter, { kw });
  });
  afterAll(async () => {
    store.fault = null;
    await server.close();
    await kw.close();
  });

  it("never answer 200 or 500: always 503 with Retry-After, and the next good answer is served", async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryCase, async ({ route, behaviour, targets }) => {
        store.fault = null;
        const keys = await freshKeys(kw);
        store.fault = { behaviour, targets: new Set(targets) };
        let res: Exchange;
        try {
          res = await route.send(server.port, keys);
        } finally {
          store.fault = null;
        }
        const what = `${route.name}, ${targets.join("+")} ${describeBehaviour(behaviour)}`;
        expect(res.status, what).toBe(503);
        expect(res.headers["retry-after"], what).toMatch(/^\d+$/);
        expect(res.headers["www-authenticate"], what).toBeUndefined();
        expect(res.json, what).toMatchObject({ status: 503, error: "SERVICE_UNAVAILABLE" });
        if (route.recovers) expect((await route.send(server.port, keys)).status, `${what}, then a good answer`).toBe(200);
      }),
      { numRuns: RUNS },
    );
  });
});

describe("damaged store answers, used directly", () => {
  let kw: Keyward;
  let store: FaultyStore;
  beforeAll(() => {
    ({ kw, store } = faultyKeyward());
  });
  afterAll(async () => {
    store.fault = null;
    await kw.close();
  });

  /** Sets the fault, runs `call` (asserting it does not throw synchronously), clears the fault. */
  const under = async <T>(behaviour: Behaviour, targets: ReadMethod[], call: () => Promise<T>): Promise<T | unknown> => {
    store.fault = { behaviour, targets: new Set(targets) };
    try {
      let pending: Promise<T> | undefined;
      expect(() => {
        pending = call();
      }).not.toThrow();
      return await (pending as Promise<T>).catch((e: unknown) => e);
    } finally {
      store.fault = null;
    }
  };

  it("verify resolves unavailable (503), never ok, never a throw or a rejection", async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryBehaviour, fc.constantFrom([], ["jobs:read"], ["*"]), async (behaviour, scopes) => {
        const keys = await freshKeys(kw);
        const result = await under(behaviour, ["findByHash"], () => kw.verify(keys.viewer.key, { scopes }));
        expect(result, describeBehaviour(behaviour)).toEqual({
          ok: false,
          error: expect.objectContaining({ code: "unavailable", status: 503 }),
        });
        expect((await kw.verify(keys.viewer.key)).ok).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it("keyActor rejects with StoreUnavailableError (503), never resolves an actor", async () => {
    const resolveActor = keyActor(kw);
    await fc.assert(
      fc.asyncProperty(arbitraryBehaviour, async (behaviour) => {
        const keys = await freshKeys(kw);
        const outcome = await under(behaviour, ["findByHash"], () =>
          resolveActor({}, { header: (name) => (name === "authorization" ? [`Bearer ${keys.admin.key}`] : []) }),
        );
        expect(outcome, describeBehaviour(behaviour)).toBeInstanceOf(StoreUnavailableError);
      }),
      { numRuns: RUNS },
    );
  });

  const ADMIN = { id: "u_admin", owner: "org_a", role: "admin" };
  type Op = "get" | "list" | "update" | "disable" | "enable" | "revoke" | "rotate";
  const OPS: Record<Op, { reads: readonly ReadMethod[]; run: (id: string) => Promise<unknown> }> = {
    get: { reads: ["get"], run: (id: string) => kw.get(id, { actor: ADMIN }) },
    list: { reads: ["list"], run: () => kw.list("org_a", { actor: ADMIN }) },
    update: { reads: ["get", "update"], run: (id: string) => kw.update(id, { label: "renamed" }, { actor: ADMIN }) },
    disable: { reads: ["get", "transition"], run: (id: string) => kw.disable(id, { actor: ADMIN }) },
    enable: { reads: ["get", "transition"], run: (id: string) => kw.enable(id, { actor: ADMIN }) },
    revoke: { reads: ["get", "transition"], run: (id: string) => kw.revoke(id, { actor: ADMIN }) },
    rotate: { reads: ["get", "rotate"], run: (id: string) => kw.rotate(id, { actor: ADMIN }) },
  };
  it("management calls reject with StoreUnavailableError; a damaged read is never followed by a write", async () => {
    const op = fc.constantFrom(...(Object.keys(OPS) as Op[]));
    await fc.assert(
      fc.asyncProperty(op, arbitraryBehaviour, fc.boolean(), async (name, behaviour, writeOnly) => {
        const { reads, run } = OPS[name];
        const keys = await freshKeys(kw);
        const targets = writeOnly && reads.length > 1 ? reads.slice(1) : reads.slice(0, 1);
        const writes = store.writes;
        const outcome = await under(behaviour, [...targets], () => run(keys.viewer.id));
        const what = `${name}, ${targets.join("+")} ${describeBehaviour(behaviour)}`;
        expect(outcome, what).toBeInstanceOf(StoreUnavailableError);
        expect((outcome as StoreUnavailableError).status, what).toBe(503);
        if (!writeOnly) expect(store.writes, `${what}: nothing written`).toBe(writes);
      }),
      { numRuns: RUNS },
    );
  });
});
