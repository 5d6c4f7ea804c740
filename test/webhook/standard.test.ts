import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import {
  checkStandardHeaders,
  decodeSigningSecret,
  isStandardDelivery,
  signStandard,
  verifyStandardSignature,
} from "../../src/webhook/standard";

// 32 random bytes, as Standard Webhooks senders generate them.
const SECRET = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD7WzX+hW6U0c=";
const KEY = decodeSigningSecret(SECRET) as Uint8Array<ArrayBuffer>;
const ID = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";
const TS = "1764072000";
const BODY = '{"items":[{"clip_id":"6703723351497508865"}]}';

const headers = (signature: string, overrides: Partial<Record<"id" | "timestamp", string | undefined>> = {}) => ({
  id: ID,
  timestamp: TS,
  signature,
  ...overrides,
});

describe("decodeSigningSecret", () => {
  it.each([
    ["whsec_ and base64", SECRET, 32],
    ["bare base64, as the reference libraries accept", SECRET.slice("whsec_".length), 32],
    ["a 24-byte secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", 24],
  ])("reads %s", (_name, secret, length) => {
    expect(decodeSigningSecret(secret)?.length).toBe(length);
  });

  it.each([
    ["not base64", "whsec_test_0123456789abcdef"],
    ["a plain passphrase", "dev-webhook-secret-0123"],
    ["base64url", "whsec_C2FVsBQIhrscChlQIMV-b5sSYspob7oD7WzX-hW6U0c="],
    ["bad padding", "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD7WzX+hW6U0c"],
    ["only the prefix", "whsec_"],
  ])("has no key for %s", (_name, secret) => {
    expect(decodeSigningSecret(secret)).toBeUndefined();
  });

  it("gives the key the standardwebhooks package uses (same signature)", async () => {
    const expected = new Webhook(SECRET).sign(ID, new Date(Number(TS) * 1000), BODY);
    expect(await signStandard(KEY, ID, TS, BODY)).toBe(expected);
  });
});

describe("signStandard", () => {
  // The expected value was computed independently: openssl dgst -sha256 -mac HMAC -macopt hexkey:<key> -binary | base64
  it("produces the standardwebhooks package's header for a fixed id, timestamp, body and secret", async () => {
    expect(await signStandard(KEY, ID, TS, BODY)).toBe("v1,EsLSghIVRd9Dyqfj7SV1GBydxjw3FwjlOifMAdPSeiM=");
    expect(new Webhook(SECRET).sign(ID, new Date(Number(TS) * 1000), BODY)).toBe(
      "v1,EsLSghIVRd9Dyqfj7SV1GBydxjw3FwjlOifMAdPSeiM=",
    );
  });
});

describe("checkStandardHeaders", () => {
  const good = "v1,EsLSghIVRd9Dyqfj7SV1GBydxjw3FwjlOifMAdPSeiM=";
  it.each([
    [
      "no webhook-id",
      headers(good, { id: undefined }),
      "webhook-id, webhook-timestamp and webhook-signature are required.",
    ],
    [
      "an empty webhook-id",
      headers(good, { id: "" }),
      "webhook-id, webhook-timestamp and webhook-signature are required.",
    ],
    [
      "a webhook-id with a space",
      headers(good, { id: "msg 1" }),
      "webhook-id must be 1 to 256 visible ASCII characters.",
    ],
    [
      "a 257-character webhook-id",
      headers(good, { id: "m".repeat(257) }),
      "webhook-id must be 1 to 256 visible ASCII characters.",
    ],
    [
      "no timestamp",
      headers(good, { timestamp: undefined }),
      "webhook-id, webhook-timestamp and webhook-signature are required.",
    ],
    ["a timestamp in ms", headers(good, { timestamp: `${TS}000` }), "webhook-timestamp must be Unix seconds."],
    [
      "an ISO timestamp",
      headers(good, { timestamp: "2025-11-25T12:00:00Z" }),
      "webhook-timestamp must be Unix seconds.",
    ],
    [
      "a timestamp 301 s old",
      headers(good, { timestamp: String(Number(TS) - 301) }),
      "webhook-timestamp is more than 300 s from now.",
    ],
    [
      "a timestamp 301 s ahead",
      headers(good, { timestamp: String(Number(TS) + 301) }),
      "webhook-timestamp is more than 300 s from now.",
    ],
    ["no v1 entry", headers("v1a,abc v2,xyz"), "webhook-signature must hold a v1,<base64 HMAC-SHA256> entry."],
    ["a hex v1 entry", headers(`v1,${"0".repeat(64)}`), "webhook-signature must hold a v1,<base64 HMAC-SHA256> entry."],
    ["a bare signature", headers(good.slice(3)), "webhook-signature must hold a v1,<base64 HMAC-SHA256> entry."],
    ["17 entries", headers(Array(17).fill(good).join(" ")), "webhook-signature may hold at most 16 entries."],
  ])("refuses %s", (_name, input, reason) => {
    expect(checkStandardHeaders(input, Number(TS))).toEqual({ valid: false, reason });
  });

  it.each([
    ["one entry", good],
    ["entries of other versions around a v1 one", `v1a,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4= ${good} v2,x`],
    ["a timestamp 300 s off", good],
  ])("passes %s", (_name, signature) => {
    expect(checkStandardHeaders(headers(signature), Number(TS) + 300)).toEqual({ valid: true });
  });
});

describe("verifyStandardSignature", () => {
  const good = "v1,EsLSghIVRd9Dyqfj7SV1GBydxjw3FwjlOifMAdPSeiM=";
  const other = "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=";
  const now = Number(TS);

  it("passes when any one v1 entry matches (key rotation)", async () => {
    expect(await verifyStandardSignature(KEY, headers(`${other} ${good}`), BODY, now)).toEqual({ valid: true });
    expect(await verifyStandardSignature(KEY, headers(`${good} ${other}`), BODY, now)).toEqual({ valid: true });
  });

  it("reads a header sent as two lines (the runtime joins them with a comma), whichever entry is valid", async () => {
    // The reference package checks the timestamp against the real clock: sign for now.
    const sentAt = new Date();
    const seconds = Math.floor(sentAt.getTime() / 1000);
    const valid = new Webhook(SECRET).sign(ID, sentAt, BODY);
    const stale = new Webhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").sign(ID, sentAt, BODY);
    for (const [first, second] of [
      [valid, stale],
      [stale, valid],
    ] as const) {
      const lines = new Headers();
      lines.append("webhook-signature", first);
      lines.append("webhook-signature", second);
      const signature = lines.get("webhook-signature") as string;
      expect(signature).toBe(`${first}, ${second}`);
      const input = headers(signature, { timestamp: String(seconds) });
      expect(checkStandardHeaders(input, seconds), signature).toEqual({ valid: true });
      expect(await verifyStandardSignature(KEY, input, BODY, seconds), signature).toEqual({ valid: true });
      // As the reference package reads it.
      const reference = new Webhook(SECRET).verify(BODY, {
        "webhook-id": ID,
        "webhook-timestamp": String(seconds),
        "webhook-signature": signature,
      });
      expect(reference).toEqual(JSON.parse(BODY));
    }
  });

  it("still refuses two joined lines when neither entry matches", async () => {
    expect(await verifyStandardSignature(KEY, headers(`${other}, ${other}`), BODY, now)).toEqual({
      valid: false,
      reason: "No webhook-signature entry matches the body.",
    });
  });

  it.each([
    ["a tampered body", headers(good), `${BODY} `],
    ["another id", headers(good, { id: "msg_other" }), BODY],
    ["another timestamp", headers(good, { timestamp: String(now - 1) }), BODY],
    ["a signature from another key", headers(other), BODY],
    ["a one-bit change", headers(`${good.slice(0, -2)}Q=`), BODY],
  ])("refuses %s", async (_name, input, body) => {
    expect(await verifyStandardSignature(KEY, input, body, now)).toEqual({
      valid: false,
      reason: "No webhook-signature entry matches the body.",
    });
  });

  it("accepts what the standardwebhooks package signs, and the package accepts what it signs", async () => {
    const signature = new Webhook(SECRET).sign(ID, new Date(now * 1000), BODY);
    expect(await verifyStandardSignature(KEY, headers(signature), BODY, now)).toEqual({ valid: true });
    // The package checks the timestamp against the real clock.
    const fresh = String(Math.floor(Date.now() / 1000));
    const ours = await signStandard(KEY, ID, fresh, BODY);
    const verified = new Webhook(SECRET).verify(BODY, {
      "webhook-id": ID,
      "webhook-timestamp": fresh,
      "webhook-signature": ours,
    });
    expect(verified).toEqual(JSON.parse(BODY));
  });
});

describe("isStandardDelivery", () => {
  it.each([
    [{ "webhook-id": "x" }, true],
    [{ "Webhook-Timestamp": "1" }, true],
    [{ "webhook-signature": "v1,x" }, true],
    [{ "X-Webhook-Signature": "sha256=00" }, false],
    [{}, false],
  ])("%j → %s", (init, expected) => {
    expect(isStandardDelivery(new Headers(init))).toBe(expected);
  });
});
