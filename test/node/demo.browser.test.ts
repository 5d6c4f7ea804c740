/**
 * The demo page lets a newcomer start without a clip id (harness:
 * ./support/browser.ts; the worker under `wrangler dev` with the mock KeyAPI):
 * today's chart under "Trending now" with its pickers, a search by keyword whose
 * "Use this sound" fills the card, embed and widget snippets and their live
 * examples, a pasted TikTok music URL doing the same, and the chart snippets
 * with live examples. No CSP violation and no script error along the way.
 *
 * Without /usr/bin/chromium (or $CHROMIUM_PATH) the test is skipped, and says so; with CI set it fails instead.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { EXAMPLE_CLIP_ID } from "../../mock/keyapi.ts";
import {
  announceSkip,
  browserTestsRun,
  chartsSettled,
  openPage,
  SKIP_REASON,
  useBrowserRig,
} from "./support/browser.ts";

const LIST_PATH = "/v1/tiktok/trending/music";

announceSkip();
if (!browserTestsRun) it.skip(SKIP_REASON, () => {});

describe.runIf(browserTestsRun)("the demo page's discovery", () => {
  const rig = useBrowserRig();

  /** The demo page, with its script errors and CSP violations collected in `problems`. */
  async function demo(): Promise<{ page: Page; problems: string[]; searches: string[]; origin: string }> {
    const page = await openPage(rig.context);
    const problems: string[] = [];
    const searches: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));
    page.on("console", (message) => {
      if (/Content.Security.Policy/i.test(message.text())) problems.push(message.text());
    });
    page.on("request", (request) => {
      const url = new URL(request.url());
      if (url.pathname === LIST_PATH && url.searchParams.has("search_keyword")) searches.push(url.search);
    });
    await page.goto(`${rig.worker.url}/`);
    await chartsSettled(page);
    return { page, problems, searches, origin: rig.worker.url };
  }

  const text = (page: Page, selector: string) => page.locator(selector).textContent();

  it("shows today's chart under Trending now; the pickers change it and its snippets", async () => {
    const { page, problems, origin } = await demo();
    expect(await page.locator("#chart").getAttribute("state")).toBe("ready");
    expect(await page.locator("#chart li").first().locator(".name").textContent()).toBe("New Sun");
    expect(await page.locator("#chart li").count()).toBe(10);
    expect(await text(page, "#chart-snippet")).toContain('<tiktok-sound-chart region="US" period="7" limit="10">');

    await page.locator("#chart-period").selectOption("30");
    await expect.poll(() => page.locator("#chart .facts").textContent()).toBe("US · last 30 days");
    expect(await page.locator("#chart").getAttribute("period")).toBe("30");
    expect(await text(page, "#chart-snippet")).toContain('<tiktok-sound-chart region="US" period="30" limit="10">');
    expect(await text(page, "#chart-card-snippet")).toContain(
      `${origin}/v1/tiktok/trending/music/chart.svg?region=US&amp;period=30&amp;limit=5`,
    );

    await page.locator("#chart-region").fill("gb");
    await page.locator("#chart-region").press("Enter");
    await expect.poll(() => page.locator("#chart .facts").textContent()).toBe("GB · last 30 days");
    expect(await text(page, "#chart-snippet")).toContain('<tiktok-sound-chart region="GB" period="30" limit="10">');
    expect(await text(page, "#chart-page-snippet")).toContain(
      `${origin}/embed/chart?region=GB&amp;period=30&amp;limit=10`,
    );
    // The operator's console is one click away.
    expect(await page.locator('a[href="/admin"]').count()).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('finds a sound by keyword ("sun" finds New Sun), and "Use this sound" fills every sound snippet and example', async () => {
    const { page, problems, searches } = await demo();
    await page.locator("#find-q").fill("sun");
    await page.locator("#find-q").press("Enter");
    await expect.poll(() => page.locator("#results li").count()).toBeGreaterThan(1);
    expect(searches).toEqual(["?region=US&period=7&limit=20&search_keyword=sun"]);
    expect(await text(page, "#find-status")).toMatch(/^\d+ sounds match “sun” in US, last 7 days\.$/);
    const results = await page.locator("#results li").evaluateAll((items) =>
      items.map((item) => ({
        title: item.querySelector(".result-title")?.textContent,
        clip: item.querySelector("code")?.textContent,
        button: item.querySelector("button")?.textContent,
      })),
    );
    expect(results[0]).toEqual({
      title: "New Sun",
      clip: EXAMPLE_CLIP_ID,
      button: "Use this sound: New Sun — Chihei Hatakeyama",
    });
    for (const result of results) expect(result.title?.toLowerCase()).toContain("sun");

    // Another sound: everything that showed New Sun now shows it.
    const other = results[1] as { title: string; clip: string };
    expect(other.clip).not.toBe(EXAMPLE_CLIP_ID);
    await page.locator("#results li").nth(1).getByRole("button").click();
    await expect.poll(() => page.locator("#tried").getAttribute("clip-id")).toBe(other.clip);
    await expect.poll(() => page.locator("#tried .title").textContent(), { timeout: 10_000 }).toBe(other.title);
    expect(await text(page, "#use-status")).toContain(other.clip);
    expect(await page.locator("#try-form [name=clip-id]").inputValue()).toBe(other.clip);
    const snippet = await text(page, "#snippet");
    expect(snippet).toContain(`<tiktok-sound clip-id="${other.clip}" region="US" period="7">`);
    expect(snippet).toContain(`clip_id=${other.clip}"`);
    expect(snippet).not.toContain(EXAMPLE_CLIP_ID);
    for (const id of ["#md-snippet", "#img-snippet", "#iframe-snippet", "#link-snippet"]) {
      const code = await text(page, id);
      expect(code, id).toContain(other.clip);
      expect(code, id).not.toContain(EXAMPLE_CLIP_ID);
    }
    expect(await text(page, "#md-snippet")).toContain(`[![${other.title} — `);
    for (const id of ["#card-light", "#card-dark"]) {
      expect(await page.locator(id).getAttribute("src"), id).toContain(`clip_id=${other.clip}`);
      expect(await page.locator(id).getAttribute("alt"), id).toContain(other.title);
    }
    expect(await page.locator("#sound-frame").getAttribute("src")).toBe(
      `/embed/sound/${other.clip}?region=US&period=7`,
    );
    expect(await page.locator("#sound-link").getAttribute("href")).toBe(
      `/embed/sound/${other.clip}?region=US&period=7`,
    );

    // No match: said so, and the list is empty.
    await page.locator("#find-q").fill("zzzz");
    await page.locator("#find-q").press("Enter");
    await expect.poll(() => text(page, "#find-status")).toBe("No sounds match “zzzz” in US, last 7 days.");
    expect(await page.locator("#results li").count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("takes the clip id from a pasted TikTok music URL, with or without the slug, m. or www.", async () => {
    const { page, problems, searches } = await demo();
    await page.locator("#try-form [name=clip-id]").fill("7211111111111111111");
    await page.locator("#try-form").getByRole("button", { name: "Show" }).click();
    await expect.poll(() => page.locator("#tried").getAttribute("clip-id")).toBe("7211111111111111111");
    expect(await text(page, "#snippet")).toContain('clip-id="7211111111111111111"');

    // Pasted (used at once), and typed then searched for.
    for (const [url, how] of [
      [`https://m.tiktok.com/music/New-Sun-${EXAMPLE_CLIP_ID}/?is_from_webapp=1`, "paste"],
      [`tiktok.com/music/${EXAMPLE_CLIP_ID}`, "submit"],
      [`https://www.tiktok.com/music/${EXAMPLE_CLIP_ID}`, "paste"],
    ] as const) {
      await page.locator("#try-form [name=clip-id]").fill("7211111111111111111");
      await page.locator("#try-form").getByRole("button", { name: "Show" }).click();
      await expect.poll(() => page.locator("#tried").getAttribute("clip-id")).toBe("7211111111111111111");
      await page.locator("#find-q").fill("");
      if (how === "paste") {
        await page.locator("#find-q").evaluate((input, text) => {
          const data = new DataTransfer();
          data.setData("text/plain", text);
          input.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
        }, url);
        expect(await page.locator("#find-q").inputValue()).toBe(url);
      } else {
        await page.locator("#find-q").fill(url);
        await page.locator("#find-q").press("Enter");
      }
      await expect.poll(() => page.locator("#tried").getAttribute("clip-id")).toBe(EXAMPLE_CLIP_ID);
      expect(await text(page, "#snippet"), url).toContain(`clip-id="${EXAMPLE_CLIP_ID}"`);
      expect(await text(page, "#use-status"), url).toContain(EXAMPLE_CLIP_ID);
      await expect.poll(() => page.locator("#tried .title").textContent(), { timeout: 10_000 }).toBe("New Sun");
      // Once the card knows the sound, the snippets name it.
      await expect.poll(() => page.locator("#card-light").getAttribute("alt")).toContain("New Sun — Chihei Hatakeyama");
    }

    // A TikTok link that is not a music page is said to be one, not searched for.
    await page.locator("#find-q").fill("https://www.tiktok.com/@someone/video/7211111111111111111");
    await page.locator("#find-q").press("Enter");
    await expect.poll(() => text(page, "#find-status")).toMatch(/^That link is not a TikTok music page/);
    expect(searches).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("shows the chart card, chart page and chart element snippets, each with a live example", async () => {
    const { page, problems, origin } = await demo();
    expect(await text(page, "#chart-card-snippet")).toBe(
      `<img src="${origin}/v1/tiktok/trending/music/chart.svg?region=US&amp;period=7&amp;limit=5"\n` +
        `     width="480" height="280" alt="Trending TikTok sounds in US, last 7 days">`,
    );
    expect(await text(page, "#chart-page-snippet")).toBe(
      `<iframe src="${origin}/embed/chart?region=US&amp;period=7&amp;limit=10" width="480" height="552"\n` +
        `        title="Trending TikTok sounds in US, last 7 days" style="border:0" loading="lazy"></iframe>`,
    );
    expect(await text(page, "#chart-snippet")).toBe(
      `<script type="module" src="${origin}/widget.js"></script>\n` +
        `<tiktok-sound-chart region="US" period="7" limit="10">\n` +
        `  <a href="${origin}/embed/chart?region=US&amp;period=7&amp;limit=10"><img\n` +
        `    src="${origin}/v1/tiktok/trending/music/chart.svg?region=US&amp;period=7&amp;limit=10"\n` +
        `    width="480" height="480" loading="lazy" alt="Trending TikTok sounds in US, last 7 days"></a>\n` +
        `</tiktok-sound-chart>`,
    );
    // The element's live example is the Trending now chart.
    expect(await page.locator("#chart").getAttribute("state")).toBe("ready");
    expect(await page.locator("#chart-card").getAttribute("src")).toBe(
      "/v1/tiktok/trending/music/chart.svg?region=US&period=7&limit=5",
    );
    expect(await page.locator("#chart-frame").getAttribute("src")).toBe("/embed/chart?region=US&period=7&limit=10");

    // Both live examples load: the card at its size for five rows, the page with its ten.
    await page.locator("#chart-card").scrollIntoViewIfNeeded();
    await expect
      .poll(() =>
        page.locator("#chart-card").evaluate((image: HTMLImageElement) => [image.naturalWidth, image.naturalHeight]),
      )
      .toEqual([480, 280]);
    const frame = page.frameLocator("#chart-frame");
    await expect.poll(() => frame.locator("li").count(), { timeout: 10_000 }).toBe(10);
    expect(problems).toEqual([]);
    await page.close();
  });
});
