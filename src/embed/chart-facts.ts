/**
 * What every chart embed says (the SVG card, the embed page, oEmbed), so that
 * they say the same: the heading, the accessible title, each row's rank,
 * movement and line ("1. New Sun — Chihei Hatakeyama"), and its trend line.
 * Plain text, cleaned (see text.ts) but neither shortened nor escaped, as
 * facts.ts is for one sound: each renderer does that for its own boxes and markup.
 */
import type { ChartPayload, ChartSound } from "../domain/chart";
import { soundQueryParams } from "../domain/sound";
import { httpsUrl } from "./escape";
import { tiktokLink } from "./facts";
import { cleanText, fitText } from "./text";

/** Bump when a chart's drawing or page changes, so their ETags change with it. */
export const CHART_RENDERER_VERSION = 1;
/** A row's trend line needs no more: 120 days are drawn as the peaks of 30 runs of 4. */
export const MAX_TREND_POINTS = 30;
/** Ranks and movements beyond this are not a top chart's: shown as unknown rather than drawn wide. */
const MAX_RANK = 9999;
/** How long (in ems) a row's text may be in any text form: several times what a row shows, a fraction of a page. */
export const ROW_TEXT_EMS = 60;
/** What the embeds say instead of rows. */
export const EMPTY_CHART = "No sounds in this chart right now.";

export type ChartHeading = {
  /** "Trending sounds" */
  title: string;
  /** "US · last 7 days", then "new to top 100" and "commercial" when those filters are on. */
  facts: string;
  /** "Trending sounds · US · last 7 days" */
  text: string;
  /** The accessible name and link-preview title: "Trending TikTok sounds in US, last 7 days". */
  label: string;
};

export type Movement = {
  /** "▲3", "▼2", "–" for none, "" when unknown. */
  symbol: string;
  /** The same in words, for screen readers: "up 3 places", "down 1 place", "no change", "". */
  words: string;
};

export type ChartRow = {
  /** KeyAPI's rank, or the position in the chart when it sent none that is usable. */
  rank: number;
  movement: Movement;
  title: string;
  author: string | null;
  /** "New Sun — Chihei Hatakeyama", or the title alone. */
  label: string;
  /** "1. New Sun — Chihei Hatakeyama" */
  line: string;
  /** Trend values relative to the row's peak (0–100), oldest first, at most `MAX_TREND_POINTS`. */
  trend: number[];
  /** Decimal digits only; null when KeyAPI's id is not one (no link is then built from it). */
  clipId: string | null;
  /** The sound's TikTok page (https, tiktok.com only), else one built from the clip id. */
  link: string | null;
  /** The cover image, https only. */
  cover: string | null;
};

/**
 * @example chartHeading({ region: "US", period: 7, new_to_top_100: true, commercial_music: false, … }).text
 *   // → "Trending sounds · US · last 7 days · new to top 100"
 */
export function chartHeading(chart: ChartPayload): ChartHeading {
  const region = cleanText(chart.region);
  const days = `last ${chart.period} days`;
  const filters = [chart.new_to_top_100 ? "new to top 100" : null, chart.commercial_music ? "commercial" : null].filter(
    (filter): filter is string => filter !== null,
  );
  const facts = [region, days, ...filters].join(" · ");
  return {
    title: "Trending sounds",
    facts,
    text: `Trending sounds · ${facts}`,
    label: [`Trending TikTok sounds in ${region}`, days, ...filters].join(", "),
  };
}

const places = (count: number) => `${count} place${count === 1 ? "" : "s"}`;

/**
 * `rank_diff` as drawn: ▲ for a positive one, ▼ for a negative one, a dash for
 * 0, nothing for null (or for a number no chart has).
 *
 * @example movement(3) // → { symbol: "▲3", words: "up 3 places" }
 */
export function movement(rankDiff: number | null): Movement {
  if (rankDiff === null || !Number.isInteger(rankDiff) || Math.abs(rankDiff) > MAX_RANK) {
    return { symbol: "", words: "" };
  }
  if (rankDiff > 0) return { symbol: `▲${rankDiff}`, words: `up ${places(rankDiff)}` };
  if (rankDiff < 0) return { symbol: `▼${-rankDiff}`, words: `down ${places(-rankDiff)}` };
  return { symbol: "–", words: "no change" };
}

/**
 * The trend as at most `MAX_TREND_POINTS` values relative to its peak (0–100):
 * a longer one is drawn by the highest value of each run of days, so no peak
 * is lost. One pass, no spreading into calls: any length is safe.
 */
export function trendLine(trend: readonly ChartSound["trend"][number][]): number[] {
  const run = Math.ceil(trend.length / MAX_TREND_POINTS);
  const highs: number[] = [];
  let peak = 0;
  for (let start = 0; start < trend.length; start += run) {
    let high = 0;
    for (let index = start; index < Math.min(start + run, trend.length); index++) {
      const value = trend[index]?.value ?? 0;
      if (Number.isFinite(value) && value > high) high = value;
    }
    highs.push(high);
    if (high > peak) peak = high;
  }
  return highs.map((high) => (peak > 0 ? Math.round((high / peak) * 100) : 0));
}

const isClipId = (value: string) => soundQueryParams.clip_id.safeParse(value).success;

function chartRow(sound: ChartSound, position: number): ChartRow {
  const title = cleanText(sound.title ?? "") || "Untitled sound";
  const author = cleanText(sound.author ?? "") || null;
  const label = author ? `${title} — ${author}` : title;
  const rank =
    sound.rank !== null && Number.isInteger(sound.rank) && sound.rank >= 1 && sound.rank <= MAX_RANK
      ? sound.rank
      : position;
  const clipId = isClipId(sound.clip_id) ? sound.clip_id : null;
  return {
    rank,
    movement: movement(sound.rank_diff),
    title,
    author,
    label,
    line: `${rank}. ${label}`,
    trend: trendLine(sound.trend),
    clipId,
    link: tiktokLink(sound.link) ?? (clipId ? `https://www.tiktok.com/music/x-${clipId}` : null),
    cover: httpsUrl(sound.cover),
  };
}

/**
 * The first `limit` sounds of the chart as rows (a payload longer than it
 * promised is cut, not drawn).
 *
 * @example chartRows(chart, 5)[0]?.line // → "1. New Sun — Chihei Hatakeyama"
 */
export function chartRows(chart: ChartPayload, limit: number): ChartRow[] {
  const offset = (chart.page - 1) * chart.limit;
  return chart.sounds.slice(0, Math.max(limit, 0)).map((sound, index) => chartRow(sound, offset + index + 1));
}

/**
 * The rows' lines as one text ("1. New Sun — Chihei Hatakeyama; 2. …" for a
 * description, ", " between them for a link preview), each cut to a line's length.
 */
export function rowsText(rows: readonly ChartRow[], separator: string): string {
  return rows.length === 0
    ? EMPTY_CHART
    : rows.map((row) => fitText(row.line, ROW_TEXT_EMS, { size: 1 })).join(separator);
}
