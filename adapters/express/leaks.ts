import type { RequestHandler } from "express";
import type { Keyward } from "keyward";
import { createSecretScanningHandler, headersFromRaw, type SecretScanningOptions } from "keyward/http";
import { assertKeyward, pathOf } from "../shared/http.js";
import { nodeBytesReader } from "../shared/node-body.js";
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
