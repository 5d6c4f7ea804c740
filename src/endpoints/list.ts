/**
 * KeyAPI's "Trending Music" list (`GET /v1/tiktok/trending/music`), declared
 * once: one upstream page of a chart (the unit that is fetched, cached and
 * coordinated; clients' windows are cut from these pages, src/domain/chart.ts),
 * its request with all seven of KeyAPI's parameters, its cache key, and the trim
 * of KeyAPI's `data` to the page we store.
 */
import * as z from "zod/mini";
import type { ChartPage, ChartPageQuery, ChartSound } from "../domain/chart";
import type { Endpoint, Trimmed } from "../domain/endpoint";
import { ProblemError } from "../domain/problems";
import { clipIdField, flag, num, orNull, soundFields, trendByDate, trendField } from "../keyapi/fields";

export const LIST_PATH = "/v1/tiktok/trending/music";

/** KeyAPI's own spelling of "no search" in `search_keyword`. */
const NO_SEARCH = "FALSE";

/** One row of `sound_list` as KeyAPI documents it, minus what we drop (`rank_diff_type`, flags, internal ids). */
const upstreamRow = z.pipe(
  z.object({
    rank: num,
    rank_diff: num,
    clip_id: clipIdField,
    ...soundFields,
    promoted: flag,
    if_cml: flag,
    trend: trendField,
  }),
  z.transform((row, ctx): ChartSound => {
    // A sound without a readable clip id cannot be linked or looked up: the row is dropped (its place stays empty).
    if (row.clip_id === null) {
      ctx.issues.push({ code: "custom", message: "no clip_id", input: row });
      return z.NEVER;
    }
    return {
      rank: row.rank,
      rank_diff: row.rank_diff,
      clip_id: row.clip_id,
      song_id: row.song_id,
      title: row.title,
      author: row.author,
      duration: row.duration,
      cover: row.cover,
      link: row.link,
      promoted: row.promoted,
      commercial: row.if_cml,
      trend: trendByDate(row.trend),
    };
  }),
);

const pagination = orNull(
  z.object({
    total: orNull(z.int().check(z.minimum(0))),
    has_more: flag,
  }),
);

/**
 * One page of a chart, in KeyAPI's page size (`KEYAPI_LIST_PAGE_SIZE`). Its
 * key starts with `REGION:PERIOD` and names the page and its size
 * (`US:7:1:20`), then the filters that are on (`new`, `commercial`) and the
 * search (`q=<percent-encoded keyword>`).
 */
export const listEndpoint: Endpoint<ChartPageQuery> = {
  name: "list",
  path: LIST_PATH,
  // All seven, in KeyAPI's documented order, booleans lowercase, `FALSE` for no search.
  upstreamParams: (query) => [
    ["search_keyword", query.searchKeyword ?? NO_SEARCH],
    ["page", String(query.page)],
    ["limit", String(query.pageSize)],
    ["period", String(query.period)],
    ["region", query.region],
    ["new_to_top_100", String(query.newToTop100)],
    ["commercial_music", String(query.commercialMusic)],
  ],
  key: (query) =>
    `${query.region}:${query.period}:${query.page}:${query.pageSize}` +
    (query.newToTop100 ? ":new" : "") +
    (query.commercialMusic ? ":commercial" : "") +
    (query.searchKeyword === null ? "" : `:q=${encodeURIComponent(query.searchKeyword)}`),
  payloadFormat: "list-v1",
  // A search is free text: whatever KeyAPI does with it says nothing about its health.
  freeInput: (query) => query.searchKeyword !== null,
  trim(data, query): Trimmed {
    if (!data || !Object.hasOwn(data, "sound_list")) {
      // `data: null` with code 0 is a success with nothing in it, which a region, page or filter a client chose
      // may cause (as data.sound null is "not found" for a sound): it never counts towards the breaker. A `data`
      // without `sound_list` is an answer of the wrong shape, KeyAPI's fault.
      throw new ProblemError("upstream-error", "KeyAPI sent a list without sound_list.", {
        blame: data === null ? "request" : "upstream",
      });
    }
    const rows = data.sound_list ?? [];
    if (!Array.isArray(rows)) {
      throw new ProblemError("upstream-error", "KeyAPI sent a sound_list of an unexpected shape.", {
        blame: "upstream",
      });
    }
    const sounds: (ChartSound | null)[] = [];
    // A page holds at most `pageSize` places, whatever KeyAPI sends; an unreadable row keeps its place, empty.
    for (const row of rows.slice(0, query.pageSize)) {
      const parsed = upstreamRow.safeParse(row);
      sounds.push(parsed.success ? parsed.data : null);
    }
    const paging = pagination.parse(data.pagination);
    const page: ChartPage = { total: paging?.total ?? null, has_more: paging?.has_more ?? null, sounds };
    return { found: true, payload: page };
  },
};
