/**
 * The embeds in a real browser (harness: ./support/browser.ts): the SVG cards
 * (a sound's, a chart's) as `<img>` on someone else's site in light and dark,
 * the embed pages (a sound's, a chart's) in an iframe on a site ALLOWED_ORIGINS
 * lets in (and refused on another), the pages with JavaScript off, and the demo
 * page's new section. Takes docs/card.png, docs/embed.png, docs/chart.png and
 * docs/chart-page.png for the README.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { inflateSync } from "node:zlib";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXAMPLE_CLIP_ID } from "../../mock/keyapi.ts";
import { type RunningMock, startMockServer } from "../../mock/server.ts";
import { chartPageHeight } from "../../src/embed/chart-page.ts";
import { axeViolations } from "./support/axe.ts";
import {
  announceSkip,
  browserTestsRun,
  launchBrowser,
  newLoopbackContext,
  openPage,
  type RunningWorker,
  type Site,
  SKIP_REASON,
  saveScreenshot,
  startSite,
  startWorker,
} from "./support/browser.ts";

const CARD_PATH = "/v1/tiktok/trending/music/card.svg";
const CHART_CARD_PATH = "/v1/tiktok/trending/music/chart.svg";
const CARD_SHOT = new URL("../../docs/card.png", import.meta.url);
const EMBED_SHOT = new URL("../../docs/embed.png", import.meta.url);
const CHART_SHOT = new URL("../../docs/chart.png", import.meta.url);
const CHART_PAGE_SHOT = new URL("../../docs/chart-page.png", import.meta.url);
/** The card's background colours (light, dark). */
const BACKGROUND = { light: "#ffffff", dark: "#17191e" };

announceSkip();
if (!browserTestsRun) it.skip(SKIP_REASON, () => {});

describe.runIf(browserTestsRun)("the embeds in Chromium", () => {
  let mock: RunningMock;
  let worker: RunningWorker | undefined;
  let allowedSite: Site;
  let refusedSite: Site;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    mock = await startMockServer();
    allowedSite = await startSite(sitePage);
    refusedSite = await startSite(sitePage);
    worker = await startWorker({ vars: { KEYAPI_BASE_URL: mock.url, ALLOWED_ORIGINS: allowedSite.origin } });
    browser = await launchBrowser();
    context = await newLoopbackContext(browser, { mockUrl: mock.url, viewport: { width: 1040, height: 700 } });
  }, 45_000);

  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
    await Promise.all([mock?.close(), allowedSite?.close(), refusedSite?.close()]);
  }, 20_000);

  /** Cards on someone else's page: each with its size and a point where its background shows, in its theme. */
  const IMAGES = [
    {
      name: "the sound card",
      cards: [
        { path: `${CARD_PATH}?clip_id=${EXAMPLE_CLIP_ID}`, size: [480, 220], background: [240, 78], theme: "auto" },
        {
          path: `${CARD_PATH}?clip_id=${EXAMPLE_CLIP_ID}&theme=dark`,
          size: [480, 220],
          background: [240, 78],
          theme: "dark",
        },
        {
          path: `${CARD_PATH}?clip_id=4040000000000000001&theme=light`,
          size: [480, 112],
          background: [470, 56],
          theme: "light",
        },
      ],
      shot: CARD_SHOT,
    },
    {
      name: "the chart card",
      // Right of the heading, above the first row: the card's background.
      cards: [
        { path: `${CHART_CARD_PATH}?region=US&limit=5`, size: [480, 280], background: [472, 64], theme: "auto" },
        {
          path: `${CHART_CARD_PATH}?region=GB&period=30&limit=5&theme=dark`,
          size: [480, 280],
          background: [472, 64],
          theme: "dark",
        },
      ],
      shot: CHART_SHOT,
    },
  ] as const;

  it.each(IMAGES)("draws $name as an <img> on another site, following the reader's colour scheme", async (image) => {
    for (const scheme of ["light", "dark"] as const) {
      const page = await openPage(context, undefined, { colorScheme: scheme });
      await page.goto(siteUrl(refusedSite, { img: image.cards.map((card) => card.path) }));
      await loaded(page, "img");
      const sizes = await page.$$eval("img", (images) =>
        images.map((image) => [(image as HTMLImageElement).naturalWidth, (image as HTMLImageElement).naturalHeight]),
      );
      expect(sizes).toEqual(image.cards.map((card) => card.size));
      // theme=auto follows the page's scheme; theme=dark and theme=light do not.
      for (const [index, card] of image.cards.entries()) {
        const [x, y] = card.background;
        expect(await pixel(page, `#img-${index}`, x, y), card.path).toBe(
          BACKGROUND[card.theme === "auto" ? scheme : card.theme],
        );
      }
      if (scheme === "light") await saveScreenshot(page.locator(".row").first(), image.shot);
      await page.close();
    }
  });

  it("shows the embed page in an iframe on an allowed site", async () => {
    const page = await openPage(context, undefined, { colorScheme: "light" });
    await page.goto(siteUrl(allowedSite, { iframe: [`/embed/sound/${EXAMPLE_CLIP_ID}?period=7&region=US`] }));
    const frame = page.frameLocator("#frame-0");
    await expect.poll(() => frame.locator("svg > title").textContent()).toBe("New Sun — Chihei Hatakeyama");
    const link = frame.getByRole("link");
    expect(await link.getAttribute("href")).toBe(`https://www.tiktok.com/music/x-${EXAMPLE_CLIP_ID}`);
    expect(await link.textContent()).toBe("Listen on TikTok: New Sun by Chihei Hatakeyama (opens in a new tab)");
    const box = await page.locator("#frame-0").boundingBox();
    expect(box).toMatchObject({ width: 480, height: 252 });
    await saveScreenshot(page.locator("#frame-0"), EMBED_SHOT);
    await page.close();
  });

  it("is shown, as an <img> and in an iframe, by a page that requires CORP (Cross-Origin-Embedder-Policy)", async () => {
    const page = await openPage(context, undefined, { colorScheme: "light" });
    const card = `${CARD_PATH}?clip_id=${EXAMPLE_CLIP_ID}`;
    // The control, an image from another origin that does not send Cross-Origin-Resource-Policy, is blocked.
    const control = `${refusedSite.origin}/pixel.svg`;
    await page.goto(
      siteUrl(allowedSite, { img: [card], iframe: [`/embed/sound/${EXAMPLE_CLIP_ID}`], coep: true, control }),
    );
    await loaded(page, "img");
    const widths = await page.$$eval("img", (images) =>
      images.map((image) => (image as HTMLImageElement).naturalWidth),
    );
    expect(widths).toEqual([480, 0]);
    const frame = page.frameLocator("#frame-0");
    await expect.poll(() => frame.locator("svg > title").textContent()).toBe("New Sun — Chihei Hatakeyama");
    await page.close();
  });

  it.each([
    { name: "the embed page", path: `/embed/sound/${EXAMPLE_CLIP_ID}`, height: 252 },
    { name: "the chart page", path: "/embed/chart?limit=5", height: chartPageHeight(5) },
  ])("has $name refused by the browser in an iframe on a site ALLOWED_ORIGINS leaves out", async (embed) => {
    const page = await openPage(context);
    const console: string[] = [];
    page.on("console", (message) => console.push(message.text()));
    await page.goto(siteUrl(refusedSite, { iframe: [embed.path], frameHeight: embed.height }));
    await expect
      .poll(() => console.join("\n"))
      .toMatch(/violates the following Content Security Policy directive: "frame-ancestors 'self' http:/);
    const frame = page.frames().find((candidate) => candidate !== page.mainFrame());
    // Nothing of the page shows (not even its oEmbed discovery link).
    expect(await frame?.locator('link[type="application/json+oembed"]').count()).toBe(0);
    await page.close();
  });

  it("is readable with JavaScript off", async () => {
    const noScript = await browser.newContext({ javaScriptEnabled: false });
    const page = await noScript.newPage();
    await page.goto(`${worker?.url}/embed/sound/${EXAMPLE_CLIP_ID}`);
    expect(await page.title()).toBe("New Sun — Chihei Hatakeyama · TikTok sound");
    const card = page.getByRole("img", { name: "New Sun — Chihei Hatakeyama" });
    expect(await card.getAttribute("aria-labelledby")).toBe("tiktok-sound-title tiktok-sound-desc");
    expect(await page.locator("svg text").first().textContent()).toBe("New Sun");
    await noScript.close();
  });

  it("is a page axe finds nothing wrong with, naming its heading, author and icons, which load", async () => {
    // A context without request routing (which turns off the cache the icons are read from); the page loads
    // nothing from elsewhere.
    const plain = await browser.newContext();
    const page = await plain.newPage();
    await page.goto(`${worker?.url}/embed/sound/${EXAMPLE_CLIP_ID}`);
    expect(await axeViolations(page)).toEqual([]);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("New Sun — Chihei Hatakeyama");
    expect(await page.locator('meta[name="author"]').getAttribute("content")).toBe("Chihei Hatakeyama");
    // Each linked icon loads in the page, under its own Content-Security-Policy.
    const icons = await page.evaluate(() =>
      Promise.all(
        [...document.querySelectorAll<HTMLLinkElement>('link[rel="icon"]')].map(
          (link) =>
            new Promise<[string, number]>((resolve) => {
              const image = new Image();
              image.onload = () => resolve([link.getAttribute("href") ?? "", image.naturalWidth]);
              image.onerror = () => resolve([link.getAttribute("href") ?? "", 0]);
              image.src = link.href;
            }),
        ),
      ),
    );
    expect(icons).toEqual([
      ["/favicon.ico", 32],
      ["/favicon.svg", expect.any(Number)],
    ]);
    expect(icons[1]?.[1]).toBeGreaterThan(0);
    const ico = await fetch(`${worker?.url}/favicon.ico`);
    expect(ico.status).toBe(200);
    expect(ico.headers.get("Content-Type")).toMatch(/^image\/(x-icon|vnd\.microsoft\.icon)$/);
    await plain.close();
  });

  it("shows the chart page in an iframe on an allowed site, as high as its limit promises", async () => {
    const page = await openPage(context, undefined, { colorScheme: "light" });
    const height = chartPageHeight(5);
    await page.goto(siteUrl(allowedSite, { iframe: ["/embed/chart?region=US&limit=5"], frameHeight: height }));
    const frame = page.frameLocator("#frame-0");
    await expect.poll(() => frame.locator("h1").textContent()).toBe("Trending sounds · US · last 7 days");
    expect(await frame.locator("ol > li").count()).toBe(5);
    const first = frame.getByRole("link", { name: "New Sun (opens in a new tab)" });
    expect(await first.getAttribute("href")).toBe(`${worker?.url}/embed/sound/${EXAMPLE_CLIP_ID}?region=US&period=7`);
    // The page fits its frame: nothing to scroll.
    expect(await frame.locator("html").evaluate((html) => [html.scrollHeight, html.scrollWidth])).toEqual([
      height,
      480,
    ]);
    await saveScreenshot(page.locator("#frame-0"), CHART_PAGE_SHOT);
    await page.close();
  });

  it("has the chart page readable with JavaScript off", async () => {
    const noScript = await browser.newContext({ javaScriptEnabled: false });
    const page = await noScript.newPage();
    await page.goto(`${worker?.url}/embed/chart?region=US&limit=3`);
    expect(await page.title()).toBe("Trending TikTok sounds in US, last 7 days");
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Trending sounds · US · last 7 days");
    const rows = page.getByRole("listitem");
    expect(await rows.count()).toBe(3);
    expect(await rows.first().getByRole("link").allTextContents()).toEqual([
      "New Sun (opens in a new tab)",
      "TikTok: New Sun — Chihei Hatakeyama (opens in a new tab)",
    ]);
    await noScript.close();
  });

  it("shows the demo page's snippets with this origin, and its live card and embed without CSP violations", async () => {
    const page = await openPage(context);
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("console", (message) => {
      if (/Content.Security.Policy|Refused/i.test(message.text())) errors.push(message.text());
    });
    await page.goto(`${worker?.url}/`);
    await loaded(page, "#anywhere ~ .embeds img");
    const snippets = await page.locator("code[data-origin]").allTextContents();
    expect(snippets[0]).toBe(
      `[![New Sun — Chihei Hatakeyama](${worker?.url}${CARD_PATH}?region=US&period=7&clip_id=${EXAMPLE_CLIP_ID})](https://www.tiktok.com/music/x-${EXAMPLE_CLIP_ID})`,
    );
    expect(snippets.join("\n")).toContain(`<iframe src="${worker?.url}/embed/sound/`);
    const frame = page.frameLocator(".embed-frame");
    await expect.poll(() => frame.locator("svg > title").textContent()).toBe("New Sun — Chihei Hatakeyama");
    expect(errors).toEqual([]);
    await page.close();
  });

  // ---- helpers -------------------------------------------------------------

  /**
   * Someone else's page: `img=<path>` and `iframe=<path>` (paths on the worker), one element each, the frames
   * 480 wide and `frameHeight` high (252, the sound page's, by default); `coep=1` sends
   * `Cross-Origin-Embedder-Policy: require-corp`, `control=<url>` adds an image from anywhere. `/pixel.svg` is an
   * image without `Cross-Origin-Resource-Policy`.
   */
  function sitePage(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://site.test");
    if (url.pathname === "/pixel.svg") {
      res.writeHead(200, { "Content-Type": "image/svg+xml" });
      res.end('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');
      return;
    }
    if (url.pathname !== "/") {
      res.writeHead(404).end();
      return;
    }
    const images = url.searchParams
      .getAll("img")
      .map((path, i) => `<img id="img-${i}" src="${worker?.url}${path.replaceAll("&", "&amp;")}" alt="card ${i}">`);
    const height = Number(url.searchParams.get("frameHeight") ?? 252);
    const frames = url.searchParams
      .getAll("iframe")
      .map(
        (path, i) =>
          `<iframe id="frame-${i}" src="${worker?.url}${path.replaceAll("&", "&amp;")}" width="480" height="${height}" title="embed ${i}"></iframe>`,
      );
    const control = url.searchParams.get("control");
    if (control) images.push(`<img id="img-${images.length}" src="${control}" alt="control">`);
    res.writeHead(200, {
      "Content-Type": "text/html; charset=utf-8",
      ...(url.searchParams.has("coep") ? { "Cross-Origin-Embedder-Policy": "require-corp" } : {}),
    });
    res.end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Someone else's page</title>
<link rel="icon" href="data:,">
<style>body{margin:0;padding:20px;background:#f6f7f9;font-family:system-ui,sans-serif}
@media (prefers-color-scheme:dark){body{background:#0e0f12}}
.row{display:flex;flex-wrap:wrap;gap:16px;align-items:start;padding:4px;max-width:1000px}
img,iframe{display:block;border:0}</style>
</head><body><div class="row">${images.join("")}${frames.join("")}</div></body></html>`);
  }
});

function siteUrl(
  site: Site,
  elements: { img?: string[]; iframe?: string[]; frameHeight?: number; coep?: boolean; control?: string },
): string {
  const params = new URLSearchParams();
  for (const path of elements.img ?? []) params.append("img", path);
  for (const path of elements.iframe ?? []) params.append("iframe", path);
  if (elements.frameHeight) params.set("frameHeight", String(elements.frameHeight));
  if (elements.coep) params.set("coep", "1");
  if (elements.control) params.set("control", elements.control);
  return `${site.origin}/?${params}`;
}

/** Every image the selector matches has loaded (or failed). */
async function loaded(page: Page, selector: string): Promise<void> {
  await page.waitForFunction(
    (selector) => {
      const images = [...document.querySelectorAll(selector)] as HTMLImageElement[];
      return images.length > 0 && images.every((image) => image.complete);
    },
    selector,
    { timeout: 10_000 },
  );
}

/** The colour on screen at (x, y) inside an element, as #rrggbb. */
async function pixel(page: Page, selector: string, x: number, y: number): Promise<string> {
  const box = await page.locator(selector).boundingBox();
  if (!box) throw new Error(`${selector} is not on screen`);
  const png = await page.screenshot({ clip: { x: box.x + x, y: box.y + y, width: 1, height: 1 } });
  return firstPixel(png);
}

/**
 * The first pixel of a PNG. For a one-pixel image every PNG filter leaves the
 * bytes as they are (there is no left or upper neighbour), so after the filter
 * byte come the pixel's red, green and blue.
 */
function firstPixel(png: Buffer): string {
  const data: Buffer[] = [];
  for (let offset = 8; offset < png.length; ) {
    const length = png.readUInt32BE(offset);
    const type = png.toString("ascii", offset + 4, offset + 8);
    if (type === "IDAT") data.push(png.subarray(offset + 8, offset + 8 + length));
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(data));
  return `#${[...raw.subarray(1, 4)].map((byte) => byte.toString(16).padStart(2, "0")).join("")}`;
}
