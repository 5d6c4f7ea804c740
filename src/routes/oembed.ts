/**
 * `GET /oembed`: oEmbed 1.0 for TikTok music URLs and this service's own embed
 * pages, answered from the same cache. JSON only (`format=xml` → 501); a URL
 * this service does not embed → 404; errors are problem+json like the API's.
 */
import { Hono } from "hono";
import { name as providerName } from "../../package.json";
import type { AppEnv } from "../app-env";
import type { SoundCache } from "../cache/sound-cache";
import { ProblemError } from "../domain/problems";
import {
  embedSize,
  embedTarget,
  MIN_EMBED_WIDTH,
  OEMBED_PATH,
  oembedQueryParams,
  oembedResponse,
} from "../embed/oembed";
import { cacheHeaders, clientMaxAge } from "../http/cache-headers";
import { problemResponse } from "../http/problem";
import { missAdmission } from "../http/rate-limit";
import { readParams } from "../sound/query";
import { linkOrigin, varyByLinkOrigin } from "./link-origin";
import { lookupScope } from "./lookup-scope";
import { payloadOf } from "./rendered";
import { soundNotFound } from "./sound";

export function oembedRoutes(cache: SoundCache, clock: () => number) {
  return new Hono<AppEnv>().get(OEMBED_PATH, async function oembed(c) {
    const url = new URL(c.req.url);
    // Consumers add parameters of their own (WordPress sends `dnt`, others `lang`): ignored, not refused.
    const params = readParams(url.searchParams, oembedQueryParams, { required: ["url"], unknown: "ignore" });
    if (params.format !== undefined && params.format !== "json") {
      throw new ProblemError("unsupported-format", "Only format=json is available.");
    }
    const config = c.get("config");
    const origin = linkOrigin(config, url);
    const query = embedTarget(params.url as string, origin);
    c.set("query", query.sound);
    const size = embedSize(params.maxwidth, params.maxheight);
    if (!size) {
      throw new ProblemError("no-embed", `The embed cannot be narrower than ${MIN_EMBED_WIDTH} pixels.`);
    }

    const lookup = await cache.lookup(query.sound, lookupScope(c, missAdmission(c)));
    if (lookup.upstream) c.set("upstream", lookup.upstream);
    const { ttls } = config;
    const now = clock();
    const headers = cacheHeaders(lookup, ttls, now);
    // The answer's ETag validates the JSON payload, not this document.
    delete headers.ETag;
    varyByLinkOrigin(config, headers);
    if (lookup.answer.status === 404) return problemResponse(soundNotFound(query.sound), c.get("requestId"), headers);

    const body = oembedResponse(payloadOf(lookup.answer), query, {
      origin,
      providerName,
      size,
      maxWidth: params.maxwidth,
      maxHeight: params.maxheight,
      cacheAge: clientMaxAge(lookup.answer, ttls, now),
    });
    return new Response(JSON.stringify(body), { headers: { ...headers, "Content-Type": "application/json" } });
  });
}
