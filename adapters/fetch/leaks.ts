import type { Keyward } from "keyward";
import {
  createSecretScanningHandler,
  createSelfRevocationHandler,
  type SecretScanningOptions,
  type SelfRevocationOptions,
} from "keyward/http";
import { assertKeyward } from "../shared/http.js";
import { readRequestBytes, readRequestText } from "../shared/web-body.js";
import { requestHeaders, runtimeAddress } from "./headers.js";
import { pathnameOf, toResponse } from "./respond.js";
import type { FetchHandler } from "./routes.js";

/**
 * GitHub's secret-scanning partner endpoint as a Fetch handler: it checks
 * the alert's ECDSA signature over the raw body, then revokes (or, with
 * `action`, disables or only reports) every key of yours in it and answers
 * with GitHub's labels. A bad or missing signature is a 401 and touches
 * nothing. Route POSTs of the path you registered with GitHub to it.
 *
 * @example
 * ```ts
 * import { secretScanning } from "keyward/fetch";
 *
 * const scanning = secretScanning(keyward, { action: "revoke" });
 * export const POST = (request: Request) => scanning(request); // app/github/secret-scanning/route.ts
 * ```
 */
export function secretScanning(keyward: Keyward, options?: SecretScanningOptions): FetchHandler {
  assertKeyward(keyward, "secretScanning");
  const handle = createSecretScanningHandler(keyward, options);
  return async function keywardSecretScanning(request, server) {
    const answer = await handle({
      headers: requestHeaders(request, server),
      path: pathnameOf(request),
      readBody: (limit) => readRequestBytes(request, limit),
    });
    return toResponse(answer);
  };
}

/**
 * The public self-revocation route as a Fetch handler: `POST { keys: [...] }`
 * without authentication revokes the keys that exist and answers the same
 * 202 whatever they were, with a bounded batch and its own rate limit per
 * client address (the runtime's, as for `apiKeyAuth`).
 *
 * @example
 * ```ts
 * import { selfRevocation } from "keyward/fetch";
 *
 * const revoke = selfRevocation(keyward);
 * Bun.serve({ fetch: (request, server) => revoke(request, server) });
 * ```
 */
export function selfRevocation(keyward: Keyward, options?: SelfRevocationOptions): FetchHandler {
  assertKeyward(keyward, "selfRevocation");
  const handle = createSelfRevocationHandler(keyward, options);
  return async function keywardSelfRevocation(request, server) {
    const answer = await handle({
      headers: requestHeaders(request, server),
      path: pathnameOf(request),
      address: runtimeAddress(request, server) ?? null,
      readBody: (limit) => readRequestText(request, limit),
    });
    return toResponse(answer);
  };
}
