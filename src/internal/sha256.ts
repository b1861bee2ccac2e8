import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { base64url, utf8 } from "./encoding.js";

/** A digest function: ASCII/UTF-8 text in, unpadded base64url digest out. */
export type Digest = (text: string) => string;

/** The portable back-end (`@noble/hashes`): runs on every runtime. */
export const nobleBackend = {
  sha256: (text: string): string => base64url(sha256(utf8(text))),
  hmacSha256: (key: string): Digest => {
    const k = utf8(key);
    return (text) => base64url(hmac(sha256, k, utf8(text)));
  },
};

interface NodeCrypto {
  hash?: (algorithm: string, data: string | Uint8Array, encoding: string) => string | Uint8Array;
  createHash: (algorithm: string) => { update(data: string): { digest(encoding: string): string } };
  createHmac: (algorithm: string, key: string) => { update(data: string): { digest(encoding: string): string } };
}

interface NodeBuffer {
  Buffer: {
    alloc(size: number): Uint8Array & {
      write(text: string, offset: number, encoding: string): number;
      subarray(start: number, end: number): Uint8Array;
    };
  };
}

function loadBuiltin<T>(id: string): T | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    return proc?.getBuiltinModule?.(id) as T | undefined;
  } catch {
    return undefined;
  }
}

/** Longest text (UTF-16 code units) the one-shot HMAC takes; longer text goes through `createHmac`. */
const HMAC_TEXT_MAX = 1024;

/**
 * HMAC-SHA-256 (RFC 2104) keyed by `key`, as two one-shot hashes over
 * scratch buffers holding the precomputed padded keys: the same digest as
 * `createHmac`, without building an Hmac object and preparing the key on
 * every call. Undefined where the one-shot `hash` or `Buffer` is missing.
 */
function oneShotHmac(c: NodeCrypto, key: string): Digest | undefined {
  const oneShot = c.hash;
  const buffer = loadBuiltin<NodeBuffer>("node:buffer")?.Buffer;
  if (!oneShot || !buffer) return undefined;
  let k: Uint8Array = buffer.alloc(Math.max(64, key.length * 3));
  const length = (k as ReturnType<typeof buffer.alloc>).write(key, 0, "utf8");
  if (length > 64) k = oneShot("sha256", k.subarray(0, length), "buffer") as Uint8Array; // keys longer than a block are hashed first
  const inner = buffer.alloc(64 + HMAC_TEXT_MAX * 3);
  const outer = buffer.alloc(64 + 32);
  for (let i = 0; i < 64; i++) {
    const b = k[i] ?? 0; // zero-padded to a block
    inner[i] = b ^ 0x36;
    outer[i] = b ^ 0x5c;
  }
  const slow = (text: string): string => c.createHmac("sha256", key).update(text).digest("base64url");
  const fast = (text: string): string => {
    if (text.length > HMAC_TEXT_MAX) return slow(text);
    const n = inner.write(text, 64, "utf8");
    outer.set(oneShot("sha256", inner.subarray(0, 64 + n), "buffer") as Uint8Array, 64);
    inner.fill(0, 64, 64 + n); // the text (a key) does not linger in the scratch buffer
    return oneShot("sha256", outer, "base64url") as string;
  };
  try {
    // a runtime whose one-shot `hash` differs in any way keeps createHmac
    return fast("keyward ✓ self-test") === slow("keyward ✓ self-test") ? fast : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The native back-end (`node:crypto`, reached through
 * `process.getBuiltinModule`, so no bundler condition is needed) where the
 * runtime has it — Node 20.16+, Bun, Deno — else undefined.
 */
export const nodeBackend = /* @__PURE__ */ (() => {
  const c = loadBuiltin<NodeCrypto>("node:crypto");
  if (!c) return undefined;
  const oneShot = c.hash;
  return {
    sha256: oneShot
      ? (text: string): string => oneShot("sha256", text, "base64url") as string
      : (text: string): string => c.createHash("sha256").update(text).digest("base64url"),
    hmacSha256: (key: string): Digest =>
      oneShotHmac(c, key) ?? ((text) => c.createHmac("sha256", key).update(text).digest("base64url")),
  };
})();

/** The back-end in use: native where available, `@noble/hashes` elsewhere. */
export const backend = nodeBackend ?? nobleBackend;
