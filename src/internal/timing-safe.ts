/**
 * Constant-time string equality for secret-derived values (hashes). The time
 * taken depends only on the length of `b` (the expected value), never on where
 * the strings first differ. Unequal lengths return false.
 *
 * @example
 * ```ts
 * timingSafeEqual(presentedHash, storedHash); // true only when identical
 * ```
 */
export function timingSafeEqual(a: string, b: string): boolean {
  // compare against `b` itself when lengths differ, so the loop shape never depends on `a`
  const left = a.length === b.length ? a : b;
  let diff = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) diff |= left.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
