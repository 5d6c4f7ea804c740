/**
 * `GET /embed/chart`: the top of a trending chart as a small server-rendered
 * HTML page, for iframes (oEmbed) and link previews. Drawn from the chart's
 * cached upstream pages like the JSON list and the chart card, with the same
 * caching headers; framed, rate limited and erring exactly as `/embed/sound/…`.
 */
import { Hono } from "hono";
import { name as providerName } from "../../package.json";
import type { AppEnv } from "../app-env";
import type { TieredCache } from "../cache/tiered-cache";
import type { ProblemKind } from "../domain/problems";
import { CHART_RENDERER_VERSION } from "../embed/chart-facts";
import { chartPageUrl, renderChartPage } from "../embed/chart-page";
import { CHART_PAGE_PATH, parseChartPageQueryString } from "../embed/chart-query";
import { oembedUrl } from "../embed/oembed";
import { cacheHeaders, isNotModified } from "../http/cache-headers";
import { HTML_CONTENT_TYPE } from "../http/embed-response";
import { CHART_PROBLEMS } from "./chart";
import { chartName, chartPayload, viewChart } from "./chart-view";
import { linkOrigin, varyByLinkOrigin } from "./link-origin";
import type { RenderCache } from "./rendered";
import { queryStringOf } from "./sound";

/** What the chart page answers besides a chart, as HTML pages: the list endpoint's problems. */
export const CHART_PAGE_PROBLEMS: readonly ProblemKind[] = CHART_PROBLEMS;

export function chartPageRoutes(cache: TieredCache, clock: () => number, rendered: RenderCache) {
  return new Hono<AppEnv>().get(CHART_PAGE_PATH, async function chartPage(c) {
    const query = parseChartPageQueryString(queryStringOf(c.req.url));
    const config = c.get("config");
    const view = await viewChart(c, cache, query.chart);
    const headers = cacheHeaders(view.lookup, config.ttls, clock());
    varyByLinkOrigin(config, headers);

    const origin = linkOrigin(config, c.req.url);
    const tag = `chart-page-${query.chart.limit}-${query.theme}-${CHART_RENDERER_VERSION}`;
    // The page holds absolute URLs: one rendering per origin its links name (just one with PUBLIC_URL), and per chart.
    const page = rendered.get(view.source, `${tag}|${chartName(query.chart)}|${origin}`, tag, () => {
      const pageUrl = chartPageUrl(origin, query);
      const links = { page: pageUrl, oembed: oembedUrl(origin, pageUrl), providerName, origin };
      return renderChartPage(chartPayload(view, config.listPageSize), query, links);
    });
    headers.ETag = page.etag;
    if (isNotModified(c.req.header("If-None-Match"), page)) return new Response(null, { status: 304, headers });
    headers["Content-Type"] = HTML_CONTENT_TYPE;
    return new Response(page.body, { headers });
  });
}
