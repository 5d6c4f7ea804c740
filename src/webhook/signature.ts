/**
 * Webhook signatures: `X-Webhook-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`
 * with `X-Webhook-Timestamp: <unix seconds>`. The timestamp is inside the MAC,
 * so an old request cannot be replayed with a new timestamp.
 */

/** How far the sender's clock may be from ours, either way. */
export const MAX_CLOCK_SKEW_SECONDS = 300;

/**
 * How long the record of a processed request is kept after it was processed
 * (src/webhook/deliveries.ts), for both schemes: a signed timestamp passes the
 * clock check from MAX_CLOCK_SKEW_SECONDS before it until as long after it, so
 * once this much time has passed since the first copy was processed no copy of
 * the same signed request can pass it any more. 10 minutes.
 */
export const DELIVERY_TTL_MS = 2 * MAX_CLOCK_SKEW_SECONDS * 1000;

/** The original scheme's two headers, as sent (absent headers are `undefined`). */
export type LegacyHeaders = { timestamp: string | undefined; signature: string | undefined };

const encoder = new TextEncoder();

function hmacKey(secret: string, usage: "sign" | "verify"): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [usage]);
}

export type SignatureVerdict = { valid: true } | { valid: false; reason: string };

/**
 * Checks the headers' shape and freshness first (no crypto for junk), then the
 * MAC with WebCrypto's constant-time `verify`.
 */
export async function verifySignature(
  secret: string,
  headers: LegacyHeaders,
  rawBody: string,
  nowSeconds: number,
): Promise<SignatureVerdict> {
  const verdict = checkHeaders(headers, nowSeconds);
  if (!verdict.valid) return verdict;
  const mac = hexToBytes((headers.signature as string).slice("sha256=".length));
  const key = await hmacKey(secret, "verify");
  const valid = await crypto.subtle.verify("HMAC", key, mac, encoder.encode(`${headers.timestamp}.${rawBody}`));
  return valid ? { valid: true } : { valid: false, reason: "The signature does not match the body." };
}

/** Header-only checks, before the body is read. */
export function checkHeaders(headers: LegacyHeaders, nowSeconds: number): SignatureVerdict {
  const { timestamp, signature } = headers;
  if (!timestamp || !signature) {
    return { valid: false, reason: "X-Webhook-Timestamp and X-Webhook-Signature are required." };
  }
  if (!/^\d{1,12}$/.test(timestamp)) return { valid: false, reason: "X-Webhook-Timestamp must be Unix seconds." };
  if (Math.abs(nowSeconds - Number(timestamp)) > MAX_CLOCK_SKEW_SECONDS) {
    return { valid: false, reason: `X-Webhook-Timestamp is more than ${MAX_CLOCK_SKEW_SECONDS} s from now.` };
  }
  if (!/^sha256=[0-9a-f]{64}$/i.test(signature)) {
    return { valid: false, reason: "X-Webhook-Signature must be sha256=<64 hex digits>." };
  }
  return { valid: true };
}

/** The sender's side, for tests and the README: `sha256=<hex>`. */
export async function sign(secret: string, timestamp: string, rawBody: string): Promise<string> {
  const key = await hmacKey(secret, "sign");
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(`${timestamp}.${rawBody}`)));
  return `sha256=${Array.from(mac, (byte) => byte.toString(16).padStart(2, "0")).join("")}`;
}

function hexToBytes(hex: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}
