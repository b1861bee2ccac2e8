/**
 * Webhook delivery benchmark, through a local receiver on 127.0.0.1 (memory
 * outbox). Measured: events/s from enqueue to acknowledged delivery at two
 * concurrencies; the wait between attempts of a failing message (backoff
 * with jitter, baseDelay 100 ms); and how long a backlog built during a
 * receiver outage takes to drain once it is back.
 *
 *   npx tsx bench/webhooks.ts
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { KeywardEvent } from "keyward";
import { generateWebhookSecret, webhooks } from "keyward/webhooks";

const EVENTS = Number(process.env.BENCH_WEBHOOK_EVENTS ?? 5_000);

function event(i: number): KeywardEvent {
  return { type: "key.created", time: new Date().toISOString(), keyId: `key_${i}`, owner: "org_1", actor: null };
}

async function receiver(port = 0, answer: (id: string) => number = () => 200) {
  const times = new Map<string, number[]>();
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const id = String(req.headers["webhook-id"]);
      times.set(id, [...(times.get(id) ?? []), performance.now()]);
      res.writeHead(answer(id)).end();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return { url, times, close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) };
}

async function throughput(concurrency: number): Promise<string> {
  const r = await receiver();
  const hooks = webhooks({ endpoints: [{ url: r.url, secret: generateWebhookSecret() }], concurrency });
  const start = performance.now();
  for (let i = 0; i < EVENTS; i++) hooks.onEvent(event(i));
  await hooks.flush();
  const ms = performance.now() - start;
  await hooks.close();
  await r.close();
  return `delivery, concurrency ${String(concurrency).padStart(2)}: ${EVENTS} events in ${ms.toFixed(0)} ms → ${Math.round((EVENTS * 1000) / ms)} events/s (${r.times.size} distinct ids received)`;
}

/** The same requests with a bare `fetch` and no outbox, signing or retries: the ceiling on this machine. */
async function baseline(concurrency: number): Promise<string> {
  const r = await receiver();
  let next = 0;
  const start = performance.now();
  const worker = async () => {
    while (next++ < EVENTS) {
      const res = await fetch(r.url, {
        method: "POST",
        body: JSON.stringify(event(next)),
        headers: { "webhook-id": `b${next}` },
      });
      await res.body?.cancel();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const ms = performance.now() - start;
  await r.close();
  return `baseline, bare fetch, concurrency ${String(concurrency).padStart(2)}: ${Math.round((EVENTS * 1000) / ms)} requests/s`;
}

async function retryTimings(): Promise<string[]> {
  const r = await receiver(0, () => 503);
  const hooks = webhooks({
    endpoints: [{ url: r.url, secret: generateWebhookSecret() }],
    retry: { attempts: 7, baseDelay: 100, maxDelay: 10_000 },
  });
  hooks.onEvent(event(0));
  await hooks.flush();
  await hooks.close();
  await r.close();
  const at = [...r.times.values()][0] ?? [];
  const gaps = at.slice(1).map((t, i) => `${(t - (at[i] as number)).toFixed(0)}`);
  const expected = at.slice(1).map((_, i) => `${50 * 2 ** i}-${100 * 2 ** i}`);
  return [
    `retry: 7 attempts of one failing message, same webhook-id; waits (ms) ${gaps.join(", ")}`,
    `       expected (baseDelay 100, ×2, jitter 50-100 %): ${expected.join(", ")}`,
  ];
}

async function outage(): Promise<string> {
  const first = await receiver();
  const port = Number(new URL(first.url).port);
  await first.close(); // down: connection refused
  const hooks = webhooks({
    endpoints: [{ url: `http://127.0.0.1:${port}/hooks`, secret: generateWebhookSecret() }],
    retry: { attempts: 20, baseDelay: 100, maxDelay: 1_000 },
  });
  const backlog = 1_000;
  for (let i = 0; i < backlog; i++) hooks.onEvent(event(i));
  await new Promise((r) => setTimeout(r, 2_000));
  const up = await receiver(port);
  const since = performance.now();
  await hooks.flush();
  const ms = performance.now() - since;
  await hooks.close();
  await up.close();
  return `outage: ${backlog} events queued while the receiver was down 2 s; all ${up.times.size} delivered ${ms.toFixed(0)} ms after it came back (maxDelay 1 s)`;
}

export async function benchWebhooks(): Promise<string[]> {
  return [
    await baseline(8),
    await throughput(8),
    await baseline(32),
    await throughput(32),
    ...(await retryTimings()),
    await outage(),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of await benchWebhooks()) console.log(line);
}
