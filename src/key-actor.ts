import { readCredential } from "./credentials.js";
import { StoreUnavailableError } from "./errors.js";
// biome-ignore lint/style/noRestrictedImports: dependency-free module; keyActor moves into keyward/http with the header-reader boundary
import { headerValues } from "./http/headers.js";
import type { Keyward } from "./keyward.js";
import type { Actor } from "./types.js";

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

/**
 * An actor resolver for `apiKeyRoutes` that authenticates the caller with an
 * API key (Bearer), so an integration can manage keys. The actor is the key
 * itself: `id` = key id, `owner` = key owner, `scopes` = its effective
 * scopes; management then requires `api_keys:manage` among them and the
 * ceiling applies as for any actor. Works with Express `req`, Hono `c` and
 * Koa `ctx` alike. Resolves null for a missing or invalid key (401) and
 * throws {@link StoreUnavailableError} when the store is down (503).
 *
 * @example
 * ```ts
 * app.use("/settings/api-keys", apiKeyRoutes(keyward, { actor: keyActor(keyward) }));
 * ```
 */
export function keyActor(keyward: Keyward, options: KeyActorOptions = {}): (request: unknown) => Promise<Actor | null> {
  const header = options.header?.toLowerCase();
  return async function resolveKeyActor(request) {
    const credential = readCredential({
      authorization: headerValues(request, "authorization"),
      ...(header && { apiKey: headerValues(request, header) }),
    });
    if (credential.kind !== "token") return null;
    const result = await keyward.verify(credential.token);
    if (!result.ok) {
      if (result.error.code === "unavailable") throw new StoreUnavailableError();
      return null;
    }
    return { id: result.key.id, owner: result.key.owner, scopes: result.scopes };
  };
}
