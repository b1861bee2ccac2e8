/**
 * A leak drill: play GitHub's secret scanner against your own endpoint and
 * watch a leaked key get revoked.
 *
 *   npx tsx examples/leak-drill/index.ts
 *
 * It generates a P-256 key pair (GitHub's signing key, played locally),
 * mounts `secretScanning` on a Hono server on a free port with that public
 * key, issues an API key, signs an alert naming it the way GitHub does
 * (ECDSA P-256 / SHA-256, base64 DER, over the raw body), posts it, and shows
 * the labels, the key now refused, and the `key.leaked` webhook arriving,
 * signed, at a local receiver. A tampered alert is refused too. Uses the
 * in-memory store; exits by itself.
 */
import { generateKeyPairSync, sign } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { createKeyward, type KeywardEvent } from "keyward";
import { secretScanning } from "keyward/hono";
import { memoryStore } from "keyward/memory";
import { generateWebhookSecret, verifyWebhook, type WebhookPayload, webhooks } from "keyward/webhooks";

// 1. "GitHub's" signing key, made here; its public half is what GitHub publishes
const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
const keyIdentifier = "drill-key-1";
const publicKeys = [{ key_identifier: keyIdentifier, key: publicKey.export({ type: "spki", format: "pem" }) as string }];

// 2. your security team's webhook receiver, which checks every signature
const secret = generateWebhookSecret();
const received: { id: string; payload: WebhookPayload }[] = [];
const receiver = createServer((req, res) => {
  let body = "";
  req.on("data", (chunk) => (body += chunk));
  req.on("end", () => {
    const payload = verifyWebhook(secret, req.headers, body); // throws on a bad signature
    received.push({ id: String(req.headers["webhook-id"]), payload });
    res.writeHead(204).end();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
const hooks = webhooks({ endpoints: [{ url: hookUrl, secret, events: ["key.leaked"] }] });

// 3. your application: keyward, and the endpoint GitHub posts alerts to
const events: KeywardEvent[] = [];
const keyward = createKeyward({
  store: memoryStore(),
  prefix: "cho",
  onEvent: (e) => {
    events.push(e);
    hooks.onEvent(e);
  },
});
const app = new Hono();
app.post("/github/secret-scanning", secretScanning(keyward, { action: "revoke", publicKeys }));
const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
await new Promise((resolve) => server.once("listening", resolve));
const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/github/secret-scanning`;

// 4. a customer's key, which then leaks into a public repository
const { key, apiKey } = await keyward.create({ owner: "org_acme", label: "deploy bot" });
console.log(`issued    ${apiKey.keyPrefix}… (${apiKey.id}), verify → ${(await keyward.verify(key)).ok ? "ok" : "refused"}`);

// 5. GitHub's alert: the raw body, signed as is
const body = JSON.stringify([
  { token: key, type: "acme_api_key", url: "https://github.com/acme/site/blob/4f1c2e/.env", source: "content" },
]);
const signature = sign("sha256", Buffer.from(body), { key: privateKey, dsaEncoding: "der" }).toString("base64");
const headers = {
  "content-type": "application/json",
  "github-public-key-identifier": keyIdentifier,
  "github-public-key-signature": signature,
};

const tampered = await fetch(endpoint, { method: "POST", headers, body: body.replace("content", "commit") });
console.log(`tampered  alert → ${tampered.status} (refused, nothing touched: ${(await keyward.get(apiKey.id))?.status})`);

const res = await fetch(endpoint, { method: "POST", headers, body });
const labels = (await res.json()) as { label: string }[];
console.log(`alert     → ${res.status}, label ${labels.map((l) => l.label).join(", ")}`);

const leaked = events.find((e) => e.type === "key.leaked");
console.log(
  `event     ${leaked?.type} key ${leaked?.keyId} found at ${leaked?.url} (${leaked?.source}), action ${leaked?.action}`,
);
const after = await keyward.verify(key);
console.log(`revoked   verify now → ${after.ok ? "ok" : after.error.code}`);

await hooks.flush();
const hook = received[0];
console.log(`webhook   ${hook?.payload.type} for key ${hook?.payload.data.keyId}, signature verified (webhook-id ${hook?.id})`);

server.close();
receiver.close();
await hooks.close();
await keyward.close();
if (after.ok || res.status !== 200 || tampered.status !== 401 || hook?.payload.type !== "key.leaked") process.exit(1);
