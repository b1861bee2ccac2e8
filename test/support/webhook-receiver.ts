/**
 * A local webhook receiver on 127.0.0.1: records every request (headers and
 * raw body) and answers what `answer` decides (200 by default). It can be
 * started on a port chosen beforehand, so a sender can be pointed at it while
 * it is still down.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  headers: Record<string, string>;
  body: string;
  at: number;
}

export interface Receiver {
  url: string;
  port: number;
  received: Received[];
  /** Decides each answer's status (default 200). */
  answer: (req: Received) => number;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

export async function receiver(port?: number): Promise<Receiver> {
  const chosen = port ?? (await freePort());
  let server: http.Server | null = null;
  const r: Receiver = {
    url: `http://127.0.0.1:${chosen}/hooks`,
    port: chosen,
    received: [],
    answer: () => 200,
    start: () =>
      new Promise<void>((resolve, reject) => {
        server = http.createServer((req, res) => {
          const chunks: Buffer[] = [];
          req.on("data", (c: Buffer) => chunks.push(c));
          req.on("end", () => {
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
            const got = { headers, body: Buffer.concat(chunks).toString("utf8"), at: Date.now() };
            r.received.push(got);
            res.writeHead(r.answer(got)).end();
          });
        });
        server.once("error", reject);
        server.listen(chosen, "127.0.0.1", () => resolve());
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (!server) return resolve();
        server.closeAllConnections();
        server.close(() => resolve());
        server = null;
      }),
  };
  return r;
}
