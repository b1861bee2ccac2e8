import { ConfigError, ipAllowed, normalizeIp, normalizeIpRange } from "keyward";
import type { HeaderReader } from "./headers.js";

/**
 * Which proxies in front of the application may say who the client is
 * (`X-Forwarded-For` / `Forwarded`): a number of hops (`1`: the peer that
 * connected, a load balancer, is a proxy; the address it appended is the
 * client's), or the addresses and CIDR ranges of trusted proxies (hops are
 * skipped from the right while they lie in these ranges). Without it the
 * forwarding headers are never read: the client is the socket's peer.
 *
 * @example
 * ```ts
 * app.use("/v1", apiKeyAuth(keyward, { trustProxy: 1 })); // behind one load balancer
 * app.use("/v1", apiKeyAuth(keyward, { trustProxy: ["10.0.0.0/8"] })); // proxies on the private network
 * ```
 */
export type TrustProxy = number | readonly string[];

/**
 * A validated `trustProxy`: hops, or normalised ranges.
 *
 * @example
 * ```ts
 * const trust: TrustedProxies | null = trustedProxies(["10.0.0.0/8"], "myAdapter"); // { ranges: ["10.0.0.0/8"] }
 * ```
 */
export type TrustedProxies = { hops: number } | { ranges: readonly string[] };

/**
 * Checks the `trustProxy` option once, at configuration time.
 *
 * @example
 * ```ts
 * trustedProxies(1, "apiKeyAuth"); // { hops: 1 }
 * trustedProxies(["10.0.0.0/8"], "apiKeyAuth"); // { ranges: ["10.0.0.0/8"] }
 * ```
 */
export function trustedProxies(value: TrustProxy | undefined, where: string): TrustedProxies | null {
  if (value === undefined) return null;
  if (typeof value === "number") {
    if (!Number.isInteger(value) || value < 0 || value > 100) {
      throw new ConfigError(`${where}: \`trustProxy\` must be a whole number of hops from 0 to 100, or a list of CIDR ranges`);
    }
    return value === 0 ? null : { hops: value };
  }
  if (!Array.isArray(value) || value.length === 0) {
    throw new ConfigError(`${where}: \`trustProxy\` must be a whole number of hops, or a non-empty list of CIDR ranges`);
  }
  const ranges = value.map((entry: unknown) => {
    const range = typeof entry === "string" ? normalizeIpRange(entry) : null;
    if (range === null) throw new ConfigError(`${where}: \`trustProxy\` holds something that is not an IP address or CIDR range`);
    return range;
  });
  return { ranges: Object.freeze(ranges) };
}

/** An address of a forwarding header: `for=` values may be quoted, bracketed and carry a port. */
function forwardedAddress(raw: string): string | null {
  let text = raw.trim();
  if (text.startsWith('"') && text.endsWith('"') && text.length >= 2) text = text.slice(1, -1);
  if (text.startsWith("[")) {
    const end = text.indexOf("]");
    return end < 0 ? null : normalizeIp(text.slice(1, end));
  }
  const colon = text.indexOf(":");
  if (colon >= 0 && colon === text.lastIndexOf(":")) text = text.slice(0, colon); // IPv4 with a port
  return normalizeIp(text);
}

/** The addresses a forwarding header lists, client first (null for an entry that is not an address). */
function forwardedChain(read: HeaderReader): (string | null)[] {
  const forwarded = read("forwarded");
  if (forwarded.length > 0) {
    const out: (string | null)[] = [];
    for (const value of forwarded) {
      for (const element of value.split(",")) {
        const pair = element
          .split(";")
          .map((p) => p.trim())
          .find((p) => p.toLowerCase().startsWith("for="));
        out.push(pair === undefined ? null : forwardedAddress(pair.slice(4)));
      }
    }
    return out;
  }
  const out: (string | null)[] = [];
  for (const value of read("x-forwarded-for")) for (const entry of value.split(",")) out.push(forwardedAddress(entry));
  return out;
}

/**
 * The client's address for one request: the socket's peer (as the socket
 * gives it), unless `trust` says which proxies to believe, then the nearest
 * address the trusted proxies did not add (normalised) (`Forwarded` when present, else
 * `X-Forwarded-For`). Undefined when that entry is not an address (a key
 * with an allowlist is then refused). A request can never pick its own
 * address through these headers unless the application trusts a proxy.
 *
 * @example
 * ```ts
 * // socket 10.0.0.5 (the load balancer), X-Forwarded-For: 6.6.6.6, 203.0.113.9
 * clientAddress("10.0.0.5", header, { hops: 1 }); // "203.0.113.9" (6.6.6.6 was sent by the client itself)
 * clientAddress("10.0.0.5", header, null); // "10.0.0.5"
 * ```
 */
export function clientAddress(socket: string | undefined, read: HeaderReader, trust: TrustedProxies | null): string | undefined {
  if (typeof socket !== "string") return undefined;
  if (trust === null) return socket; // as the socket gives it: verify parses it only for a key with an allowlist
  const peer = normalizeIp(socket) ?? undefined;
  if (peer === undefined) return undefined;
  const chain = [...forwardedChain(read), peer];
  let index: number;
  if ("hops" in trust) {
    index = Math.max(0, chain.length - 1 - trust.hops);
  } else {
    index = chain.length - 1;
    while (index > 0) {
      const hop = chain[index];
      if (hop === null || hop === undefined || !ipAllowed(trust.ranges, hop)) break;
      index--;
    }
  }
  return chain[index] ?? undefined;
}
