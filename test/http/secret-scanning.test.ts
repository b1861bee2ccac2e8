import { createKeyward, type Keyward, type KeywardEvent } from "keyward";
import { memoryStore } from "keyward/memory";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADAPTERS, type Running } from "../support/apps.js";
import { alertBody, testSigner } from "../support/github-signer.js";
import { post, SCAN_PATH, startLeakApp } from "../support/leak-apps.js";

const signer = testSigner();
const other = testSigner();

function world() {
  const events: KeywardEvent[] = [];
  const kw = createKeyward({ store: memoryStore(), prefix: "cho", onEvent: (e) => void events.push(e) });
  return { kw, events };
}

async function issue(kw: Keyward) {
  const { key, apiKey } = await kw.create({ owner: "org_1", label: "CI" });
  return { key, id: apiKey.id };
}

describe.each(ADAPTERS)("secretScanning on %s", (adapter) => {
  const { kw, events } = world();
  let app: Running;
  beforeAll(async () => {
    app = await startLeakApp(adapter, kw, { scanning: { publicKeys: [signer.entry] } });
  });
  afterAll(() => app.close());

  const status = async (id: string) => (await kw.get(id))?.status;

  it("a signed alert revokes our key, labels each token, and emits key.leaked without the token", async () => {
    const { key, id } = await issue(kw);
    const foreign = "ghp_notOneOfOurs0000000000000000000000";
    const body = alertBody([key, foreign]);
    events.length = 0;
    const res = await post(app.port, SCAN_PATH, body, signer.headers(body));
    expect(res.status).toBe(200);
    expect(res.json).toEqual([
      { token_raw: key, token_type: "keyward_api_key", label: "true_positive" },
      { token_raw: foreign, token_type: "keyward_api_key", label: "false_positive" },
    ]);
    expect(await status(id)).toBe("revoked");
    const leaked = events.filter((e) => e.type === "key.leaked");
    expect(leaked).toEqual([
      expect.objectContaining({
        keyId: id,
        owner: "org_1",
        url: "https://github.com/acme/app/blob/abc123/.env",
        source: "content",
        action: "revoke",
      }),
    ]);
    expect(events.map((e) => e.type)).toContain("key.revoked");
    expect(JSON.stringify(events)).not.toContain(key.slice(4));
  });

  it("a key reported twice in one alert is acted on once and labelled twice", async () => {
    const { key } = await issue(kw);
    const body = alertBody([key, key]);
    events.length = 0;
    const res = await post(app.port, SCAN_PATH, body, signer.headers(body));
    expect((res.json as { label: string }[]).map((l) => l.label)).toEqual(["true_positive", "true_positive"]);
    expect(events.filter((e) => e.type === "key.leaked")).toHaveLength(1);
  });

  const refused: [string, (key: string) => { body: string | Uint8Array; headers: Record<string, string> }][] = [
    [
      "a changed byte",
      (key) => {
        const body = alertBody([key]);
        const bytes = new TextEncoder().encode(body);
        bytes[bytes.length - 3] = (bytes[bytes.length - 3] as number) ^ 1; // inside "content"
        return { body: bytes, headers: signer.headers(body) };
      },
    ],
    [
      "a re-serialised (not raw) body",
      (key) => {
        const body = alertBody([key]);
        return { body: JSON.stringify(JSON.parse(body), null, 2), headers: signer.headers(body) };
      },
    ],
    [
      "a key identifier GitHub does not publish",
      (key) => {
        const body = alertBody([key]);
        return { body, headers: { ...signer.headers(body), "github-public-key-identifier": "0123abcd" } };
      },
    ],
    [
      "a signature by another key under the right identifier",
      (key) => {
        const body = alertBody([key]);
        return { body, headers: { ...signer.headers(body), "github-public-key-signature": other.sign(body) } };
      },
    ],
    [
      "no signature header",
      (key) => {
        const body = alertBody([key]);
        const { "github-public-key-signature": _, ...headers } = signer.headers(body);
        return { body, headers };
      },
    ],
    [
      "no key identifier header",
      (key) => {
        const body = alertBody([key]);
        const { "github-public-key-identifier": _, ...headers } = signer.headers(body);
        return { body, headers };
      },
    ],
    [
      "a signature that is not base64 DER",
      (key) => {
        const body = alertBody([key]);
        return { body, headers: { ...signer.headers(body), "github-public-key-signature": "not a signature" } };
      },
    ],
  ];

  it.each(refused)("%s → 401 and the key is untouched", async (_name, make) => {
    const { key, id } = await issue(kw);
    events.length = 0;
    const { body, headers } = make(key);
    const res = await post(app.port, SCAN_PATH, body, headers);
    expect(res.status).toBe(401);
    expect(res.text).not.toContain(key);
    expect(await status(id)).toBe("active");
    expect(events).toEqual([]);
  });

  it("a signed body that is not JSON, or not an array of tokens → 400, nothing touched", async () => {
    for (const body of ["[{", '{"token":"x"}', "[1,2]", '[{"type":"x"}]']) {
      const res = await post(app.port, SCAN_PATH, body, signer.headers(body));
      expect(res.status, body).toBe(400);
    }
  });

  it("a body over the limit → 413 before any signature check", async () => {
    const body = "x".repeat(1024 * 1024 + 1);
    const res = await post(app.port, SCAN_PATH, body, signer.headers(body));
    expect(res.status).toBe(413);
  });
});

describe("secretScanning options and mounting", () => {
  it("action disable disables, action notify changes nothing; both emit key.leaked", async () => {
    for (const action of ["disable", "notify"] as const) {
      const { kw, events } = world();
      const { key, id } = await issue(kw);
      const app = await startLeakApp("hono", kw, { scanning: { publicKeys: [signer.entry], action } });
      try {
        const body = alertBody([key]);
        const res = await post(app.port, SCAN_PATH, body, signer.headers(body));
        expect(res.status).toBe(200);
        expect((await kw.get(id))?.status).toBe(action === "disable" ? "disabled" : "active");
        expect(events.find((e) => e.type === "key.leaked")).toMatchObject({ keyId: id, action });
      } finally {
        await app.close();
      }
    }
  });

  it("more tokens than maxTokens → 400 and nothing revoked", async () => {
    const { kw } = world();
    const { key, id } = await issue(kw);
    const app = await startLeakApp("express", kw, { scanning: { publicKeys: [signer.entry], maxTokens: 2 } });
    try {
      const body = alertBody([key, "a", "b"]);
      expect((await post(app.port, SCAN_PATH, body, signer.headers(body))).status).toBe(400);
      expect((await kw.get(id))?.status).toBe("active");
    } finally {
      await app.close();
    }
  });

  it("behind express.json() the raw body is gone: refused, nothing revoked", async () => {
    const { kw } = world();
    const { key, id } = await issue(kw);
    const app = await startLeakApp("express", kw, { scanning: { publicKeys: [signer.entry] }, bodyParser: true });
    try {
      const body = alertBody([key]);
      const res = await post(app.port, SCAN_PATH, body, signer.headers(body));
      expect(res.status).toBe(400);
      expect((await kw.get(id))?.status).toBe("active");
    } finally {
      await app.close();
    }
  });

  it("on Hono a body already read through c.req.json() still verifies: Hono keeps the raw bytes", async () => {
    const { kw } = world();
    const { key, id } = await issue(kw);
    const app = await startLeakApp("hono", kw, { scanning: { publicKeys: [signer.entry] }, bodyParser: true });
    try {
      const body = alertBody([key]);
      expect((await post(app.port, SCAN_PATH, body, signer.headers(body))).status).toBe(200);
      expect((await kw.get(id))?.status).toBe("revoked");
    } finally {
      await app.close();
    }
  });

  it("Koa answers POST on its path only: another method there is a 405, other paths go on", async () => {
    const { kw } = world();
    const app = await startLeakApp("koa", kw, { scanning: { publicKeys: [signer.entry] } });
    try {
      const get = await fetch(`http://127.0.0.1:${app.port}${SCAN_PATH}`);
      expect(get.status).toBe(405);
      expect(get.headers.get("allow")).toBe("POST");
      const elsewhere = await post(app.port, "/elsewhere", "[]", signer.headers("[]"));
      expect(elsewhere.json).toEqual({ fallthrough: true });
    } finally {
      await app.close();
    }
  });

  it("a bad option is a ConfigError at mount time", async () => {
    const { kw } = world();
    const { secretScanning } = await import("keyward/express");
    expect(() => secretScanning(kw, { action: "delete" as "revoke" })).toThrow(/action/);
    expect(() => secretScanning(kw, { publicKeys: [{ key_identifier: "x", key: "nope" }] })).toThrow(/publicKeys/);
  });
});

describe("secretScanning behind express.raw()", () => {
  it("uses the raw bytes the parser kept: the alert verifies and the key is revoked", async () => {
    const express = (await import("express")).default;
    const http = await import("node:http");
    const { listen } = await import("../support/http.js");
    const { secretScanning } = await import("keyward/express");
    const { kw } = world();
    const { key, id } = await issue(kw);
    const app = express();
    app.post(SCAN_PATH, express.raw({ type: "*/*" }), secretScanning(kw, { publicKeys: [signer.entry] }));
    const running = await listen(http.createServer(app));
    try {
      const body = alertBody([key]);
      expect((await post(running.port, SCAN_PATH, body, signer.headers(body))).status).toBe(200);
      expect((await kw.get(id))?.status).toBe("revoked");
    } finally {
      await running.close();
    }
  });
});
