/**
 * What a chart embed (the chart card, the chart embed page) is asked for: the
 * top `limit` of one chart, and a theme. The chart's parameters follow the list
 * endpoint's rules (same schemas); `page` and `search_keyword` are not theirs
 * (an embed shows the top of a chart), and each surface has its own `limit` range.
 */
import { type ChartQuery, chartQueryParams } from "../domain/chart";
import {
  countParam,
  DEFAULT_PERIOD,
  DEFAULT_REGION,
  DEFAULT_THEME,
  readParams,
  remembering,
  type Theme,
} from "../domain/query";
import { embedQueryParams } from "../domain/sound";

/** Where the chart embed page is served (its query is the chart's, as below). */
export const CHART_PAGE_PATH = "/embed/chart";

/** `chart.page` is always 1 and `chart.searchKeyword` always null. */
export type ChartEmbedQuery = { chart: ChartQuery; theme: Theme };

const paramsFor = (maxLimit: number) =>
  ({
    region: chartQueryParams.region,
    period: chartQueryParams.period,
    new_to_top_100: chartQueryParams.new_to_top_100,
    commercial_music: chartQueryParams.commercial_music,
    limit: countParam(maxLimit),
    theme: embedQueryParams.theme,
  }) as const;

export type ChartSurface = { maxLimit: number; defaultLimit: number; params: ReturnType<typeof paramsFor> };

const surface = (maxLimit: number, defaultLimit: number): ChartSurface => ({
  maxLimit,
  defaultLimit,
  params: paramsFor(maxLimit),
});

/** `GET /v1/tiktok/trending/music/chart.svg`: the top 1–10, 5 by default. */
export const CHART_CARD = surface(10, 5);
/** `GET /embed/chart`: the top 1–20, 10 by default. */
export const CHART_PAGE = surface(20, 10);

/**
 * Reads a chart embed's query strictly, like the API's: unknown (`page` and
 * `search_keyword` too), repeated and empty parameters and every broken rule
 * are reported at once.
 *
 * @example parseChartEmbedQuery(new URLSearchParams("region=gb&limit=3&theme=dark"), CHART_CARD)
 *   // → { chart: { region: "GB", period: 7, newToTop100: false, commercialMusic: false,
 *   //              searchKeyword: null, page: 1, limit: 3 }, theme: "dark" }
 */
export function parseChartEmbedQuery(search: URLSearchParams, surface: ChartSurface): ChartEmbedQuery {
  const values = readParams(search, surface.params);
  return {
    chart: {
      region: values.region ?? DEFAULT_REGION,
      period: values.period ?? DEFAULT_PERIOD,
      newToTop100: values.new_to_top_100 ?? false,
      commercialMusic: values.commercial_music ?? false,
      searchKeyword: null,
      page: 1,
      limit: values.limit ?? surface.defaultLimit,
    },
    theme: values.theme ?? DEFAULT_THEME,
  };
}

/** The chart card's query from the raw query string, remembering valid ones: a hot card is not parsed per hit. */
export const parseChartCardQueryString = remembering((search) => parseChartEmbedQuery(search, CHART_CARD));
/** The chart page's, likewise. */
export const parseChartPageQueryString = remembering((search) => parseChartEmbedQuery(search, CHART_PAGE));
