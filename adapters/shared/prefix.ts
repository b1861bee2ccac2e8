/** Internal to the adapters whose `apiKeyRoutes` answers under a `prefix` option (Koa, Fetch). */
import { ConfigError } from "keyward";

/** The `prefix` option without trailing slashes ("" for every path); a `ConfigError` when it is not a path. */
export function normalizePrefix(prefix: unknown): string {
  if (prefix === undefined) return "";
  if (typeof prefix !== "string" || !/^\/[^?#\s]*$/.test(prefix)) {
    throw new ConfigError('apiKeyRoutes: `prefix` must be a path starting with "/", e.g. "/settings/api-keys"');
  }
  return prefix.replace(/\/+$/, "");
}

/** The route below `prefix`, or null when `path` is not under it. */
export function routeBelow(prefix: string, path: string): string | null {
  if (path === prefix) return "/";
  if (!path.startsWith(prefix) || path.charCodeAt(prefix.length) !== 47) return null;
  return path.slice(prefix.length);
}
