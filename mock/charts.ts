/**
 * The mock KeyAPI's "Trending Music" list (`GET /v1/tiktok/trending/music`):
 * a deterministic top 100 per region and period, with the documented example
 * sound ("New Sun") at rank 1 of US / 7 days and somewhere in every other chart,
 * so `npm run dev` has charts to show and a keyword to find without any network.
 *
 * Strict on purpose: a request without one of KeyAPI's seven parameters is a 400,
 * so a test notices when the worker stops sending them all.
 */
import example from "./example-response.json" with { type: "json" };

export const LIST_PATH = "/v1/tiktok/trending/music";
/** KeyAPI's largest page. */
export const MOCK_MAX_PAGE_SIZE = 20;
/** Every chart holds this many sounds before filters (KeyAPI's top 100). */
export const CHART_SIZE = 100;
const PARAMETERS = [
  "search_keyword",
  "page",
  "limit",
  "period",
  "region",
  "new_to_top_100",
  "commercial_music",
] as const;

export type ChartRequest = {
  keyword: string | null;
  page: number;
  limit: number;
  period: number;
  region: string;
  newToTop100: boolean;
  commercialMusic: boolean;
};

/** The parameters as KeyAPI reads them, or the name of the first one missing or malformed. */
export function readChartRequest(params: URLSearchParams): ChartRequest | { missing: string } {
  for (const name of PARAMETERS) if (!params.get(name)) return { missing: name };
  const page = Number(params.get("page"));
  const limit = Number(params.get("limit"));
  if (!Number.isInteger(page) || page < 1) return { missing: "page" };
  if (!Number.isInteger(limit) || limit < 1) return { missing: "limit" };
  const keyword = params.get("search_keyword") as string;
  return {
    keyword: keyword.toUpperCase() === "FALSE" ? null : keyword,
    page,
    limit: Math.min(limit, MOCK_MAX_PAGE_SIZE),
    period: Number(params.get("period")) || 7,
    region: (params.get("region") as string).toUpperCase(),
    newToTop100: params.get("new_to_top_100") === "true",
    commercialMusic: params.get("commercial_music") === "true",
  };
}

type Row = Record<string, unknown> & { title: string; author: string; if_cml: boolean; rank: number };

const FIRST_WORDS = ["Midnight", "Echo", "Summer", "Neon", "Velvet", "Paper", "Golden", "Static", "Ocean", "Tiny"];
const SECOND_WORDS = ["Drift", "Hearts", "Lights", "Runaway", "Bloom", "Signal", "Parade", "Waves", "Season", "Sun"];
const ARTISTS = ["Mira Sol", "The Quiet Hours", "DJ Parallax", "Lena Voss", "Kofi & Co", "Aster Lane", "Nori"];

/**
 * KeyAPI's `data` for one request: the page of the (filtered, searched) chart.
 *
 * @param origin where the mock serves its cover images
 */
export function chartData(request: ChartRequest, origin: string, random: (seed: string) => () => number) {
  let rows = chart(request.region, request.period, origin, random);
  if (request.newToTop100) rows = rows.filter((row) => row.on_list_times === 1);
  if (request.commercialMusic) rows = rows.filter((row) => row.if_cml);
  if (request.keyword !== null) {
    const wanted = request.keyword.toLowerCase();
    rows = rows.filter((row) => `${row.title} ${row.author}`.toLowerCase().includes(wanted));
  }
  const start = (request.page - 1) * request.limit;
  const page = rows.slice(start, start + request.limit);
  return {
    pagination: {
      page: request.page,
      size: page.length,
      total: rows.length,
      has_more: start + request.limit < rows.length,
    },
    sound_list: page.map((row) => ({ ...row, is_search: request.keyword !== null })),
  };
}

/**
 * The row of `clipId` in the region's and period's chart, when it is on it, so
 * the detail endpoint tells the same story as the list (the demo's "Use this
 * sound" shows the sound that was found).
 */
export function chartRow(
  clipId: string,
  region: string,
  period: number,
  origin: string,
  random: (seed: string) => () => number,
): Row | undefined {
  return chart(region, period, origin, random).find((row) => row.clip_id === clipId);
}

/** The unfiltered top 100 of a region and period, ranked; the same every time. */
function chart(region: string, period: number, origin: string, random: (seed: string) => () => number): Row[] {
  const next = random(`chart:${region}:${period}`);
  const days = [7, 30, 120].includes(period) ? period : 7;
  const lastDay = 1769990400;
  const rows: Row[] = [];
  for (let rank = 1; rank <= CHART_SIZE; rank++) {
    const clipId = String(7_100_000_000_000_000_000n + BigInt(Math.floor(next() * 1e15)));
    const trend = Array.from({ length: days }, (_, i) => ({
      time: lastDay - (days - 1 - i) * 86_400,
      value: i === days - 1 ? 1 : Math.round(next() * 100) / 100,
    }));
    const diff = Math.floor(next() * 21) - 10;
    rows.push({
      author: ARTISTS[Math.floor(next() * ARTISTS.length)] as string,
      clip_id: clipId,
      country_code: region,
      cover: `${origin}/covers/${clipId}.svg`,
      duration: 15 + Math.floor(next() * 165),
      if_cml: next() < 0.4,
      is_search: false,
      link: `https://www.tiktok.com/music/x-${clipId}`,
      on_list_times: next() < 0.15 ? 1 : null,
      promoted: next() < 0.05,
      rank,
      rank_diff: next() < 0.1 ? null : diff,
      rank_diff_type: diff > 0 ? 1 : diff < 0 ? 3 : 2,
      related_items: null,
      // 64-bit ids as bare JSON numbers, as KeyAPI sends some of them: JSON.parse would round them.
      song_id: 6_700_000_000_000_000_000n + BigInt(Math.floor(next() * 1e15)),
      title: `${FIRST_WORDS[Math.floor(next() * FIRST_WORDS.length)]} ${SECOND_WORDS[Math.floor(next() * SECOND_WORDS.length)]}`,
      trend,
      url_title: "synthetic",
    });
  }
  // The documented example: rank 1 of US / 7 days, and a steady entry in every other chart.
  const exampleAt = region === "US" && period === 7 ? 0 : 3 + Math.floor(next() * 20);
  rows[exampleAt] = { ...documentedExample(region), rank: exampleAt + 1 };
  return rows;
}

/** The sound of KeyAPI's own list example, as its list endpoint documents it. */
function documentedExample(region: string): Row {
  const sound = example.data.sound;
  return {
    author: sound.author,
    clip_id: sound.clip_id,
    country_code: region,
    cover: sound.cover,
    duration: sound.duration,
    if_cml: false,
    is_search: false,
    link: sound.link,
    on_list_times: null,
    promoted: false,
    rank: 1,
    rank_diff: 0,
    rank_diff_type: 2,
    related_items: null,
    song_id: sound.song_id,
    title: sound.title,
    trend: sound.trend,
    url_title: "New-Sun",
  };
}
