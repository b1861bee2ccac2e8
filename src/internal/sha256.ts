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
  hash?: (algorithm: string, data: string, encoding: string) => string;
  createHash: (algorithm: string) => { update(data: string): { digest(encoding: string): string } };
  createHmac: (algorithm: string, key: string) => { update(data: string): { digest(encoding: string): string } };
}

function loadNodeCrypto(): NodeCrypto | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    return proc?.getBuiltinModule?.("node:crypto") as NodeCrypto | undefined;
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
  const c = loadNodeCrypto();
  if (!c) return undefined;
  const oneShot = c.hash;
  return {
    sha256: oneShot
      ? (text: string): string => oneShot("sha256", text, "base64url")
      : (text: string): string => c.createHash("sha256").update(text).digest("base64url"),
    hmacSha256:
      (key: string): Digest =>
      (text) =>
        c.createHmac("sha256", key).update(text).digest("base64url"),
  };
})();

/** The back-end in use: native where available, `@noble/hashes` elsewhere. */
export const backend = nodeBackend ?? nobleBackend;
