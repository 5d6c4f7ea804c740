/**
 * `POST /v1/webhooks/refresh`: signed requests from automation that want fresh
 * data now. Everything is checked before KeyAPI is asked: configuration,
 * content type, signature headers and freshness, size, the MAC, then the body.
 *
 * Two signature schemes: Standard Webhooks (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature`), which wins whenever one of its headers is present, and
 * the original `X-Webhook-Timestamp` / `X-Webhook-Signature`. Standard Webhooks
 * deliveries are processed once per `webhook-id` (src/webhook/deliveries.ts):
 * a retry gets the first answer back and costs no KeyAPI call.
 */
import type { Context } from "hono";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../app-env";
import type { LookupScope, SoundCache } from "../cache/sound-cache";
import { ProblemError } from "../domain/problems";
import { problemBody } from "../http/problem";
import type { SoundQuery } from "../sound/query";
import { mapWithConcurrency, UPSTREAM_CONCURRENCY } from "../util/concurrency";
import { MAX_WEBHOOK_BODY_BYTES, parseWebhookBody } from "../webhook/body";
import type { Claim, WebhookDeliveries } from "../webhook/deliveries";
import { checkHeaders, verifySignature } from "../webhook/signature";
import {
  checkStandardHeaders,
  isStandardDelivery,
  readStandardHeaders,
  type StandardHeaders,
  verifyStandardSignature,
} from "../webhook/standard";
import { lookupScope } from "./lookup-scope";

export const WEBHOOK_PATH = "/v1/webhooks/refresh";

/** How long a second copy of a delivery waits for the first copy's answer before it is told to come back. */
export const REDELIVERY_WAIT_MS = 10_000;
/** `Retry-After` when the delivery record cannot be reached. */
export const DELIVERIES_RETRY_AFTER_SECONDS = 30;
/** Set on an answer replayed from the delivery record (the name Stripe uses for the same thing). */
export const REPLAYED_HEADER = "Idempotent-Replayed";

export type WebhookResult = {
  clip_id: string;
  period: number;
  region: string;
  status: number;
  data?: unknown;
  error?: ReturnType<typeof problemBody>;
};

type Delivery =
  | { scheme: "standard"; headers: StandardHeaders }
  | { scheme: "legacy"; headers: { timestamp: string | undefined; signature: string | undefined } };

export function webhookRoutes(cache: SoundCache, clock: () => number) {
  return new Hono<AppEnv>().post(
    WEBHOOK_PATH,
    async function webhookPreconditions(c, next) {
      const { webhookSecret, webhookSigningKey, webhookDeliveries } = c.var.config;
      if (!webhookSecret)
        throw new ProblemError("webhook-disabled", "The webhook is not configured on this deployment.");
      const contentType = c.req.header("Content-Type") ?? "";
      if (!/^application\/json\s*(;|$)/i.test(contentType)) {
        throw new ProblemError("unsupported-media-type", "Send the body as application/json.");
      }
      const delivery = readDelivery(c.req.raw.headers);
      if (delivery.scheme === "standard" && !webhookSigningKey) {
        throw new ProblemError(
          "webhook-disabled",
          "WEBHOOK_SECRET is not a Standard Webhooks secret (whsec_ and base64) on this deployment; " +
            "only X-Webhook-Signature requests can be checked.",
        );
      }
      if (delivery.scheme === "standard" && !webhookDeliveries) {
        // Without the record a retry would cost credits again: refuse rather than process without it.
        throw new ProblemError(
          "webhook-disabled",
          "Standard Webhooks deliveries need the WEBHOOK_DELIVERIES binding, which this deployment lacks; " +
            "only X-Webhook-Signature requests are accepted.",
        );
      }
      const nowSeconds = clock() / 1000;
      const verdict =
        delivery.scheme === "standard"
          ? checkStandardHeaders(delivery.headers, nowSeconds)
          : checkHeaders(delivery.headers, nowSeconds);
      if (!verdict.valid) throw new ProblemError("invalid-signature", verdict.reason);
      await next();
    },
    bodyLimit({
      maxSize: MAX_WEBHOOK_BODY_BYTES,
      onError: () => {
        throw new ProblemError("payload-too-large", `The body may be at most ${MAX_WEBHOOK_BODY_BYTES} bytes.`);
      },
    }),
    async function refreshSounds(c) {
      const { config } = c.var;
      const rawBody = await c.req.text();
      const delivery = readDelivery(c.req.raw.headers);
      const nowSeconds = clock() / 1000;
      const verdict =
        delivery.scheme === "standard"
          ? await verifyStandardSignature(
              config.webhookSigningKey as Uint8Array<ArrayBuffer>,
              delivery.headers,
              rawBody,
              nowSeconds,
            )
          : await verifySignature(config.webhookSecret as string, delivery.headers, rawBody, nowSeconds);
      if (!verdict.valid) throw new ProblemError("invalid-signature", verdict.reason);
      const queries = parseWebhookBody(rawBody);

      const refresh = async () => {
        const scope = lookupScope(c);
        const results = await mapWithConcurrency(queries, UPSTREAM_CONCURRENCY, (query) =>
          refreshOne(cache, query, scope, c.var.requestId),
        );
        return JSON.stringify({ results });
      };
      if (delivery.scheme === "legacy") return resultsResponse(await refresh());
      const leaseMs = Math.ceil(queries.length / UPSTREAM_CONCURRENCY) * config.upstreamTimeoutMs + 5_000;
      return processOnce(c, delivery.headers.id as string, rawBody, leaseMs, refresh);
    },
  );
}

function readDelivery(headers: Headers): Delivery {
  if (isStandardDelivery(headers)) return { scheme: "standard", headers: readStandardHeaders(headers) };
  return {
    scheme: "legacy",
    headers: {
      timestamp: headers.get("X-Webhook-Timestamp") ?? undefined,
      signature: headers.get("X-Webhook-Signature") ?? undefined,
    },
  };
}

/**
 * Runs `refresh` at most once per `webhook-id` across all locations. The first
 * copy claims the id, refreshes and stores the exact body it answers with; a
 * copy arriving later gets that body back; a copy arriving while the first is
 * still running waits for it (up to `REDELIVERY_WAIT_MS`), else 409 +
 * Retry-After. Without the record, nothing is refreshed (503 + Retry-After):
 * the sender retries later, and no retry ever costs credits twice.
 */
async function processOnce(
  c: Context<AppEnv>,
  webhookId: string,
  rawBody: string,
  leaseMs: number,
  refresh: () => Promise<string>,
): Promise<Response> {
  const namespace = c.var.config.webhookDeliveries as DurableObjectNamespace<WebhookDeliveries>;
  const fingerprint = await sha256Hex(rawBody);
  let record: DurableObjectStub<WebhookDeliveries>;
  let claim: Claim;
  try {
    record = namespace.get(namespace.idFromName(webhookId));
    claim = await record.claim(webhookId, fingerprint, { leaseMs, waitMs: REDELIVERY_WAIT_MS });
  } catch (error) {
    warn("webhook delivery record unavailable", c.var.requestId, error);
    throw new ProblemError(
      "webhook-deliveries-unavailable",
      "The record of processed deliveries cannot be reached, so nothing was refreshed. Send it again later.",
      { retryAfter: DELIVERIES_RETRY_AFTER_SECONDS },
    );
  }
  if (claim.state === "done") return resultsResponse(claim.response, { [REPLAYED_HEADER]: "true" });
  if (claim.state === "conflict") {
    throw new ProblemError(
      "webhook-id-reused",
      "This webhook-id was delivered within the last 10 minutes with a different body. Use a new id per message.",
    );
  }
  if (claim.state === "in-progress") {
    throw new ProblemError(
      "webhook-delivery-in-progress",
      "Another copy of this delivery is still being processed. Send it again later to get its results.",
      { retryAfter: claim.retryAfterSeconds },
    );
  }

  // Under waitUntil, so the answer is stored even when the sender hangs up before it arrives.
  const processing = (async () => {
    let response: string;
    try {
      response = await refresh();
    } catch (error) {
      await record.release(webhookId).catch(() => {});
      throw error;
    }
    try {
      await record.complete(webhookId, fingerprint, response);
    } catch (error) {
      // The credits are spent and the caller gets its answer; a retry after the claim's lease may refresh again.
      warn("webhook delivery not recorded", c.var.requestId, error);
    }
    return response;
  })();
  c.executionCtx.waitUntil(processing.catch(() => {}));
  return resultsResponse(await processing);
}

function resultsResponse(body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, {
    status: 200,
    headers: { "Content-Type": "application/json", "Cache-Control": "no-store", ...headers },
  });
}

async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function warn(message: string, requestId: string, error: unknown): void {
  console.warn(JSON.stringify({ level: "warn", message, error: String(error), request_id: requestId }));
}

async function refreshOne(
  cache: SoundCache,
  query: SoundQuery,
  scope: LookupScope,
  requestId: string,
): Promise<WebhookResult> {
  const item = { clip_id: query.clipId, period: query.period, region: query.region };
  try {
    const { answer } = await cache.refresh(query, scope, "webhook");
    if (answer.status === 404) {
      const error = new ProblemError("sound-not-found", `KeyAPI has no trending sound with clip_id ${query.clipId}.`);
      return { ...item, status: 404, error: problemBody(error, requestId) };
    }
    return { ...item, status: 200, data: JSON.parse(answer.body) };
  } catch (error) {
    const problem =
      error instanceof ProblemError ? error : new ProblemError("internal", "Something went wrong on our side.");
    return { ...item, status: problem.status, error: problemBody(problem, requestId) };
  }
}
