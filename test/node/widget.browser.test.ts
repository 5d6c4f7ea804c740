/**
 * The widget in a real browser: Debian's Chromium driven by playwright-core,
 * the worker under `wrangler dev` talking to the mock KeyAPI, and pages
 * served from other origins that embed the widget, one allowed and one not.
 *
 * Without /usr/bin/chromium (or $CHROMIUM_PATH) the test is skipped, and says so; with CI set it fails instead.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXAMPLE_CLIP_ID } from "../../mock/keyapi.ts";
import { type RunningMock, startMockServer } from "../../mock/server.ts";
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
  settled,
  startSite,
  startWorker,
} from "./support/browser.ts";

const SCREENSHOT = new URL("../../docs/widget.png", import.meta.url);
const MISSING_CLIP_ID = "4040000000000000001";
const SOUND_PATH = "/v1/tiktok/trending/music/detail";

announceSkip();
if (!browserTestsRun) it.skip(SKIP_REASON, () => {});

describe.runIf(browserTestsRun)("the widget in Chromium", () => {
  let mock: RunningMock;
  let worker: RunningWorker | undefined;
  let workerUrl: string;
  let allowedSite: Site;
  let refusedSite: Site;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    mock = await startMockServer();
    allowedSite = await startSite(embeddingPage);
    refusedSite = await startSite(embeddingPage);
    worker = await startWorker({ vars: { KEYAPI_BASE_URL: mock.url, ALLOWED_ORIGINS: allowedSite.origin } });
    workerUrl = worker.url;
    browser = await launchBrowser();
    // One context (fresh profile) for all tests: a new one per test costs about a second here.
    context = await newLoopbackContext(browser, { mockUrl: mock.url });
  }, 45_000);

  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
    await Promise.all([mock?.close(), allowedSite?.close(), refusedSite?.close()]);
  }, 20_000);

  it("renders the documented example on another site, sharing one request per sound, and shows not-found", async () => {
    const page = await newPage();
    const apiRequests: string[] = [];
    page.on("request", (request) => {
      if (request.url().includes(SOUND_PATH)) apiRequests.push(request.url());
    });
    const cards = [
      `${EXAMPLE_CLIP_ID}:US:7`,
      "7211111111111111111:GB:30",
      `${MISSING_CLIP_ID}:US:7`,
      `${EXAMPLE_CLIP_ID}:US:7`,
    ];
    await page.goto(pageUrl(allowedSite, cards));
    await settled(page);

    expect(await page.locator("#card-0").getAttribute("state")).toBe("ready");
    await expect.poll(() => page.locator("#card-0 .title").textContent()).toBe("New Sun");
    expect(await page.locator("#card-0 .author").textContent()).toBe("Chihei Hatakeyama");
    const points = (await page.locator("#card-0 polyline").getAttribute("points"))?.trim().split(/\s+/);
    expect(points).toHaveLength(7);
    expect(await page.locator("#card-0 figcaption").textContent()).toMatch(/^Over 7 days .* rose from 6 to 100/);
    expect(await page.locator("#card-0 img").getAttribute("alt")).toBe("Cover art of New Sun by Chihei Hatakeyama");
    expect(await page.locator("#card-0 .countries li").count()).toBe(3);
    expect(await page.locator("#card-0 .interests li").first().textContent()).toBe("Scripted Drama");

    // The TikTok link is the first thing Tab reaches.
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => {
      const card = document.activeElement;
      const link = card?.shadowRoot?.activeElement;
      return { card: card?.id, href: link?.getAttribute("href"), text: link?.textContent };
    });
    expect(focused).toEqual({
      card: "card-0",
      href: `https://www.tiktok.com/music/x-${EXAMPLE_CLIP_ID}`,
      text: "Listen on TikTok: New Sun by Chihei Hatakeyama (opens in a new tab)",
    });

    expect(await page.locator("#card-1").getAttribute("state")).toBe("ready");
    expect(await page.locator("#card-2").getAttribute("state")).toBe("not-found");
    expect(await page.locator("#card-2 .title").textContent()).toBe("Sound not found");
    expect(await page.locator("#card-3 .title").textContent()).toBe("New Sun");
    // Two cards show the example; the page asked for it once.
    expect(apiRequests.filter((url) => url.includes(`clip_id=${EXAMPLE_CLIP_ID}`))).toHaveLength(1);

    await page.evaluate(() => {
      document.getElementById("card-3")?.remove();
      (document.activeElement as HTMLElement | null)?.blur();
    });
    await saveScreenshot(page.locator(".cards"), SCREENSHOT, { animations: "disabled" });
    await page.close();
  });

  it("re-renders when an attribute or property changes", async () => {
    const page = await newPage();
    await page.goto(pageUrl(allowedSite, [`${EXAMPLE_CLIP_ID}:US:7`]));
    await settled(page);
    await page.evaluate(() => document.getElementById("card-0")?.setAttribute("period", "30"));
    await expect
      .poll(() =>
        page
          .locator("#card-0 polyline")
          .getAttribute("points")
          .then((p) => p?.trim().split(/\s+/).length),
      )
      .toBe(30);
    // Properties reflect to attributes.
    await page.evaluate(() => {
      const card = document.getElementById("card-0") as HTMLElement & { clipId: string };
      card.clipId = "4040000000000000002";
    });
    await expect.poll(() => page.locator("#card-0").getAttribute("state")).toBe("not-found");
    expect(await page.locator("#card-0").getAttribute("clip-id")).toBe("4040000000000000002");
    await page.close();
  });

  it("shows the rate-limited state with KeyAPI's Retry-After", async () => {
    await fetch(`${mock.url}/__mock/behaviour`, {
      method: "POST",
      body: JSON.stringify({ mode: "status", status: 429, retryAfter: 30, times: 1 }),
    });
    const page = await newPage();
    await page.goto(pageUrl(allowedSite, ["7233333333333333333:US:7"]));
    await settled(page);
    expect(await page.locator("#card-0").getAttribute("state")).toBe("rate-limited");
    expect(await page.locator("#card-0 .detail").textContent()).toBe(
      "The sound service is busy. Trying again in 30 s.",
    );
    await page.close();
  });

  it("is refused by the browser (CORS) on a site that ALLOWED_ORIGINS leaves out, and says so", async () => {
    const page = await newPage();
    const console: string[] = [];
    const failed: string[] = [];
    page.on("console", (message) => console.push(message.text()));
    page.on("requestfailed", (request) => failed.push(request.url()));
    await page.goto(pageUrl(refusedSite, [`${EXAMPLE_CLIP_ID}:US:7`]));
    await settled(page);

    // The widget itself loaded cross-origin (it set its state); its API request did not get through.
    expect(await page.locator("#card-0").getAttribute("state")).toBe("error");
    expect(await page.locator("#card-0 .title").textContent()).toBe("Couldn't load this sound");
    expect(await page.locator("#card-0 .detail").textContent()).toMatch(/does not accept requests from this site/);
    expect(await page.locator("#card-0 button").textContent()).toBe("Try again");
    expect(
      failed.some((url) => url.includes(SOUND_PATH)),
      failed.join("\n"),
    ).toBe(true);
    expect(console.join("\n")).toMatch(/blocked by CORS policy/);
    await page.close();
  });

  it("shows the fallback, a link with the card image, when JavaScript is off", async () => {
    const noScript = await browser.newContext({ javaScriptEnabled: false });
    const page = await noScript.newPage();
    await page.goto(pageUrl(allowedSite, [`${EXAMPLE_CLIP_ID}:US:7`, "7211111111111111111:GB:30"], { fallback: true }));
    await page.waitForFunction(() => [...document.images].every((image) => image.complete), null, { timeout: 10_000 });
    const fallbacks = await page.$$eval("tiktok-sound", (cards) =>
      cards.map((card) => {
        const link = card.querySelector("a");
        const image = link?.querySelector("img");
        return {
          href: link?.href,
          natural: [image?.naturalWidth, image?.naturalHeight],
          shown: image?.checkVisibility(),
        };
      }),
    );
    expect(fallbacks).toEqual([
      { href: `https://www.tiktok.com/music/x-${EXAMPLE_CLIP_ID}`, natural: [480, 220], shown: true },
      { href: "https://www.tiktok.com/music/x-7211111111111111111", natural: [480, 220], shown: true },
    ]);
    const link = page.getByRole("link", { name: "New Sun — Chihei Hatakeyama, a trending TikTok sound" });
    expect(await link.count()).toBe(1);
    await noScript.close();
  });

  it("replaces the fallback with the card once the widget runs", async () => {
    const page = await newPage();
    await page.goto(pageUrl(allowedSite, [`${EXAMPLE_CLIP_ID}:US:7`], { fallback: true }));
    await settled(page);
    expect(await page.locator("#card-0").getAttribute("state")).toBe("ready");
    expect(await page.locator("#card-0 .title").textContent()).toBe("New Sun");
    // Still in the page's DOM, but neither drawn nor in the accessibility tree: the only link is the card's own.
    expect(await page.$eval("#card-0 > a", (link) => link.checkVisibility())).toBe(false);
    const links = page.getByRole("link");
    expect(await links.count()).toBe(1);
    expect(await links.first().textContent()).toBe(
      "Listen on TikTok: New Sun by Chihei Hatakeyama (opens in a new tab)",
    );
    await page.close();
  });

  it("serves the demo page with working cards, a snippet naming its origin and no CSP violations", async () => {
    const page = await newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("console", (message) => {
      if (/Content.Security.Policy/i.test(message.text())) errors.push(message.text());
    });
    await page.goto(`${workerUrl}/`);
    await settled(page);
    expect(await page.locator(`tiktok-sound[clip-id="${EXAMPLE_CLIP_ID}"]`).first().getAttribute("state")).toBe(
      "ready",
    );
    expect(await page.locator(`tiktok-sound[clip-id="${MISSING_CLIP_ID}"]`).getAttribute("state")).toBe("not-found");
    const snippet = await page.locator("#snippet").textContent();
    expect(snippet).toContain(`<script type="module" src="${workerUrl}/widget.js">`);
    // The fallback for readers without JavaScript: the card as an image, from this origin.
    expect(snippet).toContain(
      `<img\n    src="${workerUrl}/v1/tiktok/trending/music/card.svg?region=US&amp;period=7&amp;clip_id=${EXAMPLE_CLIP_ID}"`,
    );
    expect(errors).toEqual([]);
    await page.close();
  });

  // ---- helpers -------------------------------------------------------------

  /**
   * A page on someone else's site: `?card=clip:region:period` once per card; `fallback=1` puts the README's
   * fallback (a link to TikTok with the card image) inside each.
   */
  function embeddingPage(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://page.test");
    if (url.pathname !== "/") {
      res.writeHead(404).end();
      return;
    }
    const fallback = url.searchParams.has("fallback");
    const cards = url.searchParams.getAll("card").map((card, i) => {
      const [clipId, region, period] = card.split(":");
      const inside = fallback
        ? `<a href="https://www.tiktok.com/music/x-${clipId}"><img src="${workerUrl}/v1/tiktok/trending/music/card.svg` +
          `?region=${region}&amp;period=${period}&amp;clip_id=${clipId}" width="480" height="220" loading="lazy" ` +
          `alt="${clipId === EXAMPLE_CLIP_ID ? "New Sun — Chihei Hatakeyama" : "A sound"}, a trending TikTok sound"></a>`
        : "";
      return `<tiktok-sound id="card-${i}" clip-id="${clipId}" region="${region}" period="${period}">${inside}</tiktok-sound>`;
    });
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Someone else's page</title>
<link rel="icon" href="data:,">
<script type="module" src="${workerUrl}/widget.js"></script>
<style>body{margin:0;padding:24px;background:#f6f7f9;font-family:system-ui,sans-serif}
.cards{display:grid;grid-template-columns:repeat(3,340px);gap:20px;align-items:start;padding:4px}</style>
</head><body><div class="cards">${cards.join("\n")}</div></body></html>`);
  }

  const newPage = (): Promise<Page> => openPage(context);
});

function pageUrl(site: Site, cards: string[], options: { fallback?: boolean } = {}): string {
  const query = cards.map((card) => `card=${encodeURIComponent(card)}`);
  if (options.fallback) query.push("fallback=1");
  return `${site.origin}/?${query.join("&")}`;
}
