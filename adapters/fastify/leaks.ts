import type { FastifyInstance, FastifyPluginCallback, FastifyReply, FastifyRequest } from "fastify";
import type { Keyward } from "keyward";
import {
  createSecretScanningHandler,
  createSelfRevocationHandler,
  type HttpResponse,
  headersFromRaw,
  type SecretScanningOptions,
  type SelfRevocationOptions,
} from "keyward/http";
import { assertKeyward } from "../shared/http.js";
import { nodeBodyReader, nodeBytesReader } from "../shared/node-body.js";
import { pathOfRequest, send } from "./respond.js";

/**
 * Where a Fastify leak-response plugin answers `POST`.
 *
 * @example
 * ```ts
 * const where: LeakRoute = { path: "/github/secret-scanning" };
 * ```
 */
export interface LeakRoute {
  /** The route's path (under the prefix the plugin is registered with). */
  path: string;
}

/** An encapsulated plugin with one POST route whose body it reads itself. */
function postRoute(
  path: string,
  answer: (request: FastifyRequest) => Promise<HttpResponse>,
  name: string,
): FastifyPluginCallback {
  if (typeof path !== "string" || !path.startsWith("/")) throw new TypeError(`${name}: \`path\` must start with "/"`);
  const plugin = (instance: FastifyInstance, _options: unknown, done: (error?: Error) => void) => {
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser("*", function leaveBodyUnread(_request, _payload, parsed) {
      parsed(null, undefined);
    });
    instance.post(path, async (request: FastifyRequest, reply: FastifyReply) => send(reply, await answer(request)));
    done();
  };
  Object.defineProperty(plugin, "name", { value: name });
  return plugin;
}

/**
 * GitHub's secret-scanning partner endpoint as a Fastify plugin: it checks
 * the alert's ECDSA signature over the raw body (Fastify's body parsers are
 * bypassed on its route), then revokes (or, with `action`, disables or only
 * reports) every key of yours in it and answers with GitHub's labels. A bad
 * or missing signature is a 401 and touches nothing.
 *
 * @example
 * ```ts
 * import { secretScanning } from "keyward/fastify";
 *
 * await app.register(secretScanning(keyward, { path: "/github/secret-scanning", action: "revoke" }));
 * ```
 */
export function secretScanning(keyward: Keyward, options: SecretScanningOptions & LeakRoute): FastifyPluginCallback {
  assertKeyward(keyward, "secretScanning");
  const { path, ...rest } = options ?? ({} as SecretScanningOptions & LeakRoute);
  const handle = createSecretScanningHandler(keyward, rest);
  return postRoute(
    path,
    (request) =>
      handle({
        headers: headersFromRaw(request.raw.rawHeaders),
        path: pathOfRequest(request),
        readBody: nodeBytesReader(request.raw, () => request.body),
      }),
    "keywardSecretScanning",
  );
}

/**
 * The public self-revocation route as a Fastify plugin: `POST { keys: [...] }`
 * without authentication revokes the keys that exist and answers the same
 * 202 whatever they were, with a bounded batch and its own rate limit per
 * socket address.
 *
 * @example
 * ```ts
 * import { selfRevocation } from "keyward/fastify";
 *
 * await app.register(selfRevocation(keyward, { path: "/revoke" }));
 * ```
 */
export function selfRevocation(keyward: Keyward, options: SelfRevocationOptions & LeakRoute): FastifyPluginCallback {
  assertKeyward(keyward, "selfRevocation");
  const { path, ...rest } = options ?? ({} as SelfRevocationOptions & LeakRoute);
  const handle = createSelfRevocationHandler(keyward, rest);
  return postRoute(
    path,
    (request) =>
      handle({
        headers: headersFromRaw(request.raw.rawHeaders),
        path: pathOfRequest(request),
        address: request.raw.socket?.remoteAddress ?? null,
        readBody: nodeBodyReader(request.raw, () => request.body),
      }),
    "keywardSelfRevocation",
  );
}
