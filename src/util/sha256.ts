/**
 * SHA-256 of UTF-8 text as 64 lower-case hex digits: names and fingerprints
 * that must be the same wherever they are computed.
 *
 * @example await sha256Hex("abc") // "ba7816bf…"
 */
export async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
