/**
 * The chart embeds' rendering in a real browser (harness: ./support/browser.ts),
 * straight from the renderers, no worker: the chart page is as high as
 * `chartPageHeight(limit)` promises (oEmbed sizes its iframe by it) at every
 * width an iframe may have, never wider than its frame, and axe-clean in light
 * and dark; the chart card draws as an `<img>` at the size its attributes give.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChartPayload } from "../../src/domain/chart.ts";
import { THEMES, type Theme } from "../../src/domain/query.ts";
import { chartPageHeight, chartPageUrl, renderChartPage } from "../../src/embed/chart-page.ts";
import { renderChartSvg } from "../../src/embed/chart-svg.ts";
import { EXAMPLE_CHART, embedQuery } from "../support/chart.ts";
import { axeViolations } from "./support/axe.ts";
import { announceSkip, browserTestsRun, launchBrowser, newLoopbackContext, SKIP_REASON } from "./support/browser.ts";

const ORIGIN = "http://127.0.0.1:1";
const chart = EXAMPLE_CHART;
const query = embedQuery;

function pageHtml(payload: ChartPayload, limit: number, theme: Theme): string {
  const page = chartPageUrl(ORIGIN, query(limit, theme));
  return renderChartPage(payload, query(limit, theme), {
    page,
    oembed: `${ORIGIN}/oembed`,
    providerName: "tiktok-sound-edge",
    origin: ORIGIN,
  });
}

/** Long titles and authors of wide letters: the rows must shorten them, not wrap or widen. */
const longText: ChartPayload = {
  ...chart,
  sounds: chart.sounds.map((sound) => ({ ...sound, title: "WM".repeat(400), author: "日本語".repeat(300) })),
};

announceSkip();
if (!browserTestsRun) it.skip(SKIP_REASON, () => {});

describe.runIf(browserTestsRun)("the chart embeds in Chromium", () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    browser = await launchBrowser();
    // A low viewport, so the document's height is its content's.
    context = await newLoopbackContext(browser, { viewport: { width: 480, height: 40 } });
    page = await context.newPage();
  }, 45_000);

  afterAll(async () => {
    await browser?.close();
  }, 20_000);

  it("the chart page is exactly as high as its limit promises, at every width, and never wider", async () => {
    for (const payload of [chart, longText]) {
      for (const limit of [1, 5, 10, 20]) {
        for (const width of [480, 320, 200]) {
          await page.setViewportSize({ width, height: 40 });
          await page.setContent(pageHtml(payload, limit, "auto"));
          const size = await page.evaluate(() => ({
            height: document.documentElement.scrollHeight,
            width: document.documentElement.scrollWidth,
          }));
          expect(size, `limit=${limit} width=${width}`).toEqual({ height: chartPageHeight(limit), width });
        }
      }
    }
  });

  it("the chart page is axe-clean in every theme and colour scheme", async () => {
    await page.setViewportSize({ width: 480, height: 600 });
    for (const theme of THEMES) {
      for (const scheme of ["light", "dark"] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        for (const payload of [chart, longText, { ...chart, sounds: [] }]) {
          await page.setContent(pageHtml(payload, 10, theme));
          expect(await axeViolations(page), `${theme} / ${scheme}`).toEqual([]);
        }
      }
    }
  });

  it("the chart card draws as an <img> at the size it declares", async () => {
    await page.setViewportSize({ width: 1000, height: 600 });
    for (const limit of [1, 5, 10]) {
      const svg = renderChartSvg(chart, "auto", { limit });
      const src = `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}`;
      await page.setContent(`<img alt="" src="${src}">`);
      const drawn = await page.evaluate(async () => {
        const img = document.querySelector("img") as HTMLImageElement;
        await img.decode();
        return { width: img.naturalWidth, height: img.naturalHeight };
      });
      expect(drawn).toEqual({ width: 480, height: 80 + 40 * limit });
    }
  });
});
