/**
 * Crashes masters of a throwaway Redis Cluster of its own (started on
 * REDIS_CLUSTER_SCRATCH_PORT with scripts/redis-cluster.sh, each crashed node
 * restarted afterwards), so no other test shares what it breaks.
 */
import Redis, { type Cluster } from "ioredis";
import { createKeyward } from "keyward";
import { redisStore } from "keyward/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allCached, cachedInstances, type Flavour, type Instance, type NodeCluster } from "../../support/cluster-instances.js";
import { sleep, uniquePrefix } from "../../support/redis.js";
import {
  type Address,
  closeCluster,
  clusterOk,
  ioCluster,
  lockCluster,
  nodeCluster,
  noteClusterSkip,
  onEveryNode,
  ownersOf,
  restartNode,
  SCRATCH_PORT,
  startScratchCluster,
  stopScratchCluster,
} from "../../support/redis-cluster.js";

noteClusterSkip("redis-cluster-failover", true);

const INSTANCES = 8;
const GOOD_KEYS = 6;
/** Longest the load runs after a crash while waiting for recovery. */
const RECOVERY_WAIT_MS = 12_000;
/**
 * Longest it runs once the crashed node is back: a client that did not follow
 * the failover (node-redis) first drains what it queued for the dead node,
 * which takes longer on a loaded machine.
 */
const RECOVERY_AFTER_RESTART_MS = 30_000;

/** Sends a command that takes the node down (DEBUG SEGFAULT): it never answers. */
function crash(node: Address): void {
  const c = new Redis({ ...node, maxRetriesPerRequest: 0, retryStrategy: () => null });
  c.on("error", () => {});
  c.call("DEBUG", "SEGFAULT").catch(() => c.disconnect());
}

/** How many record reads of `group` were answered empty, or with another key's record. */
function oddReplies(group: Instance[]): string {
  const sum = { empty: 0, other: 0 };
  for (const i of group) {
    const { empty, other } = i.odd();
    sum.empty += empty;
    sum.other += other;
  }
  return `${sum.empty}× empty, ${sum.other}× with another key's record`;
}

type Outcome = { at: number; key: number; status: number; code?: string };

/** Every instance verifies every key in a loop, recording (time, key index, status), until `stop()`. */
function load(group: Instance[], keys: string[]) {
  const outcomes: Outcome[] = [];
  let running = true;
  const loops = group.map(async (instance) => {
    while (running) {
      for (let k = 0; k < keys.length && running; k++) {
        const result = await instance.kw.verify(keys[k]);
        outcomes.push({
          at: performance.now(),
          key: k,
          status: result.ok ? 200 : result.error.status,
          code: result.ok ? "ok" : result.error.code,
        });
      }
      await sleep(2);
    }
  });
  return {
    outcomes,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

describe.skipIf(!SCRATCH_PORT)("Redis Cluster failover (a throwaway cluster)", () => {
  const base = SCRATCH_PORT as number;
  const prefix = uniquePrefix("failover");
  let nodes: Address[] = [];
  const clients: (Cluster | NodeCluster)[] = [];
  const instances: Instance[] = [];
  let admin: Cluster;

  /** Waits (up to 20 s) until a replica owns `key`'s slot instead of `crashed`; returns the new master. */
  const promotedFor = async (key: string, crashed: Address): Promise<Address | null> => {
    const since = performance.now();
    while (performance.now() - since < 20_000) {
      const owners = await ownersOf(admin, key).catch(() => null);
      if (owners && owners.master.port !== crashed.port) return owners.master;
      await sleep(100);
    }
    return null;
  };

  /** Restarts a crashed node and waits until the cluster is whole again. */
  const heal = async (crashed: Address) => {
    await restartNode(base, crashed.port);
    expect(await clusterOk(nodes)).toBe(true);
    const rejoined = new Redis({ ...crashed, maxRetriesPerRequest: 0 });
    rejoined.on("error", () => {});
    try {
      for (let i = 0; i < 300; i++) {
        const info = String(await rejoined.call("INFO", "replication").catch(() => ""));
        if (info.includes("role:slave") && info.includes("master_link_status:up")) return; // replicating again
        await sleep(100);
      }
      throw new Error(`node ${crashed.port} did not rejoin as a replica`);
    } finally {
      rejoined.disconnect();
    }
  };

  /**
   * Whether a replica of `master` has acknowledged every write the master took so far: a marker written in
   * `key`'s slot, then WAIT (replication is in order). The promoted replica then holds every record written
   * before, so a good key it answers unknown is the client's fault, not data Redis lost in the failover.
   */
  const replicaCaughtUp = async (master: Address, key: string): Promise<boolean> => {
    const c = new Redis({ ...master, maxRetriesPerRequest: 0 });
    c.on("error", () => {});
    try {
      const tag = key.slice(key.indexOf("{"), key.lastIndexOf("}") + 1);
      for (let i = 0; i < 20; i++) {
        await c.call("SET", `${prefix}:caught-up:${tag}`, String(i));
        if (Number(await c.call("WAIT", "1", "500")) >= 1) return true;
      }
      return false;
    } finally {
      c.disconnect();
    }
  };

  /** Waits (up to 60 s) until every master has a replica whose link to it is up; returns whether it did. */
  const whole = async (): Promise<boolean> => {
    for (let i = 0; i < 600; i++) {
      const infos = await onEveryNode(nodes, ["INFO", "replication"]);
      const linked = infos.filter(
        (info) => String(info).includes("role:slave") && String(info).includes("master_link_status:up"),
      );
      if (linked.length >= 3) return true;
      await sleep(100);
    }
    return false;
  };

  let release: () => void = () => {};

  beforeAll(async () => {
    release = await lockCluster();
    nodes = await startScratchCluster(base);
    admin = ioCluster(nodes);
    await admin.call("PING");
  }, 690_000);

  afterAll(async () => {
    try {
      await Promise.all(instances.map((i) => i.kw.close()));
      for (const c of clients) closeCluster(c);
      admin?.disconnect();
      await stopScratchCluster(base);
    } finally {
      release();
    }
  }, 60_000);

  for (const flavour of ["ioredis", "node-redis"] as Flavour[]) {
    it(`a master crash under verification load (${flavour}): only 503s meanwhile, never 200 for a revoked key nor 401 for a good one`, async () => {
      const p = `${prefix}:crash-${flavour}`;
      expect(await whole(), "every master has a replica in sync before the test").toBe(true);
      const own: (Cluster | NodeCluster)[] = [];
      for (let i = 0; i < 2; i++) own.push(flavour === "ioredis" ? ioCluster(nodes) : await nodeCluster(nodes));
      clients.push(...own);
      const group = cachedInstances(own, INSTANCES, p, {}, 1_000);
      instances.push(...group);
      const a = group[0] as Instance;
      const good = await Promise.all(
        Array.from({ length: GOOD_KEYS }, (_, i) => a.kw.create({ owner: "org_crash", label: `good ${i}` })),
      );
      const store = redisStore({ client: admin, prefix: p });
      const hashOf = async (id: string) => (await store.get(id))?.hash as string;
      const victimKey = `${p}:rec:{${await hashOf(good[0]?.apiKey.id as string)}}`;
      const victimMaster = (await ownersOf(admin, victimKey)).master;
      // the key revoked right after the crash lives on another master, so its revoke can succeed at once
      const onVictim = async (id: string) =>
        (await ownersOf(admin, `${p}:rec:{${await hashOf(id)}}`)).master.port === victimMaster.port ||
        (await ownersOf(admin, `${p}:id:{${id}}`)).master.port === victimMaster.port;
      let doomed = await a.kw.create({ owner: "org_crash", label: "doomed" });
      while (await onVictim(doomed.apiKey.id)) doomed = await a.kw.create({ owner: "org_crash", label: "doomed" });
      const keys = [...good.map((g) => g.key), doomed.key];
      let recoveredAt: number | null = null;
      let recoveredWithoutNode = false;
      let healed = false;
      /** When the crashed node was restarted: it comes back empty (the scratch nodes keep no data on disk). */
      let healStartedAt = Number.POSITIVE_INFINITY;
      let report = "";
      let oddBefore: string | null = null;
      for (const key of keys) expect(await allCached(group, key)).not.toBeNull();
      expect(await replicaCaughtUp(victimMaster, victimKey), "the victim's replica acknowledges its writes").toBe(true);

      const run = load(group, keys);
      await sleep(200);
      const crashedAt = performance.now();
      crash(victimMaster);
      await sleep(15);
      let revokedAt = Number.NaN;
      for (let attempt = 0; attempt < 50 && Number.isNaN(revokedAt); attempt++) {
        try {
          await a.kw.revoke(doomed.apiKey.id);
          revokedAt = performance.now();
        } catch {
          await sleep(20); // the client may be refreshing its slots
        }
      }
      expect(revokedAt).not.toBeNaN();
      try {
        const failedOver = await promotedFor(victimKey, victimMaster);
        expect(failedOver).not.toBeNull();
        const failoverMs = performance.now() - crashedAt;
        // recovered: the last half second of good-key verifications all answered 200 (and the revoke's bound has passed)
        const recovered = async (within: number) => {
          const until = performance.now() + within;
          while (performance.now() < until) {
            await sleep(100);
            const now = performance.now();
            const recent = run.outcomes.filter((o) => o.at > now - 500 && o.key < GOOD_KEYS);
            // the revoked key answered after its 1 s bound too (loops slowed by timed-out reads may not have reached it)
            const revokeJudged = run.outcomes.some((o) => o.key === GOOD_KEYS && o.at > revokedAt + 1_000);
            if (now > revokedAt + 1_500 && revokeJudged && recent.length > 0 && recent.every((o) => o.status === 200)) {
              return Math.max(crashedAt, ...run.outcomes.filter((o) => o.key < GOOD_KEYS && o.status !== 200).map((o) => o.at));
            }
          }
          return null;
        };
        recoveredAt = await recovered(RECOVERY_WAIT_MS);
        recoveredWithoutNode = recoveredAt !== null;
        report = `replica promoted ${failoverMs.toFixed(0)} ms after the crash; `;
        if (!recoveredWithoutNode) {
          healStartedAt = performance.now();
          oddBefore = oddReplies(group);
          await heal(victimMaster); // the crashed node comes back (as a replica); measure from there
          healed = true;
          recoveredAt = await recovered(RECOVERY_AFTER_RESTART_MS);
        }
      } finally {
        if (!healed) await heal(victimMaster).catch(() => undefined);
      }
      await run.stop();

      // Until the crashed node is restarted. A restarted node holds none of its old data (nothing is persisted
      // here) and, until it learns of the failover, a client with a stale slot map may read its empty slots.
      const goodStatuses = new Set(run.outcomes.filter((o) => o.key < GOOD_KEYS && o.at < healStartedAt).map((o) => o.status));
      const lateDoomed = run.outcomes.filter((o) => o.key === GOOD_KEYS && o.at > revokedAt + 1_000);
      const failures = run.outcomes.filter((o) => o.key < GOOD_KEYS && o.status !== 200).length;
      /** Each good-key answer, before and after the restart, with how often it came (for a failure's message). */
      const tally = new Map<string, number>();
      for (const o of run.outcomes) {
        if (o.key >= GOOD_KEYS) continue;
        const label = `${o.code} ${o.at < healStartedAt ? "before" : "after"} the restart`;
        tally.set(label, (tally.get(label) ?? 0) + 1);
      }
      report += `good-key answers: ${[...tally].map(([label, n]) => `${n}× ${label}`).join(", ")}; `;
      report += `record reads answered ${oddBefore === null ? "" : `${oddBefore} before the restart and `}${oddReplies(group)} in all; `;
      console.log(
        `[redis cluster failover, ${flavour}] ${report}${run.outcomes.length} verifications; good keys: ${failures} answered 503, statuses ${[...goodStatuses].join("/")}; ` +
          `revoked key after the 1 s bound: ${lateDoomed.filter((o) => o.status === 200).length} accepted of ${lateDoomed.length}; ` +
          (recoveredWithoutNode
            ? `recovered ${((recoveredAt as number) - crashedAt).toFixed(0)} ms after the crash (failover)`
            : `not recovered ${RECOVERY_WAIT_MS} ms after the crash; recovered ${recoveredAt === null ? `not within ${RECOVERY_AFTER_RESTART_MS} ms` : `${((recoveredAt as number) - crashedAt).toFixed(0)} ms after the crash`} once the node was restarted`),
      );
      expect(
        [...goodStatuses].every((s) => s === 200 || s === 503),
        report,
      ).toBe(true); // never 401 for a good key
      expect(
        lateDoomed.every((o) => o.status !== 200),
        report,
      ).toBe(true); // never 200 for a revoked key
      expect(lateDoomed.length, report).toBeGreaterThan(0);
      expect(recoveredAt, report).not.toBeNull();
      if (flavour === "ioredis") expect(recoveredWithoutNode, report).toBe(true); // ioredis follows the failover by itself
    }, 150_000);
  }

  describe("durable changes (replicas: { count: 1 })", () => {
    const durable = (flavourClient: Cluster) =>
      createKeyward({
        store: redisStore({ client: flavourClient, prefix: `${prefix}:durable`, replicas: { count: 1, timeout: 300 } }),
        prefix: "kw",
        lastUsed: false,
      });

    /** The owners of `key`'s slot, once its master has a replica (a node crashed earlier may still be rejoining as one). */
    const replicated = async (key: string) => {
      let owners = await ownersOf(admin, key);
      for (let i = 0; i < 300 && owners.replicas.length === 0; i++) {
        await sleep(100);
        owners = await ownersOf(admin, key);
      }
      return owners;
    };

    it("revoke() and disable() fail with 503 rather than resolve while the key's replica cannot acknowledge", async () => {
      const kw = durable(admin);
      const store = redisStore({ client: admin, prefix: `${prefix}:durable` });
      for (const change of ["revoke", "disable"] as const) {
        const { key, apiKey } = await kw.create({ owner: "org_durable", label: change });
        const hash = (await store.get(apiKey.id))?.hash as string;
        const { replicas } = await replicated(`${prefix}:durable:rec:{${hash}}`);
        expect(replicas.length).toBeGreaterThan(0);
        const sleeper = replicas.map((r) => {
          const c = new Redis({ ...r, maxRetriesPerRequest: 0 });
          c.on("error", () => {});
          return c.call("DEBUG", "SLEEP", "1").finally(() => c.disconnect());
        });
        await sleep(50);
        const outcome = await kw[change](apiKey.id).then(
          () => "resolved",
          (e: { status?: number; cause?: { code?: unknown } }) => `${e.status} ${e.cause?.code}`,
        );
        expect(outcome, change).toBe("503 store_unreachable");
        await Promise.allSettled(sleeper);
        // the master applied it; a retry, once the replica has caught up again, is acknowledged
        // (on a loaded machine the woken replica may need more than one 300 ms wait to acknowledge)
        let retried = await kw[change](apiKey.id).catch((e: Error) => e);
        for (let i = 0; i < 50 && retried instanceof Error; i++) {
          await sleep(200);
          retried = await kw[change](apiKey.id).catch((e: Error) => e);
        }
        expect(retried).toMatchObject({ status: change === "revoke" ? "revoked" : "disabled" });
        expect((await kw.verify(key)).ok).toBe(false);
      }
      await kw.close();
    }, 30_000);

    it("a revoke that resolved survives its master crashing right after (the replica is promoted with it)", async () => {
      const kw = durable(admin);
      const store = redisStore({ client: admin, prefix: `${prefix}:durable` });
      const { key, apiKey } = await kw.create({ owner: "org_durable", label: "survivor" });
      const hash = (await store.get(apiKey.id))?.hash as string;
      const recordKey = `${prefix}:durable:rec:{${hash}}`;
      const { master, replicas } = await replicated(recordKey);
      expect(replicas.length).toBeGreaterThan(0);
      await kw.revoke(apiKey.id);
      crash(master); // at once: nothing else gets replicated before the crash
      const crashedAt = performance.now();
      const promoted = await promotedFor(recordKey, master);
      expect(promoted).not.toBeNull();
      console.log(`[redis cluster failover] replica promoted ${(performance.now() - crashedAt).toFixed(0)} ms after the crash`);
      const direct = new Redis({ ...(promoted as Address), maxRetriesPerRequest: 0 });
      expect(await direct.call("HEXISTS", recordKey, "revokedAt")).toBe(1); // the promoted replica has the revoke
      direct.disconnect();
      const fresh = createKeyward({ store: redisStore({ client: ioCluster(nodes), prefix: `${prefix}:durable` }), prefix: "kw" });
      let result = await fresh.verify(key);
      for (let i = 0; i < 100 && !result.ok && result.error.code === "unavailable"; i++) {
        await sleep(100);
        result = await fresh.verify(key);
      }
      expect(result).toMatchObject({ ok: false, error: { code: "revoked" } });
      await fresh.close();
      await kw.close();
      await heal(master);
    }, 60_000);
  });
});
