const URL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** Unpadded base64url of bytes (RFC 4648 §5). */
export function base64url(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out +=
      URL_ALPHABET.charAt(n >>> 18) +
      URL_ALPHABET.charAt((n >>> 12) & 63) +
      URL_ALPHABET.charAt((n >>> 6) & 63) +
      URL_ALPHABET.charAt(n & 63);
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = (bytes[i] as number) << 16;
    out += URL_ALPHABET.charAt(n >>> 18) + URL_ALPHABET.charAt((n >>> 12) & 63);
  } else if (rest === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    out += URL_ALPHABET.charAt(n >>> 18) + URL_ALPHABET.charAt((n >>> 12) & 63) + URL_ALPHABET.charAt((n >>> 6) & 63);
  }
  return out;
}

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
