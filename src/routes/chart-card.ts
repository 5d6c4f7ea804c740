/**
 * `GET /v1/tiktok/trending/music/chart.svg`: the top of a trending chart as an
 * SVG card, drawn from the chart's cached upstream pages (src/routes/chart-view.ts),
 * the same as the JSON list's (a card after the JSON of the same chart costs no
 * KeyAPI call, and the reverse), with the JSON's caching headers, its own ETag,
 * and errors drawn as cards (src/http/embed-response.ts).
 */
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import type { TieredCache } from "../cache/tiered-cache";
import type { ProblemKind } from "../domain/problems";
import { CHART_RENDERER_VERSION } from "../embed/chart-facts";
import { parseChartCardQueryString } from "../embed/chart-query";
import { renderChartSvg } from "../embed/chart-svg";
import { cacheHeaders, isNotModified } from "../http/cache-headers";
import { CARD_STATUS_HEADER, SVG_CONTENT_TYPE } from "../http/embed-response";
import { CHART_PATH, CHART_PROBLEMS } from "./chart";
import { chartName, chartPayload, viewChart } from "./chart-view";
import type { RenderCache } from "./rendered";
import { queryStringOf } from "./sound";

export const CHART_CARD_PATH = `${CHART_PATH}/chart.svg`;

/** What the chart card draws besides a chart: the list endpoint's problems (an empty chart is a card too). */
export const CHART_CARD_PROBLEMS: readonly ProblemKind[] = CHART_PROBLEMS;

export function chartCardRoutes(cache: TieredCache, clock: () => number, rendered: RenderCache) {
  return new Hono<AppEnv>().get(CHART_CARD_PATH, async function chartCard(c) {
    const { chart: query, theme } = parseChartCardQueryString(queryStringOf(c.req.url));
    const config = c.get("config");
    const view = await viewChart(c, cache, query);
    const headers = cacheHeaders(view.lookup, config.ttls, clock());

    const tag = `chart-${query.limit}-${theme}-${CHART_RENDERER_VERSION}`;
    // The pages' ETags name their content, not their chart: the chart's name keeps two charts' cards apart.
    const card = rendered.get(view.source, `${tag}|${chartName(query)}`, tag, () =>
      renderChartSvg(chartPayload(view, config.listPageSize), theme, { limit: query.limit }),
    );
    headers.ETag = card.etag;
    headers[CARD_STATUS_HEADER] = "200";
    if (isNotModified(c.req.header("If-None-Match"), card)) return new Response(null, { status: 304, headers });
    headers["Content-Type"] = SVG_CONTENT_TYPE;
    return new Response(card.body, { headers });
  });
}
