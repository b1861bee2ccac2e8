import type { Actor, ActorContext } from "keyward";
import { headerValues, readCredential } from "keyward/http";
import { checkOptions } from "./config.js";
import type { JwtActorOptions } from "./options.js";
import { createVerifier } from "./verifier.js";

/**
 * Longer Bearer values are refused without parsing (Node's default header cap is 16 KiB).
 *
 * @example
 * ```ts
 * // jwtActor resolves null (401) for a longer Bearer value, without parsing it
 * if (token.length > MAX_JWT_LENGTH) return null;
 * ```
 */
export const MAX_JWT_LENGTH = 8192;

/**
 * An actor resolver for `apiKeyRoutes` that authenticates the caller with an
 * OAuth2 Bearer JWT (`Authorization: Bearer <jwt>`, never the query string),
 * verified with `jose` against a JSON Web Key Set (an object, or a URL
 * fetched and cached) or an HMAC secret, then mapped to an {@link Actor} by
 * `toActor`. Works unchanged with Express `req`, Hono `c` and Koa `ctx`: it
 * reads the header through the context the management API passes every
 * actor resolver (called without one, e.g. `await actor(req)`, it reads a
 * Node `IncomingMessage` or a Fetch `Request` itself).
 *
 * Resolves `null` (→ 401) when no Bearer token is sent, when the token fails
 * verification for any reason (signature, `exp`, `nbf`, `iss`, `aud`, `alg`,
 * malformed) and when `toActor` gives no actor with a string `id` and
 * `owner`. Throws `StoreUnavailableError` (→ 503) when a remote JWKS cannot
 * be fetched. Options are validated once, here: a `ConfigError` is thrown for
 * a missing `toActor`, both or neither of `jwks`/`secret`, a secret shorter
 * than its algorithm needs, `none` or an algorithm that does not fit the key
 * source, a plain-http JWKS URL, or an unknown option (a typo in `audience`
 * would otherwise silently disable the check). The token is never logged or
 * echoed; an exception thrown by `toActor` itself propagates (500).
 *
 * @example
 * ```ts
 * import { jwtActor } from "keyward/jwt";
 *
 * const actor = jwtActor({
 *   jwks: "https://auth.example.com/.well-known/jwks.json",
 *   issuer: "https://auth.example.com/",
 *   audience: "https://api.example.com",
 *   toActor: (p) => ({ id: String(p.sub), owner: String(p.org_id), scopes: String(p.scope ?? "").split(" ") }),
 * });
 * app.use("/settings/api-keys", apiKeyRoutes(keyward, { actor }));
 * ```
 */
export function jwtActor(options: JwtActorOptions): (request: unknown, context?: ActorContext) => Promise<Actor | null> {
  const config = checkOptions(options);
  const verify = createVerifier(config);
  const toActor = config.toActor;
  return async function resolveJwtActor(request, context) {
    const credential = readCredential({ authorization: authorizationOf(request, context) });
    if (credential.kind !== "token" || credential.token.length > MAX_JWT_LENGTH) return null;
    const payload = await verify(credential.token);
    if (!payload) return null;
    return asActor(await toActor(payload));
  };
}

/** Every `Authorization` value: from the context the management API passes, else from a request of a standard shape. */
function authorizationOf(request: unknown, context: ActorContext | undefined): readonly string[] {
  if (typeof context?.header === "function") return context.header("authorization");
  try {
    return headerValues(request, "authorization");
  } catch {
    throw new TypeError(
      "jwtActor: pass on the context the management API gives every actor resolver, (req, context) => actor(req, context); " +
        "without it only a Node IncomingMessage, a Fetch Request or Headers can be read",
    );
  }
}

/**
 * A clean copy of what `toActor` returned when it is a usable actor (non-empty
 * string `id` and `owner`, `scopes` a list of strings, `role` a string or
 * null), else null. Empty scope strings are dropped, so `"".split(" ")` is
 * harmless.
 *
 * @example
 * ```ts
 * asActor({ id: "u1", owner: "org_1", scopes: ["keys:read", ""] }); // { id: "u1", owner: "org_1", scopes: ["keys:read"] }
 * asActor({ id: 42, owner: "org_1" }); // null
 * ```
 */
export function asActor(value: unknown): Actor | null {
  if (!value || typeof value !== "object") return null;
  const v = value as Record<string, unknown>;
  if (typeof v.id !== "string" || v.id === "" || typeof v.owner !== "string" || v.owner === "") return null;
  const actor: Actor = { id: v.id, owner: v.owner };
  if (v.scopes !== undefined) {
    if (!Array.isArray(v.scopes) || !v.scopes.every((s) => typeof s === "string")) return null;
    actor.scopes = (v.scopes as string[]).filter((s) => s !== "");
  }
  if (v.role !== undefined) {
    if (v.role !== null && typeof v.role !== "string") return null;
    actor.role = v.role;
  }
  return actor;
}
