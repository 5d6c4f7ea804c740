/**
 * `GET /v1/tiktok/trending/music`: KeyAPI's "Trending Music" list with KeyAPI's
 * path and query names, our payload. Whatever window a client asks for, it is
 * cut from the chart's canonical upstream pages (src/routes/chart-view.ts), so
 * varying `page` and `limit` never multiplies paid calls.
 */
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { MemoryCache } from "../cache/memory";
import { LOOKUP_PROBLEMS, type TieredCache } from "../cache/tiered-cache";
import { parseChartQueryString } from "../domain/chart";
import { etagOf } from "../domain/freshness";
import type { ProblemKind } from "../domain/problems";
import { LIST_PATH } from "../endpoints/list";
import { cacheHeaders, isNotModified } from "../http/cache-headers";
import { RATE_LIMITED_ROUTE_PROBLEMS } from "../http/rate-limit";
import { chartPayload, viewChart } from "./chart-view";
import { RENDER_CACHE_LIMITS } from "./rendered";
import { queryStringOf } from "./sound";

export const CHART_PATH = LIST_PATH;

/** What the list endpoint answers besides a chart (an empty chart is a 200, never a 404). */
export const CHART_PROBLEMS = [
  ...RATE_LIMITED_ROUTE_PROBLEMS,
  "invalid-query",
  ...LOOKUP_PROBLEMS,
] as const satisfies readonly ProblemKind[];

/** A window's JSON body and its strong ETag, kept per pages and window: a hot chart is not cut and hashed per hit. */
type Window = { body: string; etag: string };

export function chartRoutes(cache: TieredCache, clock: () => number) {
  const windows = new MemoryCache<Window>(RENDER_CACHE_LIMITS);
  return new Hono<AppEnv>().get(CHART_PATH, async function chart(c) {
    const raw = queryStringOf(c.req.url);
    const query = parseChartQueryString(raw);
    const config = c.get("config");
    const view = await viewChart(c, cache, query);
    const headers = cacheHeaders(view.lookup, config.ttls, clock());

    // The raw query names the window (a parsed query is remembered per raw string); the view's source its pages' copies.
    const key = `${view.source}|${raw}`;
    let window = windows.get(key, 0);
    if (!window) {
      const body = JSON.stringify(chartPayload(view, config.listPageSize));
      window = { body, etag: await etagOf(body) };
      // Never expires by time: new pages have new ETags, and the bound evicts old windows.
      windows.set(key, window, body.length + key.length + 64, Number.POSITIVE_INFINITY);
    }
    headers.ETag = window.etag;
    if (isNotModified(c.req.header("If-None-Match"), window)) return new Response(null, { status: 304, headers });
    return new Response(window.body, { headers: { ...headers, "Content-Type": "application/json" } });
  });
}
