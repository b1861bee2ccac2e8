import type { Handler } from "hono";
import type { Keyward } from "keyward";
import {
  createSecretScanningHandler,
  createSelfRevocationHandler,
  type SecretScanningOptions,
  type SelfRevocationOptions,
} from "keyward/http";
import { assertKeyward } from "../shared/http.js";
import { readBytes, readText } from "./body.js";
import { honoHeaders } from "./headers.js";
import { pathnameOf, respond } from "./respond.js";

/**
 * GitHub's secret-scanning partner endpoint as a Hono handler: mount it with
 * `app.post(path, …)`. The signature is checked over the raw body bytes.
 * Web APIs only (WebCrypto): Node, Bun, Deno and Workers. See `docs/leaks.md`.
 *
 * @example
 * ```ts
 * import { secretScanning } from "keyward/hono";
 *
 * app.post("/github/secret-scanning", secretScanning(keyward, { action: "revoke" }));
 * ```
 */
export function secretScanning(keyward: Keyward, options?: SecretScanningOptions): Handler {
  assertKeyward(keyward, "secretScanning");
  const handle = createSecretScanningHandler(keyward, options);
  return async function keywardSecretScanning(c) {
    const answer = await handle({ headers: honoHeaders(c), path: pathnameOf(c), readBody: (limit) => readBytes(c, limit) });
    return respond(c, answer);
  };
}

/**
 * A public self-revocation endpoint as a Hono handler: mount it with
 * `app.post(path, …)`. Anyone holding a key can `POST { "keys": ["cho_…"] }`
 * to revoke it; the answer is the same `202` whether or not the keys
 * existed. No authentication, a bounded batch, and its own rate limit per
 * client address: on Node the socket's; elsewhere none is known, so give
 * `clientKey` (e.g. `CF-Connecting-IP` on Cloudflare). See `docs/leaks.md`.
 *
 * @example
 * ```ts
 * import { selfRevocation } from "keyward/hono";
 *
 * app.post("/revoke", selfRevocation(keyward));
 * ```
 */
export function selfRevocation(keyward: Keyward, options?: SelfRevocationOptions): Handler {
  assertKeyward(keyward, "selfRevocation");
  const handle = createSelfRevocationHandler(keyward, options);
  return async function keywardSelfRevocation(c) {
    const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: unknown } } } | undefined)?.incoming;
    const address = incoming?.socket?.remoteAddress;
    const answer = await handle({
      headers: honoHeaders(c),
      path: pathnameOf(c),
      address: typeof address === "string" ? address : null,
      readBody: (limit) => readText(c, limit),
    });
    return respond(c, answer);
  };
}
