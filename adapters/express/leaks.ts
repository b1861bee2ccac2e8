import type { RequestHandler } from "express";
import type { Keyward } from "keyward";
import {
  createSecretScanningHandler,
  createSelfRevocationHandler,
  headersFromRaw,
  type SecretScanningOptions,
  type SelfRevocationOptions,
} from "keyward/http";
import { assertKeyward, pathOf } from "../shared/http.js";
import { nodeBodyReader, nodeBytesReader } from "../shared/node-body.js";
import { send } from "./send.js";

/**
 * GitHub's secret-scanning partner endpoint as an Express handler: mount it
 * with `app.post(path, …)`. It reads the raw body itself, so mount it
 * before any JSON body parser (or behind `express.raw()`): the signature is
 * checked over the exact bytes GitHub sent. See `docs/leaks.md`.
 *
 * @example
 * ```ts
 * import { secretScanning } from "keyward/express";
 *
 * app.post("/github/secret-scanning", secretScanning(keyward, { action: "revoke" }));
 * ```
 */
export function secretScanning(keyward: Keyward, options?: SecretScanningOptions): RequestHandler {
  assertKeyward(keyward, "secretScanning");
  const handle = createSecretScanningHandler(keyward, options);
  return async function keywardSecretScanning(req, res, next) {
    try {
      const answer = await handle({
        headers: headersFromRaw(req.rawHeaders),
        path: pathOf(req.originalUrl),
        readBody: nodeBytesReader(req, () => req.body),
      });
      send(res, answer);
    } catch (error) {
      next(error);
    }
  };
}

/**
 * A public self-revocation endpoint as an Express handler: mount it with
 * `app.post(path, …)`. Anyone holding a key can `POST { "keys": ["cho_…"] }`
 * to revoke it; the answer is the same `202` whether or not the keys
 * existed. No authentication, a bounded batch, and its own rate limit per
 * client address (the socket's; see `clientKey` behind a proxy). See
 * `docs/leaks.md`.
 *
 * @example
 * ```ts
 * import { selfRevocation } from "keyward/express";
 *
 * app.post("/revoke", selfRevocation(keyward, { rateLimit: { limit: 10, window: 60_000 } }));
 * ```
 */
export function selfRevocation(keyward: Keyward, options?: SelfRevocationOptions): RequestHandler {
  assertKeyward(keyward, "selfRevocation");
  const handle = createSelfRevocationHandler(keyward, options);
  return async function keywardSelfRevocation(req, res, next) {
    try {
      const answer = await handle({
        headers: headersFromRaw(req.rawHeaders),
        path: pathOf(req.originalUrl),
        address: req.socket.remoteAddress ?? null,
        readBody: nodeBodyReader(req, () => req.body),
      });
      send(res, answer);
    } catch (error) {
      next(error);
    }
  };
}
