/**
 * The list endpoint in tests: its path, KeyAPI's documented list example and
 * our row for it (issue 16), hand-made list answers, and what an upstream
 * list request asked for.
 */

export const CHART_PATH = "/v1/tiktok/trending/music";

/** KeyAPI's documented example row, as KeyAPI's list sends it. */
export const EXAMPLE_ROW = {
  author: "Chihei Hatakeyama",
  clip_id: "6703723351497508865",
  country_code: "US",
  cover: "https://p16-sg.tiktokcdn.com/aweme/720x720/tos-alisg-v-2774/ocjWmiaBw4AAcY8ifAzsAAB5EQd8FDEDsu3Awo.jpeg",
  duration: 60,
  if_cml: false,
  is_search: false,
  link: "https://www.tiktok.com/music/x-6703723351497508865",
  on_list_times: null,
  promoted: false,
  rank: 1,
  rank_diff: 0,
  rank_diff_type: 2,
  related_items: null,
  song_id: "6703723270476138498",
  title: "New Sun",
  trend: [
    { time: 1769472000, value: 0.06 },
    { time: 1769558400, value: 0.05 },
    { time: 1769644800, value: 0.31 },
    { time: 1769731200, value: 0.3 },
    { time: 1769817600, value: 0.1 },
    { time: 1769904000, value: 0.36 },
    { time: 1769990400, value: 1 },
  ],
  url_title: "New-Sun",
};

/** KeyAPI's documented example `data`: one row, 99 in the chart. */
export const EXAMPLE_DATA = {
  pagination: { page: 1, size: 1, total: 99, has_more: true },
  sound_list: [EXAMPLE_ROW],
};

/** Our row for `EXAMPLE_ROW`, its fields in the order the wire has them (issue 16). */
export const EXAMPLE_SOUND = {
  rank: 1,
  rank_diff: 0,
  clip_id: "6703723351497508865",
  song_id: "6703723270476138498",
  title: "New Sun",
  author: "Chihei Hatakeyama",
  duration: 60,
  cover: "https://p16-sg.tiktokcdn.com/aweme/720x720/tos-alisg-v-2774/ocjWmiaBw4AAcY8ifAzsAAB5EQd8FDEDsu3Awo.jpeg",
  link: "https://www.tiktok.com/music/x-6703723351497508865",
  promoted: false,
  commercial: false,
  trend: [
    { date: "2026-01-27", value: 0.06 },
    { date: "2026-01-28", value: 0.05 },
    { date: "2026-01-29", value: 0.31 },
    { date: "2026-01-30", value: 0.3 },
    { date: "2026-01-31", value: 0.1 },
    { date: "2026-02-01", value: 0.36 },
    { date: "2026-02-02", value: 1 },
  ],
};

/** Our row for a sound KeyAPI says nothing about but its clip id (and rank): every other field null or []. */
export function bareSound(clipId: string, rank: number | null = null) {
  return {
    rank,
    rank_diff: null,
    clip_id: clipId,
    song_id: null,
    title: null,
    author: null,
    duration: null,
    cover: null,
    link: null,
    promoted: null,
    commercial: null,
    trend: [],
  };
}

/** A plausible row at `rank`, its clip id `70000…<rank>`; `overrides` replace or add fields. */
export function chartRow(rank: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...EXAMPLE_ROW,
    clip_id: String(7_000_000_000_000_000_000n + BigInt(rank)),
    title: `Sound ${rank}`,
    rank,
    ...overrides,
  };
}

import { keyApiJson } from "../../mock/keyapi";

export { keyApiJson };

/** KeyAPI's 200 answer carrying `data`. */
export function listAnswer(data: unknown): Response {
  const body = { code: 0, message: "success", data, requestId: "3b515c7d-e2ca-4b32-81dc-3a029504d1d3" };
  return new Response(keyApiJson(body), { headers: { "Content-Type": "application/json" } });
}

/** The upstream page an upstream list request asks for, and its other parameters. */
export function upstreamQuery(request: Request): Record<string, string> {
  return Object.fromEntries(new URL(request.url).searchParams);
}

/** The `page` of every upstream list request, in the order they were sent. */
export function pagesAsked(requests: readonly Request[]): number[] {
  return requests.map((request) => Number(new URL(request.url).searchParams.get("page")));
}
