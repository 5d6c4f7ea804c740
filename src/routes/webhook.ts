/**
 * `POST /v1/webhooks/refresh`: signed requests from automation that want fresh
 * data now. Everything that needs no body is checked before the body is read
 * (src/webhook/scheme.ts), then the MAC and the body, all before KeyAPI is
 * asked. Either signature scheme is processed once per request across all
 * locations (src/webhook/deliveries-client.ts): a copy gets the first answer
 * back and costs no KeyAPI call, except for items that failed for a reason
 * worth retrying, which a later copy processes again (src/webhook/results.ts).
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import type { TieredCache } from "../cache/tiered-cache";
import { ProblemError, type ProblemKind } from "../domain/problems";
import { RATE_LIMITED_ROUTE_PROBLEMS } from "../http/rate-limit";
import { MAX_WEBHOOK_BODY_BYTES, parseWebhookBody } from "../webhook/body";
import { processOnce } from "../webhook/deliveries-client";
import { processingLeaseMs, refreshItems } from "../webhook/results";
import { admitDelivery, type Delivery } from "../webhook/scheme";
import { lookupScope } from "./look-up";

export const WEBHOOK_PATH = "/v1/webhooks/refresh";

/** What the webhook answers besides its results (each item's own outcome is inside a 200). */
export const WEBHOOK_PROBLEMS = [
  ...RATE_LIMITED_ROUTE_PROBLEMS,
  "webhook-disabled",
  "unsupported-media-type",
  "invalid-signature",
  "payload-too-large",
  "invalid-body",
  "webhook-deliveries-unavailable",
  "webhook-id-reused",
  "webhook-delivery-in-progress",
] as const satisfies readonly ProblemKind[];

/** Set on an answer replayed from the delivery record (the name Stripe uses for the same thing). */
export const REPLAYED_HEADER = "Idempotent-Replayed";

export function webhookRoutes(cache: TieredCache, clock: () => number) {
  return new Hono<AppEnv>().post(
    WEBHOOK_PATH,
    createMiddleware<AppEnv & { Variables: { delivery: Delivery } }>(async function webhookPreconditions(c, next) {
      c.set("delivery", admitDelivery(c.req.raw.headers, c.get("config"), clock() / 1000));
      await next();
    }),
    bodyLimit({
      maxSize: MAX_WEBHOOK_BODY_BYTES,
      onError: () => {
        throw new ProblemError("payload-too-large", `The body may be at most ${MAX_WEBHOOK_BODY_BYTES} bytes.`);
      },
    }),
    async function refreshSounds(c) {
      const delivery = c.get("delivery");
      const rawBody = await c.req.text();
      await delivery.verify(rawBody, clock() / 1000);
      const queries = parseWebhookBody(rawBody);
      const scope = lookupScope(c);
      const { response, replayed } = await processOnce({
        deliveries: delivery.deliveries,
        recordId: await delivery.recordId(),
        rawBody,
        leaseMs: processingLeaseMs(queries.length, c.get("config").upstreamTimeoutMs),
        waitUntil: (work) => c.executionCtx.waitUntil(work),
        requestId: c.get("requestId"),
        process: (resume) => refreshItems(cache, queries, scope, c.get("requestId"), resume),
      });
      return new Response(response, {
        status: 200,
        headers: {
          "Content-Type": "application/json",
          "Cache-Control": "no-store",
          ...(replayed ? { [REPLAYED_HEADER]: "true" } : {}),
        },
      });
    },
  );
}
