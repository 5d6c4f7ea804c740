/**
 * Which of the webhook's two signature schemes a request speaks, read from its
 * headers once: Standard Webhooks (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature`), which wins whenever one of its headers is present, or
 * the original `X-Webhook-Timestamp` / `X-Webhook-Signature`. Whichever it is,
 * the answer says how to verify the body and which record
 * (src/webhook/deliveries.ts) keeps the request from being processed twice.
 */
import type { Config } from "../config";
import { ProblemError } from "../domain/problems";
import { sha256Hex } from "../util/sha256";
import type { WebhookDeliveries } from "./deliveries";
import { checkHeaders, type LegacyHeaders, type SignatureVerdict, verifySignature } from "./signature";
import {
  checkStandardHeaders,
  isStandardDelivery,
  readStandardHeaders,
  type StandardHeaders,
  verifyStandardSignature,
} from "./standard";

/** A request that passed every check that needs no body, and what to do with its body. */
export type Delivery = (
  | { scheme: "standard"; headers: StandardHeaders }
  | { scheme: "legacy"; headers: LegacyHeaders }
) & {
  /** Header-only checks (presence, shape, timestamp); throws `invalid-signature`. */
  check(nowSeconds: number): void;
  /** Checks the MAC over the raw body; throws `invalid-signature` when it does not match. */
  verify(rawBody: string, nowSeconds: number): Promise<void>;
  /** Names the request's record: the same for every copy of it, wherever it arrives. */
  recordId(): Promise<string>;
  /** Where processed requests are recorded. */
  deliveries: DurableObjectNamespace<WebhookDeliveries>;
};

/**
 * Everything checked before the body is read, in order: the webhook is
 * configured and can record what it processes, the body is JSON, the scheme
 * can be checked on this deployment, and its headers are well formed and
 * fresh. Throws the problem to answer with.
 */
export function admitDelivery(headers: Headers, config: Config, nowSeconds: number): Delivery {
  const { webhookSecret, webhookSigningKey, webhookDeliveries } = config;
  if (!webhookSecret) throw new ProblemError("webhook-disabled", "The webhook is not configured on this deployment.");
  if (!webhookDeliveries) {
    // Without the record a captured request or a sender's retry would cost credits again: refuse rather than process.
    throw new ProblemError(
      "webhook-disabled",
      "The webhook needs the WEBHOOK_DELIVERIES binding, which this deployment lacks.",
    );
  }
  if (!/^application\/json\s*(;|$)/i.test(headers.get("Content-Type") ?? "")) {
    throw new ProblemError("unsupported-media-type", "Send the body as application/json.");
  }
  const delivery = isStandardDelivery(headers)
    ? standardDelivery(readStandardHeaders(headers), standardKey(webhookSigningKey), webhookDeliveries)
    : legacyDelivery(
        {
          timestamp: headers.get("X-Webhook-Timestamp") ?? undefined,
          signature: headers.get("X-Webhook-Signature") ?? undefined,
        },
        webhookSecret,
        webhookDeliveries,
      );
  delivery.check(nowSeconds);
  return delivery;
}

function standardKey(key: Uint8Array<ArrayBuffer> | undefined): Uint8Array<ArrayBuffer> {
  if (key) return key;
  throw new ProblemError(
    "webhook-disabled",
    "WEBHOOK_SECRET is not a Standard Webhooks secret (whsec_ and base64) on this deployment; " +
      "only X-Webhook-Signature requests can be checked.",
  );
}

function standardDelivery(
  headers: StandardHeaders,
  key: Uint8Array<ArrayBuffer>,
  deliveries: DurableObjectNamespace<WebhookDeliveries>,
): Delivery {
  return {
    scheme: "standard",
    headers,
    deliveries,
    check: (nowSeconds) => refuseUnless(checkStandardHeaders(headers, nowSeconds)),
    verify: async (rawBody, nowSeconds) =>
      refuseUnless(await verifyStandardSignature(key, headers, rawBody, nowSeconds)),
    // The sender's message id: the same on every retry of a message, whatever its timestamp.
    recordId: async () => headers.id ?? "",
  };
}

function legacyDelivery(
  headers: LegacyHeaders,
  secret: string,
  deliveries: DurableObjectNamespace<WebhookDeliveries>,
): Delivery {
  return {
    scheme: "legacy",
    headers,
    deliveries,
    check: (nowSeconds) => refuseUnless(checkHeaders(headers, nowSeconds)),
    verify: async (rawBody, nowSeconds) => refuseUnless(await verifySignature(secret, headers, rawBody, nowSeconds)),
    // No message id: the signed material names it. The MAC binds the body and the timestamp, and its hex is
    // read in either case, so one spelling names one request.
    recordId: async () =>
      `legacy:${await sha256Hex(`${headers.timestamp ?? ""}.${(headers.signature ?? "").toLowerCase()}`)}`,
  };
}

function refuseUnless(verdict: SignatureVerdict): void {
  if (!verdict.valid) throw new ProblemError("invalid-signature", verdict.reason);
}
