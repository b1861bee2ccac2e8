import { readCredential } from "./credentials.js";
import { StoreUnavailableError } from "./errors.js";
import type { Keyward } from "./keyward.js";
import type { Actor } from "./types.js";

/**
 * What the management API hands an actor resolver besides the framework's
 * request: `header(name)` gives every value of a request header (any case),
 * in order, read from the framework's raw headers, so a doubled header is
 * two values on every adapter.
 *
 * @example
 * ```ts
 * const actor = async (req: unknown, context: ActorContext) => {
 *   const session = context.header("cookie").join("; ");
 *   return (await sessions.actorOf(session)) ?? keyActor(keyward)(req, context); // pass the context on
 * };
 * ```
 */
export interface ActorContext {
  /** Every value of request header `name` (any case), in order; empty when absent. */
  header(name: string): readonly string[];
}

/**
 * Options of {@link keyActor}.
 *
 * @example
 * ```ts
 * const actor = keyActor(keyward, { header: "x-api-key" }); // Bearer or X-API-Key
 * app.use("/integrations/api-keys", apiKeyRoutes(keyward, { actor }));
 * ```
 */
export interface KeyActorOptions {
  /** Also read the key from this header (e.g. `"x-api-key"`). */
  header?: string | undefined;
}

const NO_CONTEXT =
  "keyActor: the resolver reads headers only through its second argument, the context the management API passes " +
  "to every actor resolver; when you wrap it, pass that context on: (req, context) => resolve(req, context)";

/**
 * An actor resolver for `apiKeyRoutes` that authenticates the caller with an
 * API key (Bearer), so an integration can manage keys. The actor is the key
 * itself: `id` = key id, `owner` = key owner, `scopes` = its effective
 * scopes; management then requires `api_keys:manage` among them and the
 * ceiling applies as for any actor. Works with every adapter alike:
 * it reads the request's headers only through the {@link ActorContext} the
 * management API passes as the second argument (called without it, it
 * rejects with a `TypeError`). Resolves null for a missing or invalid key
 * (401) and throws {@link StoreUnavailableError} when the store is down (503).
 *
 * @example
 * ```ts
 * app.use("/settings/api-keys", apiKeyRoutes(keyward, { actor: keyActor(keyward) }));
 * ```
 */
export function keyActor(
  keyward: Keyward,
  options: KeyActorOptions = {},
): (request: unknown, context: ActorContext) => Promise<Actor | null> {
  const header = options.header?.toLowerCase();
  return async function resolveKeyActor(_request, context) {
    if (typeof context?.header !== "function") throw new TypeError(NO_CONTEXT);
    const credential = readCredential({
      authorization: context.header("authorization"),
      ...(header && { apiKey: context.header(header) }),
    });
    if (credential.kind !== "token") return null;
    const result = await keyward.verify(credential.token);
    if (!result.ok) {
      if (result.error.status === 503) throw new StoreUnavailableError();
      return null;
    }
    return { id: result.key.id, owner: result.key.owner, scopes: result.scopes };
  };
}
