/**
 * The chart embed page (`/embed/chart`): the top of a chart as a small
 * server-rendered HTML page that needs no JavaScript, for iframes (oEmbed) and
 * link previews. The sound embed page's shell and look (embed-page.ts), an
 * ordered list instead of the card. Pure: values in, a string out; every value
 * goes through `htmlEscape` (or `urlComponent`) where it enters markup.
 *
 * No images: covers would be requests from every viewer's browser to TikTok's
 * CDN (whose cover URLs expire), and the page keeps the sound page's
 * `default-src 'none'`. Link previews still get the first cover as `og:image`.
 */
import type { ChartPayload } from "../domain/chart";
import { PALETTES, type Palette } from "./card-svg";
import { type ChartRow, chartHeading, chartRows, EMPTY_CHART, ROW_TEXT_EMS, rowsText } from "./chart-facts";
import { CHART_PAGE_PATH, type ChartEmbedQuery } from "./chart-query";
import { trendSvg } from "./chart-svg";
import { type EmbedPageLinks, page, previewHead } from "./embed-page";
import { htmlEscape } from "./escape";
import { embedPageUrl } from "./oembed";
import { capText, fitText, TEXT_CAPS } from "./text";
/** The heading block, each row and the space under the list, in CSS pixels: the page's height follows `limit`. */
export const CHART_PAGE_HEAD_HEIGHT = 64;
export const CHART_PAGE_ROW_HEIGHT = 48;
const FOOT = 8;

/** The page's height for a limit, whatever the width (rows shorten their text, never wrap). */
export const chartPageHeight = (limit: number) => CHART_PAGE_HEAD_HEIGHT + CHART_PAGE_ROW_HEIGHT * limit + FOOT;

export type ChartPageLinks = EmbedPageLinks & {
  /** Where this service's pages are (the sounds' own embed pages are linked under it). */
  origin: string;
};

/** One colour per scheme; `light-dark()` picks by the page's `color-scheme`, which follows the theme. */
const both = (key: keyof Palette) => `light-dark(${PALETTES.light[key]},${PALETTES.dark[key]})`;

/**
 * Literal CSS only, added to the sound page's stylesheet. Fixed heights, text
 * cut with an ellipsis: the page's height is `chartPageHeight(limit)` at any
 * width. Each row's text boxes are positioned, so the visually hidden text at
 * the end of a long title is clipped with it rather than widening the page.
 */
const CHART_CSS =
  `h1{box-sizing:border-box;height:${CHART_PAGE_HEAD_HEIGHT}px;margin:0;padding:12px 16px 0;font-size:16px;` +
  "line-height:22px;font-weight:600}h1,.sub,.who>*{overflow:hidden;white-space:nowrap;text-overflow:ellipsis}" +
  `.sub{display:block;font-size:13px;line-height:18px;font-weight:400}.sub,.mv,.by{color:${both("muted")}}` +
  `ol{margin:0;padding:0 16px ${FOOT}px 52px}li{box-sizing:border-box;height:${CHART_PAGE_ROW_HEIGHT}px;` +
  `border-top:1px solid ${both("line")}}li::marker{font-weight:700;font-variant-numeric:tabular-nums}` +
  "li>div{display:flex;align-items:center;gap:10px;height:100%}.mv{flex:none;width:34px;font-size:12px}" +
  ".who{flex:1;min-width:0;line-height:18px}.who>*{display:block;position:relative}.who a{color:inherit;text-decoration:none}" +
  ".who a:hover{text-decoration:underline}.by{font-size:12px;line-height:16px}" +
  `li svg{flex:none}.s{fill:none;stroke:currentColor;stroke:${both("accent")};stroke-width:2;` +
  "stroke-linejoin:round;stroke-linecap:round}.tt{flex:none;font-size:12px}.empty{margin:0;padding:16px}" +
  "@media (max-width:360px){li svg{display:none}}";

/**
 * The chart page's address: `region` first, so no `&` is followed by a legacy
 * HTML entity name (`&reg`) that a careless unfurler would decode; the chart
 * and `limit` always explicit, the filters when on, the theme when not `auto`.
 *
 * @example chartPageUrl("https://sounds.example", query) // → "https://sounds.example/embed/chart?region=US&period=7&limit=10"
 */
export function chartPageUrl(origin: string, query: ChartEmbedQuery): string {
  const { region, period, newToTop100, commercialMusic, limit } = query.chart;
  return (
    `${origin}${CHART_PAGE_PATH}?region=${region}&period=${period}` +
    (newToTop100 ? "&new_to_top_100=true" : "") +
    (commercialMusic ? "&commercial_music=true" : "") +
    `&limit=${limit}${query.theme === "auto" ? "" : `&theme=${query.theme}`}`
  );
}

/** A row's text as the page carries it; CSS shortens it further to the row's width. */
const short = (value: string) => fitText(value, ROW_TEXT_EMS, { size: 1 });

/** As the sound page says it: "New Sun by Chihei Hatakeyama". */
const byline = (row: ChartRow) => (row.author ? `${row.title} by ${row.author}` : row.title);

const NEW_TAB = `<span class="vh"> (opens in a new tab)</span>`;

/** A sound's own embed page, for the chart's region, period and theme. */
const soundPage = (origin: string, clipId: string, { chart, theme }: ChartEmbedQuery) =>
  embedPageUrl(origin, { sound: { clipId, period: chart.period, region: chart.region }, theme });

function rowHtml(row: ChartRow, query: ChartEmbedQuery, origin: string): string {
  const title = htmlEscape(short(row.title));
  const name = row.clipId
    ? `<a href="${htmlEscape(soundPage(origin, row.clipId, query))}" target="_blank" rel="noopener">${title}${NEW_TAB}</a>`
    : `<span>${title}</span>`;
  const author = row.author ? ` <span class="by">${htmlEscape(short(row.author))}</span>` : "";
  const movement = row.movement.symbol
    ? `<span aria-hidden="true">${row.movement.symbol}</span> <span class="vh">${row.movement.words}</span>`
    : "";
  const tiktok = row.link
    ? ` <a class="tt" href="${htmlEscape(row.link)}" target="_blank" rel="noopener noreferrer">TikTok` +
      `<span class="vh">: ${htmlEscape(short(row.label))} (opens in a new tab)</span></a>`
    : "";
  // Spaces between the parts: flex ignores them, and without CSS the row still reads as words.
  return (
    `<li value="${row.rank}"><div><span class="mv">${movement}</span> <span class="who">${name}${author}</span> ` +
    `${trendSvg(row.trend, 0, 0, 64, 24)}${tiktok}</div></li>`
  );
}

/**
 * The page for the top `query.chart.limit` of a chart.
 *
 * @example renderChartPage(chart, { chart: query, theme: "auto" }, { page, oembed, providerName, origin })
 */
export function renderChartPage(chart: ChartPayload, query: ChartEmbedQuery, links: ChartPageLinks): string {
  const heading = chartHeading(chart);
  const rows = chartRows(chart, query.chart.limit);
  // Link previews show a line or two: the top three, each cut to a line.
  const label = capText(heading.label, TEXT_CAPS.label);
  const description = rowsText(rows.slice(0, 3), ", ");
  const first = rows[0];
  const preview = previewHead({
    type: "website",
    siteName: links.providerName,
    title: label,
    description,
    url: links.page,
    oembed: links.oembed,
    image: first?.cover ? { url: first.cover, alt: `Cover art of ${short(byline(first))}` } : null,
  });
  const head = `${preview}<style>${CHART_CSS}</style>\n`;
  const main =
    `<h1>${htmlEscape(heading.title)}<span class="vh"> · </span><span class="sub">${htmlEscape(heading.facts)}</span></h1>\n` +
    (rows.length === 0
      ? `<p class="empty">${EMPTY_CHART}</p>`
      : `<ol>\n${rows.map((row) => rowHtml(row, query, links.origin)).join("\n")}\n</ol>`);
  return page(label, null, head, query.theme, main);
}
