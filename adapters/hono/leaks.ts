import type { Handler } from "hono";
import type { Keyward } from "keyward";
import { createSecretScanningHandler, type SecretScanningOptions } from "keyward/http";
import { assertKeyward } from "../shared/http.js";
import { readBytes } from "./body.js";
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
