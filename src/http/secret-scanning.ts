import { ConfigError, type Keyward, type LeakAction } from "keyward";
import { BodyTooLargeError } from "./body.js";
import { GITHUB_SECRET_SCANNING_KEYS_URL, Keyring } from "./github-keys.js";
import { type GithubPublicKey, verifySignature } from "./github-signature.js";
import type { RequestHeaders } from "./headers.js";
import { errorBody, errorResponse, type HttpResponse } from "./responses.js";

/**
 * Options of `secretScanning` in every adapter.
 *
 * @example
 * ```ts
 * const options: SecretScanningOptions = { action: "disable" }; // keys GitHub finds are disabled, for a human to decide
 * app.post("/github/secret-scanning", secretScanning(keyward, options));
 * ```
 */
export interface SecretScanningOptions {
  /** What to do with each of our keys GitHub reports: `revoke` (default), `disable` or `notify` (change nothing). */
  action?: LeakAction | undefined;
  /**
   * GitHub's signing keys (the `public_keys` entries of
   * {@link GITHUB_SECRET_SCANNING_KEYS_URL}), for tests and air-gapped use.
   * When given, nothing is fetched. Default: the published list, fetched on
   * first use and cached.
   */
  publicKeys?: readonly GithubPublicKey[] | undefined;
  /** The `fetch` used to get the published list. Default: the global `fetch`. */
  fetch?: typeof fetch | undefined;
  /** Where the list is published. Default {@link GITHUB_SECRET_SCANNING_KEYS_URL}. */
  keysUrl?: string | undefined;
  /** Least time between two fetches of the list (an unknown key identifier triggers one), in ms. Default 60 000. */
  refreshInterval?: number | undefined;
  /** Largest body accepted, in bytes (more → 413). Default 1 MiB. */
  maxBodyBytes?: number | undefined;
  /** Most tokens in one alert (more → 400). Default 1 000. */
  maxTokens?: number | undefined;
  /** Clock in epoch ms (tests). Default `Date.now`. */
  now?: (() => number) | undefined;
}

/**
 * One alert as an adapter hands it over: the headers, and a reader of the
 * **raw** body (the bytes GitHub signed; a body parser's re-serialised
 * object never verifies).
 *
 * @example
 * ```ts
 * const request: SecretScanningRequest = {
 *   headers: headersFromRaw(req.rawHeaders),
 *   path: "/github/secret-scanning",
 *   readBody: (limit) => readBytes(req, limit), // your raw body reader
 * };
 * ```
 */
export interface SecretScanningRequest {
  headers: RequestHeaders;
  /** The request path, for error bodies. */
  path: string;
  /** The raw body; should reject with `BodyTooLargeError` past `limit` bytes. */
  readBody: (limit: number) => Promise<Uint8Array | string>;
}

/**
 * The label GitHub accepts for each reported token.
 *
 * @example
 * ```ts
 * const answer: TokenLabel = { token_raw: token, token_type: "keyward_api_key", label: "true_positive" };
 * ```
 */
export interface TokenLabel {
  token_raw: string;
  token_type: string;
  label: "true_positive" | "false_positive";
}

interface Match {
  token: string;
  type: string;
  url: string | null;
  source: string;
}

const NO_STORE = { "cache-control": "no-store" };

/**
 * GitHub's secret-scanning partner endpoint, framework-neutral (what
 * `secretScanning` of every adapter mounts). It checks the
 * `Github-Public-Key-Signature` (ECDSA P-256 / SHA-256, base64 DER) over
 * the raw body with the key `Github-Public-Key-Identifier` names, before
 * anything else: a missing, doubled or bad signature, or an unknown key, is a
 * 401 and nothing is touched. Then it parses the batch
 * (`[{ token, type, url, source }]`; malformed → 400), calls
 * `keyward.reportLeak` for every token (the action, then `key.leaked`), and
 * answers 200 with one {@link TokenLabel} per token: `true_positive` for our
 * keys, `false_positive` otherwise. A failing store is a 503 (GitHub retries;
 * acting twice on a key is harmless).
 *
 * @example
 * ```ts
 * const handle = createSecretScanningHandler(keyward, { action: "revoke" });
 * const answer = await handle({ headers: headersFromRaw(req.rawHeaders), path: "/github/secret-scanning", readBody });
 * res.writeHead(answer.status, { ...answer.headers, "content-type": "application/json" }).end(JSON.stringify(answer.body));
 * ```
 */
export function createSecretScanningHandler(
  keyward: Keyward,
  options: SecretScanningOptions = {},
): (req: SecretScanningRequest) => Promise<HttpResponse> {
  const action = checkAction(options.action);
  const maxBody = positive(options.maxBodyBytes, 1024 * 1024, "maxBodyBytes");
  const maxTokens = positive(options.maxTokens, 1000, "maxTokens");
  const keyring = new Keyring({
    publicKeys: checkPublicKeys(options.publicKeys),
    fetch: options.fetch ?? ((...args) => globalThis.fetch(...args)),
    url: options.keysUrl ?? GITHUB_SECRET_SCANNING_KEYS_URL,
    refreshInterval: positive(options.refreshInterval, 60_000, "refreshInterval", true),
    clock: options.now ?? Date.now,
  });

  return async function handleSecretScanning(req: SecretScanningRequest): Promise<HttpResponse> {
    const fail = (status: number, message: string): HttpResponse => ({
      status,
      headers: status === 503 ? { ...NO_STORE, "retry-after": "5" } : { ...NO_STORE },
      body: errorBody(status, message, req.path),
    });
    const ids = req.headers.values("github-public-key-identifier");
    const signatures = req.headers.values("github-public-key-signature");
    if (ids.length !== 1 || signatures.length !== 1) return fail(401, "Missing or doubled GitHub signature headers");
    let raw: Uint8Array | string;
    try {
      raw = await req.readBody(maxBody);
    } catch (error) {
      return error instanceof BodyTooLargeError
        ? fail(413, error.message)
        : fail(400, "The raw request body could not be read: mount secretScanning before any body parser");
    }
    const body = typeof raw === "string" ? new TextEncoder().encode(raw) : raw;
    if (body.byteLength > maxBody) return fail(413, new BodyTooLargeError().message);
    const key = await keyring.lookup((ids[0] as string).trim());
    if (key === "unavailable") return fail(503, "GitHub's signing keys could not be fetched");
    if (key === "unknown" || !(await verifySignature(key, (signatures[0] as string).trim(), body))) {
      return fail(401, "Invalid GitHub signature");
    }
    const matches = parseAlert(body, maxTokens);
    if (typeof matches === "string") return fail(400, matches);
    try {
      const ours = new Map<string, boolean>();
      for (const m of matches) {
        if (ours.has(m.token)) continue;
        ours.set(m.token, (await keyward.reportLeak(m.token, { action, url: m.url, source: m.source })) !== null);
      }
      const labels: TokenLabel[] = matches.map((m) => ({
        token_raw: m.token,
        token_type: m.type,
        label: ours.get(m.token) ? "true_positive" : "false_positive",
      }));
      return { status: 200, headers: { ...NO_STORE }, body: labels };
    } catch (error) {
      const answer = errorResponse(error, { realm: "api", path: req.path });
      answer.headers["cache-control"] = "no-store";
      return answer;
    }
  };
}

/** The batch of a verified alert, or the message of a 400. */
function parseAlert(body: Uint8Array, maxTokens: number): Match[] | string {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
  } catch {
    return "Malformed JSON body";
  }
  if (!Array.isArray(value)) return "The body must be a JSON array of { token, type, url, source }";
  if (value.length > maxTokens) return `At most ${maxTokens} tokens per request`;
  const out: Match[] = [];
  for (const item of value as unknown[]) {
    const m = item as Record<string, unknown> | null;
    if (m === null || typeof m !== "object" || typeof m.token !== "string") {
      return "Every entry must be an object with a string `token`";
    }
    out.push({
      token: m.token,
      type: typeof m.type === "string" ? m.type : "",
      url: typeof m.url === "string" ? m.url : null,
      source: typeof m.source === "string" && m.source !== "" ? m.source : "github",
    });
  }
  return out;
}

function checkAction(action: unknown): LeakAction {
  if (action === undefined) return "revoke";
  if (action !== "revoke" && action !== "disable" && action !== "notify") {
    throw new ConfigError('secretScanning: `action` must be "revoke", "disable" or "notify"');
  }
  return action;
}

function checkPublicKeys(keys: unknown): readonly GithubPublicKey[] | undefined {
  if (keys === undefined) return undefined;
  const ok =
    Array.isArray(keys) &&
    keys.every(
      (k: Partial<GithubPublicKey> | null) =>
        k !== null &&
        typeof k === "object" &&
        typeof k.key_identifier === "string" &&
        typeof k.key === "string" &&
        k.key.includes("-----BEGIN PUBLIC KEY-----"),
    );
  if (!ok) throw new ConfigError("secretScanning: `publicKeys` must be a list of { key_identifier, key } with `key` in PEM");
  return keys as readonly GithubPublicKey[];
}

function positive(value: unknown, fallback: number, name: string, zero = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < (zero ? 0 : 1)) {
    throw new ConfigError(`secretScanning: \`${name}\` must be a ${zero ? "non-negative" : "positive"} integer`);
  }
  return value;
}
