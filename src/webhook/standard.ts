/**
 * Standard Webhooks v1 (https://www.standardwebhooks.com), the scheme of Svix,
 * Resend, Clerk and others: `webhook-id`, `webhook-timestamp` (Unix seconds)
 * and `webhook-signature`, a space-separated list of `v1,<base64 HMAC-SHA256>`
 * entries over `<webhook-id>.<webhook-timestamp>.<raw body>`. Any one valid
 * entry passes (senders list several while they rotate keys); entries of other
 * versions (`v1a`, asymmetric) are skipped.
 *
 * The key is read as the specification's reference libraries read it: an
 * optional `whsec_` prefix, then standard base64.
 */
import { MAX_CLOCK_SKEW_SECONDS, type SignatureVerdict } from "./signature";

export const STANDARD_HEADERS = ["webhook-id", "webhook-timestamp", "webhook-signature"] as const;

/** Bounds the work one request can ask for: each entry is one HMAC verification. */
export const MAX_SIGNATURE_ENTRIES = 16;

/** What a sender put in the three headers (absent headers are `undefined`). */
export type StandardHeaders = { id: string | undefined; timestamp: string | undefined; signature: string | undefined };

const encoder = new TextEncoder();
const SECRET_PREFIX = "whsec_";
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** An HMAC-SHA256 is 32 bytes: 44 base64 characters, one `=`. */
const V1_MAC = /^[A-Za-z0-9+/]{43}=$/;
/** Visible ASCII: the id is part of the signed content and names the idempotency record. */
const WEBHOOK_ID = /^[\x21-\x7e]{1,256}$/;

/** Whether a request speaks Standard Webhooks: any of its three headers is present. */
export function isStandardDelivery(headers: Headers): boolean {
  return STANDARD_HEADERS.some((name) => headers.has(name));
}

export function readStandardHeaders(headers: Headers): StandardHeaders {
  return {
    id: headers.get("webhook-id") ?? undefined,
    timestamp: headers.get("webhook-timestamp") ?? undefined,
    signature: headers.get("webhook-signature") ?? undefined,
  };
}

/**
 * `whsec_<base64>` (or bare base64) → the HMAC key's bytes; `undefined` when the
 * secret is not base64, so no Standard Webhooks delivery can be checked with it.
 *
 * @example decodeSigningSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") // 24 bytes
 */
export function decodeSigningSecret(secret: string): Uint8Array<ArrayBuffer> | undefined {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (encoded.length === 0 || !BASE64.test(encoded)) return undefined;
  return base64ToBytes(encoded);
}

/** Header-only checks, before the body is read: presence, id, timestamp freshness, at least one v1 entry. */
export function checkStandardHeaders(headers: StandardHeaders, nowSeconds: number): SignatureVerdict {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature) {
    return { valid: false, reason: "webhook-id, webhook-timestamp and webhook-signature are required." };
  }
  if (!WEBHOOK_ID.test(id)) return { valid: false, reason: "webhook-id must be 1 to 256 visible ASCII characters." };
  if (!/^\d{1,12}$/.test(timestamp)) return { valid: false, reason: "webhook-timestamp must be Unix seconds." };
  if (Math.abs(nowSeconds - Number(timestamp)) > MAX_CLOCK_SKEW_SECONDS) {
    return { valid: false, reason: `webhook-timestamp is more than ${MAX_CLOCK_SKEW_SECONDS} s from now.` };
  }
  if (signatureEntries(signature).length > MAX_SIGNATURE_ENTRIES) {
    return { valid: false, reason: `webhook-signature may hold at most ${MAX_SIGNATURE_ENTRIES} entries.` };
  }
  if (v1Signatures(signature).length === 0) {
    return { valid: false, reason: "webhook-signature must hold a v1,<base64 HMAC-SHA256> entry." };
  }
  return { valid: true };
}

/**
 * The headers' checks, then each v1 entry with WebCrypto's constant-time `verify`
 * until one matches.
 */
export async function verifyStandardSignature(
  key: Uint8Array<ArrayBuffer>,
  headers: StandardHeaders,
  rawBody: string,
  nowSeconds: number,
): Promise<SignatureVerdict> {
  const verdict = checkStandardHeaders(headers, nowSeconds);
  if (!verdict.valid) return verdict;
  const signed = encoder.encode(`${headers.id}.${headers.timestamp}.${rawBody}`);
  const hmacKey = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  for (const mac of v1Signatures(headers.signature as string)) {
    if (await crypto.subtle.verify("HMAC", hmacKey, mac, signed)) return { valid: true };
  }
  return { valid: false, reason: "No webhook-signature entry matches the body." };
}

/**
 * The sender's side, for tests and the README: one `v1,<base64>` entry, the same
 * text as the `standardwebhooks` package's `Webhook#sign`.
 */
export async function signStandard(
  key: Uint8Array<ArrayBuffer>,
  id: string,
  timestamp: string,
  rawBody: string,
): Promise<string> {
  const hmacKey = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = await crypto.subtle.sign("HMAC", hmacKey, encoder.encode(`${id}.${timestamp}.${rawBody}`));
  return `v1,${bytesToBase64(new Uint8Array(mac))}`;
}

/** The header's space-separated entries (empty ones, from doubled spaces, do not count). */
function signatureEntries(header: string): string[] {
  return header.split(" ").filter(Boolean);
}

/**
 * The MACs of the well-formed v1 entries; anything else in the list is skipped.
 * Read as the reference libraries read it: each entry is `<version>,<signature>`
 * and whatever follows a second comma is ignored, so a header sent as two lines,
 * which the runtime joins as `v1,A=, v1,B=`, still offers both.
 */
function v1Signatures(header: string): Uint8Array<ArrayBuffer>[] {
  return signatureEntries(header)
    .slice(0, MAX_SIGNATURE_ENTRIES)
    .flatMap((entry) => {
      const [version, mac = ""] = entry.split(",", 2);
      return version === "v1" && V1_MAC.test(mac) ? [base64ToBytes(mac)] : [];
    });
}

function base64ToBytes(encoded: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(encoded), (char) => char.charCodeAt(0));
}

function bytesToBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}
