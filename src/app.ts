/**
 * The request path, in order: request id, security headers and log line →
 * surface (cards, embed pages, oEmbed) → configuration → CORS → URL bound → rate limit (/v1/*, /embed/*, /oembed) →
 * 405 detection (and OPTIONS: 204 with `Allow`) → routes; errors of every kind end in `onError` (problem+json, or a card or page on the
 * embed surfaces) and still pass back out through the same middleware.
 */
import { Hono } from "hono";
import { methodNotAllowed } from "hono/method-not-allowed";
import type { AppEnv } from "./app-env";
import { createTieredCache, type TieredCache, type TieredCacheOptions } from "./cache/tiered-cache";
import { loadConfig } from "./config";
import { ProblemError } from "./domain/problems";
import { CHART_PAGE_PATH } from "./embed/chart-query";
import { OEMBED_PATH } from "./embed/oembed";
import { corsPolicy } from "./http/cors";
import { errorResponse } from "./http/embed-response";
import { responseEnvelope, surface } from "./http/envelope";
import { problemResponse } from "./http/problem";
import { rateLimit } from "./http/rate-limit";
import { adminRoutes } from "./routes/admin";
import { requestDimensions } from "./routes/analytics";
import { CARD_PATH, cardRoutes } from "./routes/card";
import { chartRoutes } from "./routes/chart";
import { CHART_CARD_PATH, chartCardRoutes } from "./routes/chart-card";
import { chartPageRoutes } from "./routes/chart-page";
import { EMBED_PATH, embedRoutes } from "./routes/embed";
import { health } from "./routes/health";
import { oembedRoutes } from "./routes/oembed";
import { createRenderCache } from "./routes/rendered";
import { soundRoutes } from "./routes/sound";
import { webhookRoutes } from "./routes/webhook";

/** Longer URLs are refused before any work: no valid request comes near it. */
export const MAX_URL_LENGTH = 2048;

/** What lives as long as the isolate: the clock and the cache (tier 0, coalescing, breaker). */
export type Runtime = { clock: () => number; cache: TieredCache };

export function createRuntime(options: TieredCacheOptions = {}): Runtime {
  return { clock: options.clock ?? Date.now, cache: createTieredCache(options) };
}

export function createApp(runtime: Runtime = createRuntime()) {
  const app = new Hono<AppEnv>();
  const rendered = createRenderCache();

  app.use(responseEnvelope(requestDimensions));
  // Before anything that can throw, so even a refusal is drawn as a card or a page.
  app.use(CARD_PATH, surface("card"));
  app.use(CHART_CARD_PATH, surface("card", "chart"));
  app.use(EMBED_PATH, surface("embed"));
  app.use(CHART_PAGE_PATH, surface("embed", "chart"));
  app.use(OEMBED_PATH, surface("oembed"));
  app.use(async function withConfig(c, next) {
    c.set("config", loadConfig(c.env));
    await next();
  });
  app.use(corsPolicy());
  app.use(async function boundedUrl(c, next) {
    if (c.req.url.length > MAX_URL_LENGTH) {
      throw new ProblemError("uri-too-long", `The URL may be at most ${MAX_URL_LENGTH} characters.`);
    }
    await next();
  });
  app.use("/v1/*", rateLimit());
  app.use(EMBED_PATH, rateLimit());
  app.use(CHART_PAGE_PATH, rateLimit());
  app.use(OEMBED_PATH, rateLimit());
  app.use(
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, methods) => {
        const allow = [...methods, "OPTIONS"].join(", ");
        // OPTIONS asks what the path allows (RFC 9110 §9.3.7); CORS preflights were answered before this.
        if (c.req.method === "OPTIONS") return new Response(null, { status: 204, headers: { Allow: allow } });
        const error = new ProblemError(
          "method-not-allowed",
          `${c.req.method.slice(0, 20)} is not allowed here. Allowed: ${allow}.`,
        );
        return problemResponse(error, c.var.requestId, { Allow: allow });
      },
    }),
  );

  app.route("/", health);
  app.route("/", soundRoutes(runtime.cache, runtime.clock));
  app.route("/", chartRoutes(runtime.cache, runtime.clock));
  app.route("/", webhookRoutes(runtime.cache, runtime.clock));
  app.route("/", adminRoutes(runtime.clock));
  app.route("/", cardRoutes(runtime.cache, runtime.clock, rendered));
  app.route("/", chartCardRoutes(runtime.cache, runtime.clock, rendered));
  app.route("/", embedRoutes(runtime.cache, runtime.clock, rendered));
  app.route("/", chartPageRoutes(runtime.cache, runtime.clock, rendered));
  app.route("/", oembedRoutes(runtime.cache, runtime.clock));

  app.notFound((c) => {
    const error = new ProblemError("not-found", "There is nothing at this path. See the README for the API.");
    return problemResponse(error, c.var.requestId);
  });

  app.onError((error, c) => {
    if (error instanceof ProblemError && error.upstream) c.set("upstream", error.upstream);
    return errorResponse(c, error);
  });

  return app;
}
