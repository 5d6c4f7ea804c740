/**
 * The chart card: the top of a trending chart as one self-contained SVG
 * document, for the places that show an image and run nothing. Pure: a chart
 * payload and a theme in, a string out.
 *
 * Built from the sound card's pieces (card-svg.ts: the document with its
 * palettes and accessible name, the clipping text boxes, the text element), so
 * it is inert and safe in the same way: no script, event attributes,
 * foreignObject, links or external references; system fonts only; every value
 * cleaned and shortened to its box (chart-facts.ts, text.ts) and escaped where
 * it enters markup.
 */
import type { ChartPayload } from "../domain/chart";
import type { Theme } from "../domain/query";
import { box, CARD_WIDTH, document, FONTS, MUSIC_NOTE, text } from "./card-svg";
import { type ChartRow, chartHeading, chartRows, EMPTY_CHART, rowsText } from "./chart-facts";
import { CHART_CARD } from "./chart-query";
import { capText, fitText, TEXT_CAPS } from "./text";

/** Where the first row starts: the heading above it. */
export const CHART_HEAD_HEIGHT = 72;
export const CHART_ROW_HEIGHT = 40;
const FOOT = 8;
const INNER = CARD_WIDTH - 32;
/** Each row's columns: rank (right-aligned), movement, title and author, trend line. */
const RANK = { x: 12, width: 36 };
const MOVE = { x: 52, width: 36 };
const NAME = { x: 92, width: 276 };
const TREND = { x: 380, width: 84, top: 8, height: 24 };

/** The card's height for a limit: fixed by it, however many sounds the chart has. */
export const chartCardHeight = (limit: number) => CHART_HEAD_HEIGHT + CHART_ROW_HEIGHT * limit + FOOT;

/**
 * The trend as a polyline in a viewport of its own: x is the day's index, y
 * the value (0–100, upside down), stretched to the box; the stroke keeps its
 * width whatever the stretch. A lone value is drawn as a flat line.
 */
export function trendSvg(values: readonly number[], x: number, y: number, width: number, height: number): string {
  if (values.length === 0) return "";
  const drawn = values.length === 1 ? [values[0] as number, values[0] as number] : values;
  const points = drawn.map((value, index) => `${index},${100 - value}`).join(" ");
  return (
    `<svg x="${x}" y="${y}" width="${width}" height="${height}" viewBox="0 -6 ${drawn.length - 1} 112" ` +
    `preserveAspectRatio="none" overflow="visible" aria-hidden="true">` +
    `<polyline class="s" vector-effect="non-scaling-stroke" points="${points}"/></svg>`
  );
}

function row(sound: ChartRow, index: number): string {
  const top = CHART_HEAD_HEIGHT + index * CHART_ROW_HEIGHT;
  const name =
    text(0, 18, "u f", fitText(sound.title, NAME.width, FONTS.author)) +
    (sound.author ? text(0, 33, "x m", fitText(sound.author, NAME.width, FONTS.tiny)) : "");
  return (
    `<rect class="l" x="16" y="${top}" width="${INNER}" height="1"/>` +
    box(RANK.x, top, RANK.width, CHART_ROW_HEIGHT, text(RANK.width, 25, "t f", String(sound.rank), "end")) +
    (sound.movement.symbol
      ? box(MOVE.x, top, MOVE.width, CHART_ROW_HEIGHT, text(0, 25, "x m", sound.movement.symbol))
      : "") +
    box(NAME.x, top, NAME.width, CHART_ROW_HEIGHT, name) +
    trendSvg(sound.trend, TREND.x, top + TREND.top, TREND.width, TREND.height)
  );
}

export type ChartCardOptions = {
  /** How many rows the card has room for (1–10): its height, even when the chart has fewer sounds. */
  limit: number;
};

/**
 * The card for the top of a chart: 480 wide, `80 + 40 × limit` high.
 *
 * @example renderChartSvg(chart, "auto", { limit: 5 }) // → "<svg … height=\"280\" …>…</svg>"
 */
export function renderChartSvg(chart: ChartPayload, theme: Theme, options: ChartCardOptions): string {
  const limit = Math.min(Math.max(Math.trunc(options.limit) || 1, 1), CHART_CARD.maxLimit);
  const height = chartCardHeight(limit);
  const heading = chartHeading(chart);
  const rows = chartRows(chart, limit);
  const body =
    `<rect class="a" x="16" y="16" width="40" height="40" rx="9"/>` +
    `<path class="o" transform="translate(22 22) scale(1.2)" d="${MUSIC_NOTE}"/>` +
    box(
      68,
      16,
      CARD_WIDTH - 84,
      44,
      text(0, 18, "t f", fitText(heading.title, CARD_WIDTH - 84, FONTS.title)) +
        text(0, 38, "u m", fitText(heading.facts, CARD_WIDTH - 84, FONTS.author)),
    ) +
    (rows.length === 0
      ? `<rect class="l" x="16" y="${CHART_HEAD_HEIGHT}" width="${INNER}" height="1"/>` +
        text(
          CARD_WIDTH / 2,
          CHART_HEAD_HEIGHT + (height - CHART_HEAD_HEIGHT - FOOT) / 2 + 5,
          "u m",
          EMPTY_CHART,
          "middle",
        )
      : rows.map(row).join(""));
  return document(height, capText(heading.label, TEXT_CAPS.label), rowsText(rows, "; "), theme, body);
}
