/**
 * A client's window of a chart, looked up from the chart's upstream pages (one
 * or two, three with a smaller page size: src/domain/chart.ts), as every chart surface needs it: the JSON list,
 * the chart card, the chart embed page and oEmbed. Each page is one answer of
 * the list endpoint in the tiered cache, so a chart shown on every surface, in
 * any window, costs what its pages cost.
 */
import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { type CacheStatus, type Lookup, TIERS, type TieredCache } from "../cache/tiered-cache";
import {
  type ChartFilter,
  type ChartPage,
  type ChartPageQuery,
  type ChartPayload,
  type ChartQuery,
  chartPageSchema,
  cutWindow,
  upstreamPages,
} from "../domain/chart";
import type { CachedAnswer } from "../domain/freshness";
import { listEndpoint } from "../endpoints/list";
import { lookUp } from "./look-up";
import { payloadOf } from "./rendered";

/** The pages behind a window, and what serving them means for the response's caching headers. */
export type ChartView = {
  query: ChartQuery;
  /** The upstream pages, in order, with their numbers. */
  pages: { page: number; lookup: Lookup }[];
  /**
   * The pages as one answer for `cacheHeaders`: the oldest page's age and
   * freshness, the worst cache status, the farthest tier, the first KeyAPI call.
   */
  lookup: Lookup;
  /**
   * Names what the window is drawn from: its pages' ETags and fetch times (`sourceOf`), as one quoted token.
   * Not which chart they are: two charts' pages may read the same (both empty), see `chartName`.
   */
  source: string;
};

const STATUS_ORDER: readonly CacheStatus[] = ["HIT", "STALE", "MISS"];

export async function viewChart(c: Context<AppEnv>, cache: TieredCache, query: ChartQuery): Promise<ChartView> {
  const pageSize = c.get("config").listPageSize;
  const numbers = upstreamPages(query, pageSize);
  const pageQuery = (page: number): ChartPageQuery => ({
    region: query.region,
    period: query.period,
    newToTop100: query.newToTop100,
    commercialMusic: query.commercialMusic,
    searchKeyword: query.searchKeyword,
    page,
    pageSize,
  });
  const [firstPage, ...rest] = numbers as [number, ...number[]];
  const first = await lookUp(c, cache, listEndpoint, pageQuery(firstPage));
  // A chart that ends on the first page (KeyAPI's top 100, say) has nothing on the next ones: they are not paid for.
  const more =
    rest.length === 0
      ? rest
      : rest.filter((page) => (page - 1) * pageSize < chartEnd(first.answer, firstPage, pageSize));
  const lookups =
    more.length === 0
      ? [first]
      : [first, ...(await Promise.all(more.map((page) => lookUp(c, cache, listEndpoint, pageQuery(page)))))];
  const pages = lookups.map((lookup, index) => ({ page: numbers[index] as number, lookup }));
  if (lookups.length === 1) return { query, pages, lookup: first, source: sourceOf(lookups) };

  let combined = first;
  for (const lookup of lookups) {
    const older = lookup.answer.storedAt < combined.answer.storedAt ? lookup.answer : combined.answer;
    combined = {
      answer: older,
      status: worse(lookup.status, combined.status),
      tier: TIERS.indexOf(lookup.tier) > TIERS.indexOf(combined.tier) ? lookup.tier : combined.tier,
      // The request's own call, if it caused one, rather than one it joined: the log line counts calls by it.
      upstream: combined.upstream?.role === "called" ? combined.upstream : (lookup.upstream ?? combined.upstream),
    };
  }
  if (combined.upstream) c.set("upstream", combined.upstream);
  return { query, pages, lookup: combined, source: sourceOf(lookups) };
}

/**
 * The pages' content and fetch times, as one token however many pages (an entity tag may not hold a double
 * quote, RFC 9110 §8.8.3): a page's ETag stays the same when KeyAPI answers the same again, but the window's
 * `fetched_at` moves with its copy.
 */
function sourceOf(lookups: readonly Lookup[]): string {
  if (lookups.length === 1) return `"${tokenOf((lookups[0] as Lookup).answer)}"`;
  return `"${lookups.map(({ answer }) => tokenOf(answer)).join(".")}"`;
}

/** One page's part of a source, worked out once per copy (a hot chart is asked for it on every hit). */
const tokens = new WeakMap<CachedAnswer, string>();

function tokenOf(answer: CachedAnswer): string {
  let token = tokens.get(answer);
  if (token === undefined) {
    token = `${answer.etag.replaceAll('"', "")}_${answer.storedAt.toString(36)}`;
    tokens.set(answer, token);
  }
  return token;
}

/** The position after a page's chart's last sound, as far as the page knows; read once per copy. */
const chartEnds = new WeakMap<CachedAnswer, number>();

function chartEnd(answer: CachedAnswer, page: number, pageSize: number): number {
  let end = chartEnds.get(answer);
  if (end === undefined) {
    const { total, has_more, sounds } = payloadOf<ChartPage>(answer, chartPageSchema);
    end = total ?? (has_more === false ? (page - 1) * pageSize + sounds.length : Number.POSITIVE_INFINITY);
    chartEnds.set(answer, end);
  }
  return end;
}

/**
 * Which chart a query is, whatever its window: with a view's `source`, it names what an embed draws.
 *
 * @example chartName({ region: "GB", period: 30, newToTop100: true, commercialMusic: false, searchKeyword: null })
 *   // → "GB:30:new::"
 */
export function chartName(chart: ChartFilter): string {
  const keyword = chart.searchKeyword === null ? "" : encodeURIComponent(chart.searchKeyword);
  return `${chart.region}:${chart.period}:${chart.newToTop100 ? "new" : ""}:${chart.commercialMusic ? "commercial" : ""}:${keyword}`;
}

function worse(a: CacheStatus, b: CacheStatus): CacheStatus {
  return STATUS_ORDER.indexOf(a) > STATUS_ORDER.indexOf(b) ? a : b;
}

/**
 * The list endpoint's payload for a view: the client's window cut from the
 * pages, KeyAPI's `total` (from the first page), and `fetched_at` of the oldest page.
 */
export function chartPayload(view: ChartView, pageSize: number): ChartPayload {
  const { query } = view;
  const pages = view.pages.map(({ page, lookup }) => ({
    page,
    ...payloadOf<ChartPage>(lookup.answer, chartPageSchema),
  }));
  const total = pages[0]?.total ?? null;
  const last = pages.at(-1);
  const end = query.page * query.limit;
  return {
    region: query.region,
    period: query.period,
    new_to_top_100: query.newToTop100,
    commercial_music: query.commercialMusic,
    search_keyword: query.searchKeyword,
    page: query.page,
    limit: query.limit,
    total,
    // Without KeyAPI's total: sounds on the last page read past the window, or KeyAPI's word for that page.
    has_more:
      total !== null
        ? end < total
        : last !== undefined &&
          ((last.page - 1) * pageSize + Math.min(last.sounds.length, pageSize) > end || last.has_more === true),
    sounds: cutWindow(query, pageSize, pages),
    fetched_at: new Date(view.lookup.answer.storedAt).toISOString(),
  };
}
