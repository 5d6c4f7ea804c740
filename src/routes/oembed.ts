/**
 * `GET /oembed`: oEmbed 1.0 for TikTok music URLs and this service's own embed
 * pages, answered from the same cache. JSON only (`format=xml` → 501); a URL
 * this service does not embed → 404; errors are problem+json like the API's.
 */
import { Hono } from "hono";
import { name as providerName } from "../../package.json";
import type { AppEnv } from "../app-env";
import type { TieredCache } from "../cache/tiered-cache";
import { ProblemError, type ProblemKind } from "../domain/problems";
import { readParams } from "../domain/query";
import { soundNotFound, soundPayloadSchema } from "../domain/sound";
import {
  embedSize,
  embedTarget,
  MIN_EMBED_WIDTH,
  OEMBED_PATH,
  oembedQueryParams,
  oembedResponse,
} from "../embed/oembed";
import { detailEndpoint } from "../endpoints/detail";
import { cacheHeaders, clientMaxAge } from "../http/cache-headers";
import { problemResponse } from "../http/problem";
import { linkOrigin, varyByLinkOrigin } from "./link-origin";
import { lookUp } from "./look-up";
import { payloadOf } from "./rendered";
import { SOUND_PROBLEMS } from "./sound";

/** What oEmbed answers besides an embed: the sound's problems, and a URL or a size it cannot embed, or a format. */
export const OEMBED_PROBLEMS = [
  ...SOUND_PROBLEMS,
  "no-embed",
  "unsupported-format",
] as const satisfies readonly ProblemKind[];

export function oembedRoutes(cache: TieredCache, clock: () => number) {
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
    const size = embedSize(params.maxwidth, params.maxheight);
    if (!size) {
      throw new ProblemError("no-embed", `The embed cannot be narrower than ${MIN_EMBED_WIDTH} pixels.`);
    }

    const lookup = await lookUp(c, cache, detailEndpoint, query.sound);
    const { ttls } = config;
    const now = clock();
    const headers = cacheHeaders(lookup, ttls, now);
    // The answer's ETag validates the JSON payload, not this document.
    delete headers.ETag;
    varyByLinkOrigin(config, headers);
    if (lookup.answer.status === 404) return problemResponse(soundNotFound(query.sound), c.get("requestId"), headers);

    const body = oembedResponse(payloadOf(lookup.answer, soundPayloadSchema), query, {
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
