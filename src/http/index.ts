/**
 * The framework-neutral HTTP layer the Express, Hono, Koa, Fastify and Fetch
 * adapters are thin translations of. Use it to write an adapter for another framework.
 * It reads the credential through a header reader, decides every status,
 * builds the `WWW-Authenticate` challenge and the JSON error body, makes the
 * request's {@link Principal}, and runs the key-management API. An adapter
 * only hands it a header reader built from the framework's raw headers
 * ({@link headersFromRaw} or {@link headersFromFetch}), stores the principal
 * on the request and copies the {@link HttpResponse} it returns onto the
 * framework's response. See `docs/http.md` for the statuses and bodies.
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { createAuthenticator, headersFromRaw } from "keyward/http";
 *
 * const auth = createAuthenticator(keyward, { scopes: ["jobs:read"] });
 * createServer(async (req, res) => {
 *   const path = (req.url ?? "/").split("?")[0] ?? "/";
 *   const outcome = await auth.authenticate(headersFromRaw(req.rawHeaders).values, path);
 *   const { status, headers, body } = outcome.ok
 *     ? { status: 200, headers: {}, body: { owner: outcome.principal.apiKey.owner, scopes: outcome.principal.scopes } }
 *     : outcome.response;
 *   res.writeHead(status, { ...headers, "content-type": "application/json; charset=utf-8" });
 *   res.end(JSON.stringify(body));
 * }).listen(3000);
 * ```
 *
 * @module keyward/http
 */

export { type ActorContext, type Credential, type CredentialSources, readCredential } from "keyward";
export {
  type Authenticator,
  type AuthOptions,
  type AuthOutcome,
  createAuthenticator,
  type LegacyAuthOptions,
  type PathSource,
} from "./authenticate.js";
export { BodyTooLargeError, MalformedBodyError, parseJsonObject, UnsupportedMediaTypeError } from "./body.js";
export { clientAddress, type TrustedProxies, type TrustProxy, trustedProxies } from "./client-address.js";
export { GITHUB_SECRET_SCANNING_KEYS_URL } from "./github-keys.js";
export type { GithubPublicKey } from "./github-signature.js";
export {
  type FetchHeaders,
  type HeaderReader,
  headersFromFetch,
  headersFromRaw,
  headerValues,
  type RequestHeaders,
} from "./headers.js";
export { type ActorResolver, createManagementHandler, type ManagementOptions, type ManagementRequest } from "./management.js";
export type { Principal } from "./principal.js";
export { rateLimitHeaders } from "./ratelimit-headers.js";
export {
  type AuthFailure,
  assertRealm,
  authFailure,
  challenge,
  type ErrorBody,
  errorBody,
  errorResponse,
  type HttpResponse,
  type ResponseContext,
  UNAUTHORIZED_MESSAGE,
} from "./responses.js";
export { createScopeGuard, type ScopeGuard } from "./scope-guard.js";
export {
  createSecretScanningHandler,
  type SecretScanningOptions,
  type SecretScanningRequest,
  type TokenLabel,
} from "./secret-scanning.js";
export { createSelfRevocationHandler, type SelfRevocationOptions, type SelfRevocationRequest } from "./self-revocation.js";
