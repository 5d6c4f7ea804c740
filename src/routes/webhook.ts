/**
 * `POST /v1/webhooks/refresh`: signed requests from automation that want fresh
 * data now. Everything is checked before KeyAPI is asked: configuration,
 * content type, signature headers and freshness, size, the MAC, then the body.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../app-env";
import type { LookupScope, SoundCache } from "../cache/sound-cache";
import { ProblemError } from "../domain/problems";
import { problemBody } from "../http/problem";
import type { SoundQuery } from "../sound/query";
import { mapWithConcurrency, UPSTREAM_CONCURRENCY } from "../util/concurrency";
import { MAX_WEBHOOK_BODY_BYTES, parseWebhookBody } from "../webhook/body";
import { checkHeaders, verifySignature } from "../webhook/signature";
import { lookupScope } from "./lookup-scope";

export const WEBHOOK_PATH = "/v1/webhooks/refresh";

export type WebhookResult = {
  clip_id: string;
  period: number;
  region: string;
  status: number;
  data?: unknown;
  error?: ReturnType<typeof problemBody>;
};

export function webhookRoutes(cache: SoundCache, clock: () => number) {
  return new Hono<AppEnv>().post(
    WEBHOOK_PATH,
    async function webhookPreconditions(c, next) {
      const secret = c.var.config.webhookSecret;
      if (!secret) throw new ProblemError("webhook-disabled", "The webhook is not configured on this deployment.");
      const contentType = c.req.header("Content-Type") ?? "";
      if (!/^application\/json\s*(;|$)/i.test(contentType)) {
        throw new ProblemError("unsupported-media-type", "Send the body as application/json.");
      }
      const verdict = checkHeaders(signatureHeaders(c.req.raw.headers), clock() / 1000);
      if (!verdict.valid) throw new ProblemError("invalid-signature", verdict.reason);
      await next();
    },
    bodyLimit({
      maxSize: MAX_WEBHOOK_BODY_BYTES,
      onError: () => {
        throw new ProblemError("payload-too-large", `The body may be at most ${MAX_WEBHOOK_BODY_BYTES} bytes.`);
      },
    }),
    async (c) => {
      const rawBody = await c.req.text();
      const verdict = await verifySignature(
        c.var.config.webhookSecret as string,
        signatureHeaders(c.req.raw.headers),
        rawBody,
        clock() / 1000,
      );
      if (!verdict.valid) throw new ProblemError("invalid-signature", verdict.reason);
      const queries = parseWebhookBody(rawBody);

      const scope = lookupScope(c);
      const results = await mapWithConcurrency(queries, UPSTREAM_CONCURRENCY, (query) =>
        refreshOne(cache, query, scope, c.var.requestId),
      );
      return c.json({ results }, 200, { "Cache-Control": "no-store" });
    },
  );
}

function signatureHeaders(headers: Headers) {
  return {
    timestamp: headers.get("X-Webhook-Timestamp") ?? undefined,
    signature: headers.get("X-Webhook-Signature") ?? undefined,
  };
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
