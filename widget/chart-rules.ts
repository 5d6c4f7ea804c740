/**
 * The rules `<tiktok-sound-chart>` shares with the API and the chart embeds:
 * its attributes read as the list endpoint's parameters (src/domain/chart.ts),
 * and a row's rank, movement and TikTok link as the chart page shows them
 * (src/embed/chart-facts.ts). Those modules stand on zod, far too big for this
 * script, so these are copies, held to the originals by
 * test/node/widget-chart-rules.test.ts. No DOM here: the test runs in Node.
 * The region list is the API's own module, shipped as a bitmap (./region-set.ts).
 */
import { REGION_CODES } from "../src/domain/regions";

/** One attribute per parameter of `GET /v1/tiktok/trending/music`, in the order they are checked. */
export const CHART_ATTRIBUTES = [
  "region",
  "period",
  "limit",
  "page",
  "new-to-top-100",
  "commercial-music",
  "search-keyword",
] as const;
export type ChartAttribute = (typeof CHART_ATTRIBUTES)[number];

/** An embed shows the top of a chart: 10 rows unless `limit` says otherwise (the API's own default is 20). */
export const DEFAULT_CHART_LIMIT = 10;
const MAX_LIMIT = 20;
const MAX_DEPTH = 200;
const MAX_KEYWORD = 50;
const MAX_RANK = 9999;
const COUNT = /^[1-9][0-9]{0,5}$/;

/**
 * The list endpoint's query for an element's attributes, in one spelling per
 * chart (region first, defaults explicit, filters only when on), so elements
 * showing the same chart share one request; or what is wrong with them, one
 * sentence per attribute. A missing or empty attribute takes its default;
 * values are trimmed; `new-to-top-100` and `commercial-music` are boolean
 * attributes that also take `true` and `false`.
 *
 * @example chartSearch((name) => ({ region: "gb", limit: "5" })[name] ?? null) // → { search: "region=GB&period=7&limit=5" }
 */
export function chartSearch(
  attribute: (name: ChartAttribute) => string | null,
): { search: string } | { errors: string[] } {
  const errors: string[] = [];
  const value = (name: ChartAttribute) => attribute(name)?.trim() || null;
  const count = (name: ChartAttribute, max: number, fallback: number) => {
    const raw = value(name) ?? String(fallback);
    if (COUNT.test(raw) && Number(raw) <= max) return Number(raw);
    errors.push(`${name} must be a whole number from 1 to ${max}`);
    return fallback;
  };
  const flag = (name: ChartAttribute) => {
    const raw = attribute(name);
    if (raw === "" || raw === "true") return true;
    if (raw !== null && raw !== "false") errors.push(`${name} must be true or false`);
    return false;
  };

  const region = (value("region") ?? "US").toUpperCase();
  if (!REGION_CODES.has(region)) errors.push("region must be an ISO 3166-1 country code, such as US");
  const period = value("period") ?? "7";
  if (!["7", "30", "120"].includes(period)) errors.push("period must be one of 7, 30 or 120");
  const refusedBefore = errors.length;
  const limit = count("limit", MAX_LIMIT, DEFAULT_CHART_LIMIT);
  const page = count("page", MAX_DEPTH, 1);
  const windowRead = errors.length === refusedBefore;
  const newToTop100 = flag("new-to-top-100");
  const commercialMusic = flag("commercial-music");
  // As the API normalises it: NFKC, trimmed, inner whitespace as one space.
  const keyword = (attribute("search-keyword") ?? "").normalize("NFKC").trim().replace(/\s+/gu, " ");
  if ([...keyword].length > MAX_KEYWORD) errors.push(`search-keyword must be 1 to ${MAX_KEYWORD} characters`);
  else if (/\p{Cc}/u.test(keyword)) errors.push("search-keyword must not contain control characters");
  // KeyAPI reads FALSE as "no search".
  else if (keyword.toLowerCase() === "false") errors.push("search-keyword must not be false");
  // As the API: named beside any other problem, once page and limit are both read.
  if (windowRead && page * limit > MAX_DEPTH) errors.push(`page × limit must be at most ${MAX_DEPTH}`);
  if (errors.length > 0) return { errors };

  const query = new URLSearchParams({ region, period, limit: String(limit) });
  if (page > 1) query.set("page", String(page));
  if (newToTop100) query.set("new_to_top_100", "true");
  if (commercialMusic) query.set("commercial_music", "true");
  if (keyword) query.set("search_keyword", keyword);
  return { search: query.toString() };
}

const places = (count: number) => `${count} place${count === 1 ? "" : "s"}`;

/**
 * `rank_diff` as shown: ▲ up, ▼ down, a dash for 0, nothing for none (or a number no chart has).
 *
 * @example movement(3) // → { symbol: "▲3", words: "up 3 places" }
 */
export function movement(rankDiff: number | null): { symbol: string; words: string } {
  if (rankDiff === null || !Number.isInteger(rankDiff) || Math.abs(rankDiff) > MAX_RANK)
    return { symbol: "", words: "" };
  if (rankDiff > 0) return { symbol: `▲${rankDiff}`, words: `up ${places(rankDiff)}` };
  if (rankDiff < 0) return { symbol: `▼${-rankDiff}`, words: `down ${places(-rankDiff)}` };
  return { symbol: "–", words: "no change" };
}

/** KeyAPI's rank when it is a whole number from 1 to 9,999, else the sound's position in the chart. */
export const rankOf = (rank: number | null, position: number) =>
  rank !== null && Number.isInteger(rank) && rank >= 1 && rank <= MAX_RANK ? rank : position;

/**
 * Where a row links: KeyAPI's link when it is a page on https://www.tiktok.com/ (the embeds' rule),
 * else the sound's TikTok page built from its clip id; null when neither is one.
 */
export function tiktokLink(link: string | null, clipId: string): string | null {
  try {
    const url = new URL((link ?? "").trim());
    // `host` holds the port too: www.tiktok.com:8443 is not TikTok's site.
    if (url.protocol === "https:" && !url.username && !url.password && url.host === "www.tiktok.com") {
      return url.href;
    }
  } catch {
    // Not a URL: built from the clip id below.
  }
  return /^[0-9]{1,20}$/.test(clipId) ? `https://www.tiktok.com/music/x-${clipId}` : null;
}
