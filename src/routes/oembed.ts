/**
 * `GET /oembed`: oEmbed 1.0 for TikTok music URLs and this service's own embed
 * pages (a sound's, a chart's), answered from the same cache. JSON only
 * (`format=xml` → 501); a URL this service does not embed → 404; errors are
 * problem+json like the API's.
 */
import { Hono } from "hono";
import { name as providerName } from "../../package.json";
import type { AppEnv } from "../app-env";
import type { Lookup, TieredCache } from "../cache/tiered-cache";
import { ProblemError, type ProblemKind } from "../domain/problems";
import { readParams } from "../domain/query";
import { soundNotFound, soundPayloadSchema } from "../domain/sound";
import { chartEmbedSize, chartOembedResponse } from "../embed/chart-oembed";
import { chartPageHeight } from "../embed/chart-page";
import {
  embedSize,
  embedTarget,
  MIN_EMBED_WIDTH,
  OEMBED_PATH,
  type OembedResponse,
  oembedQueryParams,
  oembedResponse,
} from "../embed/oembed";
import { detailEndpoint } from "../endpoints/detail";
import { cacheHeaders, clientMaxAge } from "../http/cache-headers";
import { problemResponse } from "../http/problem";
import { chartPayload, viewChart } from "./chart-view";
import { linkOrigin, varyByLinkOrigin } from "./link-origin";
import { lookUp } from "./look-up";
import { payloadOf } from "./rendered";
import { SOUND_PROBLEMS } from "./sound";

/**
 * What oEmbed answers besides an embed: the sound's problems (a chart's are among them), and a URL or a size it
 * cannot embed, or a format.
 */
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
    const origin = linkOrigin(config, c.req.url);
    const target = embedTarget(params.url as string, origin);
    const { maxwidth: maxWidth, maxheight: maxHeight } = params;
    const isChart = "chart" in target;
    const size = isChart ? chartEmbedSize(target.chart.limit, maxWidth, maxHeight) : embedSize(maxWidth, maxHeight);
    if (!size) {
      const lowest = isChart ? ` or lower than ${chartPageHeight(1)}` : "";
      throw new ProblemError("no-embed", `The embed cannot be narrower than ${MIN_EMBED_WIDTH} pixels${lowest}.`);
    }

    /** The caching headers of what the answer is drawn from, and the options it is sized and aged by. */
    const answerFor = (lookup: Lookup) => {
      const now = clock();
      const headers = cacheHeaders(lookup, config.ttls, now);
      varyByLinkOrigin(config, headers);
      const cacheAge = clientMaxAge(lookup.answer, config.ttls, now);
      return { headers, options: { origin, providerName, size, maxWidth, maxHeight, cacheAge } };
    };
    const json = (body: OembedResponse, headers: Record<string, string>) =>
      new Response(JSON.stringify(body), { headers: { ...headers, "Content-Type": "application/json" } });

    if ("chart" in target) {
      const view = await viewChart(c, cache, target.chart);
      const { headers, options } = answerFor(view.lookup);
      return json(chartOembedResponse(chartPayload(view, config.listPageSize), target, options), headers);
    }
    const lookup = await lookUp(c, cache, detailEndpoint, target.sound);
    const { headers, options } = answerFor(lookup);
    if (lookup.answer.status === 404) return problemResponse(soundNotFound(target.sound), c.get("requestId"), headers);
    return json(oembedResponse(payloadOf(lookup.answer, soundPayloadSchema), target, options), headers);
  });
}
