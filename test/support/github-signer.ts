/**
 * A stand-in for GitHub's secret-scanning signer: a locally generated P-256
 * key pair, its public key as one `public_keys` entry, and signatures (base64
 * DER, as GitHub sends them) made with node:crypto, independently of the
 * WebCrypto code under test.
 */
import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";

export interface TestSigner {
  keyIdentifier: string;
  /** `{ key_identifier, key }`, as in GitHub's list. */
  entry: { key_identifier: string; key: string; is_current: boolean };
  /** Base64 DER ECDSA P-256 / SHA-256 signature of `body`. */
  sign(body: string | Uint8Array): string;
  /** The headers GitHub sends with `body`. */
  headers(body: string | Uint8Array): Record<string, string>;
}

export function testSigner(keyIdentifier = randomId()): TestSigner {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return signerOf(keyIdentifier, privateKey, publicKey);
}

function signerOf(keyIdentifier: string, privateKey: KeyObject, publicKey: KeyObject): TestSigner {
  const signBody = (body: string | Uint8Array) =>
    sign("sha256", typeof body === "string" ? Buffer.from(body, "utf8") : body, { key: privateKey, dsaEncoding: "der" }).toString(
      "base64",
    );
  return {
    keyIdentifier,
    entry: { key_identifier: keyIdentifier, key: publicKey.export({ type: "spki", format: "pem" }) as string, is_current: true },
    sign: signBody,
    headers: (body) => ({
      "content-type": "application/json",
      "github-public-key-identifier": keyIdentifier,
      "github-public-key-signature": signBody(body),
    }),
  };
}

function randomId(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("hex");
}

/** A GitHub secret-scanning alert body for `tokens`, serialised once (the exact bytes to sign and send). */
export function alertBody(tokens: readonly string[], extra: { url?: string; source?: string; type?: string } = {}): string {
  return JSON.stringify(
    tokens.map((token) => ({
      token,
      type: extra.type ?? "keyward_api_key",
      url: extra.url ?? "https://github.com/acme/app/blob/abc123/.env",
      source: extra.source ?? "content",
    })),
  );
}
