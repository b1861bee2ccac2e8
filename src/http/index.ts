/**
 * The framework-neutral HTTP layer the Express, Hono and Koa adapters are
 * thin translations of. Use it to write an adapter for another framework.
 * It reads credentials from header values, decides every status, builds the
 * `WWW-Authenticate` challenge and the JSON error body, and runs the
 * key-management API; an adapter only hands it header values and copies the
 * {@link HttpResponse} it returns onto the framework's response. See
 * `docs/http.md` for the statuses and bodies.
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { createAuthenticator, headerValues } from "keyward/http";
 *
 * const auth = createAuthenticator(keyward, { scopes: ["jobs:read"] });
 * createServer(async (req, res) => {
 *   const path = (req.url ?? "/").split("?")[0] ?? "/";
 *   const outcome = await auth.authenticate({ authorization: headerValues(req, "authorization") }, path);
 *   const { status, headers, body } = outcome.ok
 *     ? { status: 200, headers: {}, body: { owner: outcome.apiKey.owner } }
 *     : outcome.response;
 *   res.writeHead(status, { ...headers, "content-type": "application/json; charset=utf-8" });
 *   res.end(JSON.stringify(body));
 * }).listen(3000);
 * ```
 *
 * @module keyward/http
 */

export { type Credential, type CredentialSources, readCredential } from "keyward";
export {
  type Authenticator,
  type AuthOptions,
  type AuthOutcome,
  createAuthenticator,
  createScopeGuard,
  grantedScopes,
  hasScopes,
  type PathSource,
  type ScopeGuard,
} from "./authenticate.js";
export { BodyTooLargeError, MalformedBodyError, parseJsonObject, UnsupportedMediaTypeError } from "./body.js";
export { headerValues, type RequestHeaders, requestHeaders } from "./headers.js";
export { type ActorResolver, createManagementHandler, type ManagementOptions, type ManagementRequest } from "./management.js";
export {
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
