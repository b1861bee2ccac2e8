/**
 * The framework-neutral HTTP layer the Express, Hono and Koa adapters are
 * thin translations of. Use it to write an adapter for another framework.
 *
 * @module
 */
export {
  type Authenticator,
  type AuthOptions,
  type AuthOutcome,
  createAuthenticator,
  createScopeGuard,
  grantedScopes,
  hasScopes,
  type ScopeGuard,
} from "./authenticate.js";
export { BodyTooLargeError, MalformedBodyError, parseJsonObject } from "./body.js";
export { type Credential, type CredentialSources, readCredential } from "./credentials.js";
export { headerValues } from "./headers.js";
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
