import { type GithubPublicKey, importPublicKey } from "./github-signature.js";

/**
 * Where GitHub publishes the keys that sign secret-scanning alerts (the
 * default of `keysUrl`).
 *
 * @example
 * ```ts
 * const { public_keys } = await (await fetch(GITHUB_SECRET_SCANNING_KEYS_URL)).json();
 * app.post("/github/secret-scanning", secretScanning(keyward, { publicKeys: public_keys })); // pinned, never refetched
 * ```
 */
export const GITHUB_SECRET_SCANNING_KEYS_URL = "https://api.github.com/meta/public_keys/secret_scanning";

/** What a key lookup found: the key, `unknown` (401), or `unavailable` (the list could not be had: 503). */
export type KeyLookup = CryptoKey | "unknown" | "unavailable";

interface KeyringOptions {
  publicKeys: readonly GithubPublicKey[] | undefined;
  fetch: typeof fetch;
  url: string;
  /** Least time between two fetches of the list, in ms. */
  refreshInterval: number;
  clock: () => number;
}

/**
 * GitHub's signing keys by identifier. A fixed list (`publicKeys`) is
 * imported once and never fetched; otherwise the published list is fetched
 * on first use and again when an alert names an identifier it does not
 * hold, at most once per `refreshInterval` however many alerts arrive (and
 * one fetch at a time), so unknown identifiers cannot cause a fetch storm.
 */
export class Keyring {
  private keys: Map<string, CryptoKey> | null = null;
  private loaded = false;
  private lastFetch = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<void> | null = null;
  /** How many times the list was fetched (tests, metrics). */
  fetches = 0;

  constructor(private readonly options: KeyringOptions) {}

  async lookup(id: string): Promise<KeyLookup> {
    if (this.options.publicKeys) {
      this.keys ??= await importAll(this.options.publicKeys);
      return this.keys.get(id) ?? "unknown";
    }
    const known = this.keys?.get(id);
    if (known) return known;
    if (this.options.clock() - this.lastFetch >= this.options.refreshInterval) await this.refresh();
    else if (this.inFlight) await this.inFlight;
    const key = this.keys?.get(id);
    if (key) return key;
    return this.loaded ? "unknown" : "unavailable";
  }

  private refresh(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    this.lastFetch = this.options.clock();
    this.inFlight = this.fetchList()
      .then((keys) => {
        if (keys) {
          this.keys = keys;
          this.loaded = true;
        }
      })
      .finally(() => {
        this.inFlight = null;
      });
    return this.inFlight;
  }

  /** The published list, or null when it could not be fetched or is not a list of keys (the old list stays). */
  private async fetchList(): Promise<Map<string, CryptoKey> | null> {
    this.fetches++;
    try {
      const res = await this.options.fetch(this.options.url, {
        headers: { accept: "application/vnd.github+json", "user-agent": "keyward" },
        signal: AbortSignal.timeout(10_000),
      });
      if (!res.ok) return null;
      const body = (await res.json()) as { public_keys?: unknown };
      if (!body || !Array.isArray(body.public_keys)) return null;
      const keys = await importAll(body.public_keys as GithubPublicKey[]);
      return keys.size > 0 ? keys : null;
    } catch {
      return null;
    }
  }
}

async function importAll(entries: readonly GithubPublicKey[]): Promise<Map<string, CryptoKey>> {
  const keys = new Map<string, CryptoKey>();
  for (const entry of entries) {
    if (!entry || typeof entry.key_identifier !== "string") continue;
    const key = await importPublicKey(entry.key);
    if (key) keys.set(entry.key_identifier, key);
  }
  return keys;
}
