import { expect, describe as group, it } from "vitest";
import { chartEmbedSize, chartOembedResponse } from "../../src/embed/chart-oembed";
import { chartPageHeight } from "../../src/embed/chart-page";
import type { OembedOptions } from "../../src/embed/oembed";
import { textWidth } from "../../src/embed/text";
import { EXAMPLE_CHART, EXAMPLE_COVER, embedQuery, FIRST_SOUND } from "../support/chart";
import { HOSTILE_TEXT, hostileChart } from "../support/hostile-text";

const ORIGIN = "https://sounds.example";
const chart = EXAMPLE_CHART;
const query = embedQuery;

function options(limit: number, maxWidth?: number, maxHeight?: number): OembedOptions {
  const size = chartEmbedSize(limit, maxWidth, maxHeight);
  if (!size) throw new Error("no size");
  return { origin: ORIGIN, providerName: "tiktok-sound-edge", size, maxWidth, maxHeight, cacheAge: 300 };
}

group("chartEmbedSize", () => {
  it.each([
    [1, undefined, undefined, { width: 480, height: 120 }],
    [5, undefined, undefined, { width: 480, height: 312 }],
    [10, undefined, undefined, { width: 480, height: 552 }],
    [20, undefined, undefined, { width: 480, height: 1032 }],
    // Narrower: the rows shorten their text, the height stays.
    [10, 320, undefined, { width: 320, height: 552 }],
    [10, 200, undefined, { width: 200, height: 552 }],
    // Never scaled up.
    [10, 2000, 2000, { width: 480, height: 552 }],
    // Lower than the page: the frame is cut and the page scrolls inside it.
    [10, undefined, 300, { width: 480, height: 300 }],
    [10, 400, 120, { width: 400, height: 120 }],
    // Too narrow to read, or lower than the heading and one row.
    [10, 199, undefined, null],
    [10, undefined, 119, null],
  ])("limit=%i, maxwidth=%s, maxheight=%s → %j", (limit, maxWidth, maxHeight, expected) => {
    expect(chartEmbedSize(limit, maxWidth, maxHeight)).toEqual(expected);
  });

  it("follows the page's height for every limit", () => {
    for (let limit = 1; limit <= 20; limit++) expect(chartEmbedSize(limit)?.height).toBe(chartPageHeight(limit));
  });
});

group("the chart's oEmbed answer", () => {
  it("is rich: an iframe of the chart page, titled as its og:title, with the first cover as thumbnail", () => {
    expect(chartOembedResponse(chart, query(10), options(10))).toEqual({
      version: "1.0",
      type: "rich",
      provider_name: "tiktok-sound-edge",
      provider_url: `${ORIGIN}/`,
      title: "Trending TikTok sounds in US, last 7 days",
      html:
        `<iframe src="${ORIGIN}/embed/chart?region=US&amp;period=7&amp;limit=10" width="480" height="552" ` +
        `title="Trending TikTok sounds in US, last 7 days" style="border:0;max-width:100%" loading="lazy" ` +
        `referrerpolicy="no-referrer" sandbox="allow-popups allow-popups-to-escape-sandbox"></iframe>`,
      width: 480,
      height: 552,
      thumbnail_url: EXAMPLE_COVER,
      thumbnail_width: 720,
      thumbnail_height: 720,
      cache_age: 300,
    });
  });

  it("sizes the iframe by the limit and the consumer's bounds, and keeps the page's query", () => {
    const answer = chartOembedResponse(
      { ...chart, new_to_top_100: true },
      query(3, "dark", { newToTop100: true }),
      options(3, 300),
    );
    expect(answer).toMatchObject({
      width: 300,
      height: 216,
      title: "Trending TikTok sounds in US, last 7 days, new to top 100",
    });
    expect(answer.html).toContain(
      `src="${ORIGIN}/embed/chart?region=US&amp;period=7&amp;new_to_top_100=true&amp;limit=3&amp;theme=dark" width="300" height="216"`,
    );
  });

  it("leaves the thumbnail out when it would not fit, or the first cover is not https", () => {
    const keys = (answer: object) => Object.keys(answer).filter((key) => key.startsWith("thumbnail"));
    expect(keys(chartOembedResponse(chart, query(5), options(5, 400)))).toEqual([]);
    expect(keys(chartOembedResponse(chart, query(5), options(5, undefined, 700)))).toEqual([]);
    const http = { ...chart, sounds: [{ ...FIRST_SOUND, cover: "http://cdn.example/a.jpeg" }] };
    expect(keys(chartOembedResponse(http, query(5), options(5)))).toEqual([]);
    expect(keys(chartOembedResponse({ ...chart, sounds: [] }, query(5), options(5)))).toEqual([]);
  });

  it.each(HOSTILE_TEXT)("keeps hostile text (%s) out of the html, and the title short", (_name, value) => {
    const answer = chartOembedResponse(hostileChart(chart, value), query(10), options(10));
    expect(answer.html).toMatch(/^<iframe src="[^"<>]*" width="480" height="552" title="[^"<>]*" style=/);
    expect(answer.html).not.toMatch(/<(?!\/?iframe)/);
    expect(textWidth(answer.title, { size: 1 })).toBeLessThanOrEqual(150);
    expect(answer.thumbnail_url).toBeUndefined();
  });
});
