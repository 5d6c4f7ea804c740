/**
 * The card's text fitting, checked against the font it is calibrated for:
 * Chromium measures every character of the width table in DejaVu Sans (Book
 * and Bold), and draws cards whose every field holds hostile long text (wide
 * Latin, Cyrillic, CJK, emoji, mixed), in the card's own font stack and with
 * DejaVu Sans forced, and every text must end inside its box, ellipsis included.
 *
 * The cards are rendered here by the worker's own renderer (it is pure), so no
 * worker needs to run. Without /usr/bin/chromium (or $CHROMIUM_PATH) the test is
 * skipped, and says so; with CI set it fails instead. DejaVu Sans must be
 * installed (`apt-get install fonts-dejavu-core`).
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Theme } from "../../src/domain/query.ts";
import { renderCardSvg } from "../../src/embed/card-svg.ts";
import { DEJAVU_RANGES, DEJAVU_WIDTHS } from "../../src/embed/text.ts";
import { hostilePayload } from "../support/hostile-text.ts";
import { announceSkip, browserTestsRun, launchBrowser, SKIP_REASON } from "./support/browser.ts";

announceSkip();
if (!browserTestsRun) it.skip(SKIP_REASON, () => {});

const query = { clipId: hostilePayload("x").clip_id, period: 7 as const, region: "US" };

/** Text meant to overflow its box: the widest glyphs of DejaVu Sans, other scripts, emoji, and mixtures. */
const LONG_TEXT: [string, string][] = [
  ["wide Latin capitals", "W".repeat(400)],
  ["capitals", "NHODU".repeat(80)],
  ["lowercase", "mwbdghnopqu".repeat(40)],
  ["a long title", "Long title ".repeat(40)],
  ["digits and signs", "0%@#".repeat(100)],
  ["ellipses and dashes", "…—".repeat(200)],
  ["accented Latin", "ŒÆÑÖ".repeat(100)],
  ["Cyrillic", "ЩЖШЮ щжшю ".repeat(40)],
  ["CJK", "日本語".repeat(100)],
  ["Hangul", "한국어".repeat(100)],
  ["emoji", "😀🎵🇺🇸👍🏽👩‍👩‍👧‍👦🏴󠁧󠁢󠁳󠁣󠁴󠁿1️⃣".repeat(20)],
  ["mixed", "WWW 日本 👩‍👩‍👧‍👦 Щ mm … ".repeat(20)],
];

/** Every `<text>` of a nested box that does not end inside it, as readable lines. */
async function overflows(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    for (const box of document.querySelectorAll("svg svg")) {
      const width = Number(box.getAttribute("width"));
      const texts = [...box.querySelectorAll("text")];
      for (const text of texts) {
        const { x, width: drawn } = text.getBBox();
        const length = text.getComputedTextLength();
        if (x < -0.5 || x + drawn > width + 0.5 || length > width + 0.5) {
          problems.push(
            `${text.textContent}: from ${x.toFixed(1)} to ${(x + drawn).toFixed(1)} in a box ${width} wide`,
          );
        }
      }
      // A country's name ends before its share begins.
      if (texts.length === 2 && texts[1]?.getAttribute("text-anchor") === "end") {
        const name = texts[0]?.getBBox();
        const share = texts[1]?.getBBox();
        if (name && share && name.x + name.width > share.x) {
          problems.push(`${texts[0]?.textContent} runs into ${texts[1]?.textContent}`);
        }
      }
    }
    return problems;
  });
}

describe.runIf(browserTestsRun)("the card's text in Chromium", () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    browser = await launchBrowser();
    page = await browser.newPage();
    await page.setContent("<!doctype html><title>fonts</title>");
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
  });

  it("is drawn in DejaVu Sans on this machine", async () => {
    // Fonts the system lacks fall back silently: DejaVu's own W (1.103 em in Bold) proves it is the one measured.
    const width = await page.evaluate(() => {
      const context = document.createElement("canvas").getContext("2d") as CanvasRenderingContext2D;
      context.font = 'bold 100px "DejaVu Sans", monospace';
      return context.measureText("W").width;
    });
    expect(width, "DejaVu Sans is missing: apt-get install fonts-dejavu-core").toBeCloseTo(110.3, 0);
  });

  it("estimates every code point of the width table at least as wide as DejaVu Sans draws it, and barely wider", async () => {
    const measured = await page.evaluate(
      ([ranges, table]) => {
        const context = document.createElement("canvas").getContext("2d") as CanvasRenderingContext2D;
        const rows: [string, string, number, number][] = [];
        for (const [weight, strings] of Object.entries(table)) {
          context.font = `${weight === "bold" ? "bold " : ""}100px "DejaVu Sans"`;
          ranges.forEach(([first], range) => {
            const widths = strings[range] as string;
            for (let index = 0; index < widths.length; index++) {
              const char = String.fromCodePoint(first + index);
              const estimate = (widths.charCodeAt(index) - 64) / 20;
              rows.push([weight, char, estimate, context.measureText(char).width / 100]);
            }
          });
        }
        return rows;
      },
      [DEJAVU_RANGES, DEJAVU_WIDTHS] as const,
    );
    const wrong = measured
      .filter(([, , estimate, drawn]) => estimate < drawn || estimate >= drawn + 0.05)
      .map(
        ([weight, char, estimate, drawn]) => `${weight} ${char}: table ${estimate}, DejaVu Sans ${drawn.toFixed(3)}`,
      );
    expect(wrong).toEqual([]);
    // Every range is as long as its span of code points.
    expect(measured.length).toBe(2 * DEJAVU_RANGES.reduce((sum, [first, last]) => sum + last - first + 1, 0));
  });

  for (const font of ["the card's font stack", "DejaVu Sans, forced"] as const) {
    it.each(LONG_TEXT)(`keeps %s inside every box, in ${font}`, async (_name, value) => {
      for (const theme of ["light", "dark"] satisfies Theme[]) {
        await page.setContent(
          `<!doctype html><title>card</title><body style="margin:0">${renderCardSvg(hostilePayload(value), query, theme)}</body>`,
        );
        if (font === "DejaVu Sans, forced") {
          await page.addStyleTag({ content: 'svg text{font-family:"DejaVu Sans"!important}' });
        }
        expect(await overflows(page)).toEqual([]);
        // Long text was shortened, so its ellipsis is what the box's edge shows.
        const title = await page.locator("svg svg text").first().textContent();
        expect(title?.endsWith("…"), title ?? "").toBe(true);
      }
    });
  }
});
