/**
 * ECDSA P-256 / SHA-256 signatures as GitHub's secret-scanning alerts carry
 * them: a public key in PEM (SPKI), a signature in base64 DER, checked with
 * WebCrypto over the raw body bytes.
 */

/**
 * One entry of GitHub's published secret-scanning key list
 * (`GET https://api.github.com/meta/public_keys/secret_scanning` →
 * `public_keys`): its identifier and the public key in PEM.
 *
 * @example
 * ```ts
 * const publicKeys: GithubPublicKey[] = [{ key_identifier: "bcb53661c06b4728e59d897fb6165d5c9cda0fd9cdf9d09ead458168deb7518c", key: pem }];
 * app.post("/github/secret-scanning", secretScanning(keyward, { publicKeys }));
 * ```
 */
export interface GithubPublicKey {
  key_identifier: string;
  /** The public key in PEM (`-----BEGIN PUBLIC KEY-----` …). */
  key: string;
}

/** Bytes of standard base64 (padding optional, whitespace ignored), or null when it is not base64. */
export function fromBase64(text: string): Uint8Array | null {
  const clean = text.replace(/\s+/g, "");
  if (clean === "" || !/^[A-Za-z0-9+/]+={0,2}$/.test(clean)) return null;
  try {
    const binary = atob(clean);
    const out = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}

/** The DER bytes of a PEM public key, or null. */
function pemToDer(pem: string): Uint8Array | null {
  const match = /-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\s]+)-----END PUBLIC KEY-----/.exec(pem);
  return match ? fromBase64(match[1] as string) : null;
}

/** Imports a PEM P-256 public key for ECDSA verification; null when it is not one. */
export async function importPublicKey(pem: unknown): Promise<CryptoKey | null> {
  if (typeof pem !== "string") return null;
  const der = pemToDer(pem);
  if (!der) return null;
  try {
    return await crypto.subtle.importKey("spki", der as Uint8Array<ArrayBuffer>, { name: "ECDSA", namedCurve: "P-256" }, false, [
      "verify",
    ]);
  } catch {
    return null;
  }
}

/**
 * The raw `r || s` (64 bytes) of a DER `ECDSA-Sig-Value` (`SEQUENCE { INTEGER r,
 * INTEGER s }`), as WebCrypto wants it; null for anything else (strict: no
 * trailing bytes, no long lengths, no integer wider than 32 bytes).
 */
export function derToRaw(der: Uint8Array): Uint8Array | null {
  if (der.length < 8 || der[0] !== 0x30 || der[1] !== der.length - 2) return null;
  const out = new Uint8Array(64);
  let at = 2;
  for (let part = 0; part < 2; part++) {
    if (der[at] !== 0x02) return null;
    const length = der[at + 1] as number;
    const start = at + 2;
    if (length < 1 || length > 33 || start + length > der.length) return null;
    let int = der.subarray(start, start + length);
    while (int.length > 1 && int[0] === 0) int = int.subarray(1);
    if (int.length > 32) return null;
    out.set(int, part * 32 + (32 - int.length));
    at = start + length;
  }
  return at === der.length ? out : null;
}

/** Whether `signature` (base64 DER) is `key`'s ECDSA P-256 / SHA-256 signature of `body`. Never throws. */
export async function verifySignature(key: CryptoKey, signature: string, body: Uint8Array): Promise<boolean> {
  const der = fromBase64(signature);
  const raw = der && derToRaw(der);
  if (!raw) return false;
  try {
    return await crypto.subtle.verify(
      { name: "ECDSA", hash: "SHA-256" },
      key,
      raw as Uint8Array<ArrayBuffer>,
      body as Uint8Array<ArrayBuffer>,
    );
  } catch {
    return false;
  }
}
