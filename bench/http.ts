/**
 * HTTP benchmark: for Express, Hono, Koa and Fastify, five servers each (no auth; a
 * minimal inline key check; the same check sending the two RateLimit fields;
 * keyward's apiKeyAuth + requireScopes on the memory store; the same with a
 * rate-limited key), each in its own process, loaded by autocannon from this
 * process over loopback at pipelining 1 and 10, in interleaved rounds.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import autocannon from "autocannon";
import { median } from "./harness.js";

const FRAMEWORKS = (process.env.BENCH_HTTP_FRAMEWORKS?.split(",") ?? ["express", "hono", "koa", "fastify"]) as readonly string[];
const MODES = ["none", "minimal", "fields", "keyward", "limited"] as const;

interface Server {
  child: ChildProcess;
  port: number;
  key: string;
}

async function start(framework: string, mode: string, port: number): Promise<Server> {
  const child = spawn(process.execPath, ["--import", "tsx", "bench/http-server.ts", framework, mode, String(port)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  let key = "";
  for await (const line of lines) {
    if (line === "ready") break;
    key = line;
  }
  return { child, port, key };
}

/** Microseconds of CPU (user + system) the server process has used so far. */
async function cpuOf(server: Server): Promise<number> {
  const usage = (await (await fetch(`http://127.0.0.1:${server.port + 1000}/`)).json()) as { user: number; system: number };
  return usage.user + usage.system;
}

/** Requests per second, and the server's CPU µs per request. */
async function load(server: Server, pipelining: number, seconds: number): Promise<[number, number]> {
  const before = await cpuOf(server);
  const result = await autocannon({
    url: `http://127.0.0.1:${server.port}/v1/jobs`,
    connections: 10,
    pipelining,
    duration: seconds,
    headers: { authorization: `Bearer ${server.key}` },
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`bench: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return [result.requests.average, ((await cpuOf(server)) - before) / (result.requests.total || 1)];
}

export async function benchHttp(): Promise<string[]> {
  const rounds = Number(process.env.BENCH_HTTP_ROUNDS ?? 3);
  const seconds = Number(process.env.BENCH_HTTP_SECONDS ?? 2);
  const servers = new Map<string, Server>();
  let port = 41000 + Math.floor(Math.random() * 1000);
  try {
    for (const f of FRAMEWORKS) for (const m of MODES) servers.set(`${f}/${m}`, await start(f, m, port++));
    for (const server of servers.values()) await load(server, 10, 1); // JIT warm-up, not measured
    const samples = new Map<string, number[]>();
    const cpus = new Map<string, number[]>(); // the server's CPU µs per request: steadier than throughput here
    for (let r = 0; r < rounds; r++) {
      for (const p of [1, 10]) {
        for (const f of FRAMEWORKS) {
          for (const m of MODES) {
            const id = `${f}/${m}/p${p}`;
            const [value, cpu] = await load(servers.get(`${f}/${m}`) as Server, p, seconds);
            samples.set(id, [...(samples.get(id) ?? []), value]);
            cpus.set(id, [...(cpus.get(id) ?? []), cpu]);
          }
        }
      }
    }
    const lines: string[] = [];
    for (const p of [1, 10]) {
      for (const f of FRAMEWORKS) {
        const [none = 0, minimal = 0, fields = 0, kw = 0, limited = 0] = MODES.map((m) =>
          median(samples.get(`${f}/${m}/p${p}`) ?? []),
        );
        lines.push(
          `http ${f.padEnd(7)} pipelining ${String(p).padStart(2)}: none ${fmt(none)}  minimal ${fmt(minimal)}  keyward ${fmt(kw)}  ` +
            `keyward/minimal ${(kw / (minimal || 1)).toFixed(2)}x (target >= 0.90x)  keyward/none ${(kw / (none || 1)).toFixed(2)}x  ` +
            `rate-limited key ${fmt(limited)} = ${(limited / (minimal || 1)).toFixed(2)}x minimal (target >= 0.90x), ` +
            `${(limited / (fields || 1)).toFixed(2)}x minimal sending the same two RateLimit fields (${fmt(fields)} = ` +
            `${(fields / (minimal || 1)).toFixed(2)}x minimal)`,
        );
        const [, cMinimal = 0, cFields = 0, cKw = 0, cLimited = 0] = MODES.map((m) => median(cpus.get(`${f}/${m}/p${p}`) ?? []));
        const us = (v: number) => `${v.toFixed(1)} µs`;
        lines.push(
          `     server CPU per request: minimal ${us(cMinimal)}  minimal + fields ${us(cFields)}  keyward ${us(cKw)}  ` +
            `rate-limited key ${us(cLimited)}  (minimal ÷ keyward ${(cMinimal / (cKw || 1)).toFixed(2)}x, ` +
            `minimal ÷ rate-limited ${(cMinimal / (cLimited || 1)).toFixed(2)}x)`,
        );
      }
    }
    return lines;
  } finally {
    for (const s of servers.values()) s.child.kill();
    await Promise.all([...servers.values()].map((s) => (s.child.exitCode === null ? once(s.child, "exit") : null)));
  }
}

function fmt(value = 0): string {
  return `${(value / 1000).toFixed(1)}k req/s`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of await benchHttp()) console.log(line);
}
