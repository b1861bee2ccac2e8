import { ConfigError, type Keyward } from "keyward";
import {
  createSecretScanningHandler,
  createSelfRevocationHandler,
  errorBody,
  headersFromRaw,
  type SecretScanningOptions,
  type SelfRevocationOptions,
} from "keyward/http";
import type { Middleware } from "koa";
import { assertKeyward, pathOf } from "../shared/http.js";
import { nodeBodyReader, nodeBytesReader } from "../shared/node-body.js";
import { respond } from "./respond.js";

/**
 * Where a Koa leak endpoint answers.
 *
 * @example
 * ```ts
 * const where: MountPath = { path: "/github/secret-scanning" };
 * app.use(secretScanning(keyward, { ...where, action: "revoke" }));
 * ```
 */
export interface MountPath {
  /** The path it answers `POST` on (other methods there: 405); every other request goes on to `next()`. Default: every path. */
  path?: string | undefined;
}

/**
 * Options of the Koa {@link secretScanning}: those of every adapter plus `path`.
 *
 * @example
 * ```ts
 * const options: KoaSecretScanningOptions = { path: "/github/secret-scanning", action: "disable" };
 * ```
 */
export interface KoaSecretScanningOptions extends SecretScanningOptions, MountPath {}

/**
 * GitHub's secret-scanning partner endpoint as a Koa middleware answering
 * `POST path`. It reads the raw body itself, so mount it before any body
 * parser: the signature is checked over the exact bytes GitHub sent. See
 * `docs/leaks.md`.
 *
 * @example
 * ```ts
 * import { secretScanning } from "keyward/koa";
 *
 * app.use(secretScanning(keyward, { path: "/github/secret-scanning", action: "revoke" }));
 * ```
 */
export function secretScanning(keyward: Keyward, options: KoaSecretScanningOptions = {}): Middleware {
  assertKeyward(keyward, "secretScanning");
  const { path, ...rest } = options;
  const at = checkPath(path, "secretScanning");
  const handle = createSecretScanningHandler(keyward, rest);
  return async function keywardSecretScanning(ctx, next) {
    if (at !== null && ctx.path !== at) return next();
    if (ctx.method !== "POST") return methodNotAllowed(ctx);
    const answer = await handle({
      headers: headersFromRaw(ctx.req.rawHeaders),
      path: pathOf(ctx.originalUrl),
      readBody: nodeBytesReader(ctx.req, () => (ctx.request as { body?: unknown }).body),
    });
    respond(ctx, answer);
  };
}

/**
 * Options of the Koa {@link selfRevocation}: those of every adapter plus `path`.
 *
 * @example
 * ```ts
 * const options: KoaSelfRevocationOptions = { path: "/revoke", maxKeys: 20 };
 * ```
 */
export interface KoaSelfRevocationOptions extends SelfRevocationOptions, MountPath {}

/**
 * A public self-revocation endpoint as a Koa middleware answering
 * `POST path`. Anyone holding a key can `POST { "keys": ["cho_…"] }` to
 * revoke it; the answer is the same `202` whether or not the keys existed.
 * No authentication, a bounded batch, and its own rate limit per client
 * address (the socket's; see `clientKey` behind a proxy). See `docs/leaks.md`.
 *
 * @example
 * ```ts
 * import { selfRevocation } from "keyward/koa";
 *
 * app.use(selfRevocation(keyward, { path: "/revoke" }));
 * ```
 */
export function selfRevocation(keyward: Keyward, options: KoaSelfRevocationOptions = {}): Middleware {
  assertKeyward(keyward, "selfRevocation");
  const { path, ...rest } = options;
  const at = checkPath(path, "selfRevocation");
  const handle = createSelfRevocationHandler(keyward, rest);
  return async function keywardSelfRevocation(ctx, next) {
    if (at !== null && ctx.path !== at) return next();
    if (ctx.method !== "POST") return methodNotAllowed(ctx);
    const answer = await handle({
      headers: headersFromRaw(ctx.req.rawHeaders),
      path: pathOf(ctx.originalUrl),
      address: ctx.req.socket.remoteAddress ?? null,
      readBody: nodeBodyReader(ctx.req, () => (ctx.request as { body?: unknown }).body),
    });
    respond(ctx, answer);
  };
}

/** Checks a mount path once; null for "every path". */
export function checkPath(path: unknown, where: string): string | null {
  if (path === undefined) return null;
  if (typeof path !== "string" || !/^\/[^?#\s]*$/.test(path)) {
    throw new ConfigError(`${where}: \`path\` must be a path starting with "/", e.g. "/github/secret-scanning"`);
  }
  return path;
}

/** A 405 for another method than POST on the endpoint's path. */
export function methodNotAllowed(ctx: Parameters<Middleware>[0]): void {
  respond(ctx, { status: 405, headers: { allow: "POST" }, body: errorBody(405, "Method not allowed", pathOf(ctx.originalUrl)) });
}
