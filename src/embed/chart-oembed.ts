/**
 * oEmbed 1.0 for a chart: the `rich` answer for one of this service's own
 * `/embed/chart?…` pages, and the iframe's size. Pure: the route supplies the
 * chart, the origin and the sizes, as for a sound (oembed.ts).
 */
import type { ChartPayload } from "../domain/chart";
import { CARD_WIDTH } from "./card-svg";
import { chartHeading, chartRows } from "./chart-facts";
import { chartPageHeight, chartPageUrl } from "./chart-page";
import type { ChartEmbedQuery } from "./chart-query";
import { MIN_EMBED_WIDTH, type OembedOptions, type OembedResponse, richAnswer } from "./oembed";
import { capText, TEXT_CAPS } from "./text";

/**
 * The iframe's size: the card's width scaled down (never up) to `maxWidth`,
 * and the page's height for `limit`, which does not scale with the width (the
 * rows shorten their text instead). A `maxHeight` below it cuts the frame,
 * whose page then scrolls; null when that would be narrower than
 * `MIN_EMBED_WIDTH` or lower than the heading and one row.
 *
 * @example chartEmbedSize(10) // → { width: 480, height: 552 }
 */
export function chartEmbedSize(
  limit: number,
  maxWidth?: number,
  maxHeight?: number,
): { width: number; height: number } | null {
  const width = Math.min(CARD_WIDTH, maxWidth ?? CARD_WIDTH);
  const height = Math.min(chartPageHeight(limit), maxHeight ?? Number.POSITIVE_INFINITY);
  return width >= MIN_EMBED_WIDTH && height >= chartPageHeight(1) ? { width, height } : null;
}

/**
 * The `rich` oEmbed answer for a chart: an iframe of its embed page, its
 * title as the page's `og:title`, and the first sound's cover as the thumbnail
 * when it is https and fits.
 */
export function chartOembedResponse(
  chart: ChartPayload,
  query: ChartEmbedQuery,
  options: OembedOptions,
): OembedResponse {
  const heading = chartHeading(chart);
  return richAnswer(
    {
      title: capText(heading.label, TEXT_CAPS.oembed),
      src: chartPageUrl(options.origin, query),
      iframeTitle: capText(heading.label, TEXT_CAPS.label),
      cover: chartRows(chart, 1)[0]?.cover ?? null,
    },
    options,
  );
}
