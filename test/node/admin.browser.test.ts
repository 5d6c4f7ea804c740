/**
 * The operator console (`/admin`) in Chromium, against the worker under
 * `wrangler dev` and the mock KeyAPI: the token asked for once (and again
 * after a wrong one), the plots drawn with the ledger's numbers (read from
 * their text alternatives and their geometry), the keys (a sound's and a
 * chart's) linking to their card and embed page, the warm lists, the disabled state, keyboard use, its CSP, and axe in light
 * and dark. Takes docs/admin.png for the README when it is missing or
 * `UPDATE_SCREENSHOTS=1` is set.
 *
 * Without /usr/bin/chromium (or $CHROMIUM_PATH) the test is skipped, and says so; with CI set it fails instead.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningMock, startMockServer } from "../../mock/server.ts";
import { axeViolations } from "./support/axe.ts";
import {
  announceSkip,
  browserTestsRun,
  launchBrowser,
  newLoopbackContext,
  openPage,
  type RunningWorker,
  SKIP_REASON,
  saveScreenshot,
  screenshotWanted,
  startWorker,
} from "./support/browser.ts";

const SCREENSHOT = new URL("../../docs/admin.png", import.meta.url);
const ADMIN_TOKEN = "console-test-token-0123456789";
const SOUND_PATH = "/v1/tiktok/trending/music/detail";
const CHART_PATH = "/v1/tiktok/trending/music";
const CLIPS = ["6703723351497508865", "7300000000000000001", "7300000000000000002"];
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

announceSkip();
if (!browserTestsRun) it.skip(SKIP_REASON, () => {});

describe.runIf(browserTestsRun)("the operator console in Chromium", () => {
  let mock: RunningMock;
  let worker: RunningWorker | undefined;
  let disabled: RunningWorker | undefined;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    mock = await startMockServer();
    [worker, disabled] = await Promise.all([
      // A warm chart, and no warm sound (WARM_CLIP_IDS is empty): the cron does not run under wrangler dev.
      startWorker({
        vars: { KEYAPI_BASE_URL: mock.url, ADMIN_TOKEN, CREDIT_BUDGET_PER_DAY: "40", WARM_CHARTS: "US:7" },
      }),
      startWorker({ vars: { KEYAPI_BASE_URL: mock.url } }),
    ]);
    // Three sounds, the first asked twice (the second time a hit), the last in GB, and a filtered chart:
    // 4 calls, 8 credits.
    for (const path of [
      `${SOUND_PATH}?clip_id=${CLIPS[0]}`,
      `${SOUND_PATH}?clip_id=${CLIPS[0]}`,
      `${SOUND_PATH}?clip_id=${CLIPS[1]}&period=30`,
      `${SOUND_PATH}?clip_id=${CLIPS[2]}&region=gb`,
      `${CHART_PATH}?region=GB&period=30&new_to_top_100=true`,
    ]) {
      expect((await fetch(`${worker.url}${path}`)).status).toBe(200);
    }
    expect(mock.mock.stats.calls).toBe(4);
    browser = await launchBrowser();
    context = await newLoopbackContext(browser, { viewport: { width: 1000, height: 900 } });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([worker?.stop(), disabled?.stop()]);
    await mock?.close();
  }, 20_000);

  /**
   * A page that records CSP violations and script errors. The refusals the page is built to handle (401 for
   * a wrong or missing token, 503 where the console is disabled) are Chromium's console errors too: not these.
   */
  async function consolePage(scheme: "light" | "dark" = "light") {
    const page = await openPage(context, undefined, { colorScheme: scheme });
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("console", (message) => {
      const text = message.text();
      if (/^Failed to load resource: the server responded with a status of (401|503) /.test(text)) return;
      if (message.type() === "error" || /Content.Security.Policy|Refused/i.test(text)) errors.push(text);
    });
    return { page, errors };
  }

  async function signIn(page: Page, token: string) {
    await page.locator("#token").waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("token");
    await page.keyboard.type(token);
    await page.keyboard.press("Enter");
  }

  const desc = (page: Page, id: string) => page.locator(`#${id} > desc`).textContent();

  it("asks for the token once, says when it is wrong, then draws today's spend, 30 days and the keys", async () => {
    const { page, errors } = await consolePage();
    const response = await page.goto(`${worker?.url}/admin`);
    expect(response?.headers()["content-security-policy"]).toBe(CSP);
    expect(response?.headers()["x-frame-options"]).toBe("DENY");

    // A wrong token: a clear message, and the prompt again (empty, focused).
    await signIn(page, "not-the-admin-token-000");
    await expect
      .poll(() => page.locator("#sign-in-message").textContent())
      .toBe("That token was not accepted. Check the deployment's ADMIN_TOKEN and enter it again.");
    expect(await page.locator("#sign-in").isVisible()).toBe(true);
    expect(await page.locator("#console").isVisible()).toBe(false);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);

    await signIn(page, ADMIN_TOKEN);
    await page.locator("#console").waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("today-title");
    expect(await page.locator("#sign-in").isVisible()).toBe(false);

    // Today: 8 of 40 credits, the bar filled to 8/40 of its 600 units.
    expect(await desc(page, "today-spend")).toMatch(
      /^8 of 40 credits spent today \(20 %\), 32 left\. Projected by the reset: \d+(, more than the budget: calls stop at 40)?\.$/,
    );
    expect(await page.locator("#today-spend rect.fill").getAttribute("width")).toBe("120");
    expect(await page.locator("#today-figures").textContent()).toContain("8 credits (4 KeyAPI calls)");
    expect(await desc(page, "hours-spend")).toMatch(/^24 hours from \d\d:00 to \d\d:00 UTC: 8 credits in all; most/);

    // The last 30 days: one day with spend, the budget as a line; the outcomes, all answered.
    const today = new Date().toISOString().slice(0, 10);
    const todayShort = new Date().toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });
    expect(await desc(page, "days-spend")).toMatch(
      new RegExp(
        `^30 days from .+ to ${todayShort}: 8 credits in all; most on ${todayShort}, 8\\. Budget: 40 a day\\.$`,
      ),
    );
    expect(await page.locator("#days-spend rect.bar").count()).toBe(1);
    expect(await page.locator("#days-spend line.budget").count()).toBe(1);
    expect(await desc(page, "days-outcomes")).toBe(
      "Calls over 30 days by outcome: 2xx 4, 4xx 0, 5xx 0, none 0, unknown 0.",
    );
    expect(await page.locator("#days-outcomes rect.o-2xx").count()).toBe(1);
    const lastDay = await page.locator("#days-table tbody tr").last().locator("td").allTextContents();
    expect(lastDay).toEqual([today, "8", "4", "4", "0", "0", "0", "0"]);

    // The keys, each linking to its card and embed page (region first), which serve it from the cache.
    const rows = page.locator("#keys tbody tr");
    expect(await rows.count()).toBe(4);
    const keys = await rows.evaluateAll((trs) => trs.map((tr) => tr.querySelectorAll("td")[1]?.textContent));
    expect(keys.sort()).toEqual([`${CLIPS[0]}:7:US`, `${CLIPS[1]}:30:US`, `${CLIPS[2]}:7:GB`, "GB:30:1:20:new"].sort());
    const hrefs = async (key: string) =>
      Object.fromEntries(
        await rows
          .filter({ hasText: key })
          .getByRole("link")
          .evaluateAll((links) => links.map((link) => [link.textContent, link.getAttribute("href")])),
      );
    expect(await hrefs(`${CLIPS[2]}:7:GB`)).toEqual({
      card: `/v1/tiktok/trending/music/card.svg?region=GB&period=7&clip_id=${CLIPS[2]}`,
      "embed page": `/embed/sound/${CLIPS[2]}?region=GB&period=7`,
    });
    const chart = "region=GB&period=30&new_to_top_100=true";
    expect(await hrefs("GB:30:1:20:new")).toEqual({
      card: `/v1/tiktok/trending/music/chart.svg?${chart}`,
      "embed page": `/embed/chart?${chart}`,
      JSON: `/v1/tiktok/trending/music?${chart}`,
    });
    for (const href of [
      ...Object.values(await hrefs(`${CLIPS[2]}:7:GB`)),
      ...Object.values(await hrefs("GB:30:1:20:new")),
    ]) {
      const res = await page.request.get(`${worker?.url}${href}`);
      expect([href, res.status(), res.headers()["x-cache"]]).toEqual([href, 200, "HIT"]);
    }
    expect(mock.mock.stats.calls).toBe(4);

    // The configuration that decides spend.
    const config = await page.locator("#config").textContent();
    expect(config).toContain("Daily budget40 credits");
    expect(config).toContain("Fresh for1 h");
    expect(config).toContain(
      "Kept warm by the croncharts US:7 (page 1 of each): about 1 KeyAPI call (2 credits) per freshness window",
    );
    expect(config).toContain("A chart page from KeyAPI20 sounds, one call");
    expect(config).toContain("Budget alertsoff (no ALERT_WEBHOOK_URL)");

    // Kept in this tab's session storage only: not in the URL, not in a cookie.
    expect(await page.evaluate((key) => sessionStorage.getItem(key), "tiktok-sound-edge:admin-token")).toBe(
      ADMIN_TOKEN,
    );
    expect(page.url()).toBe(`${worker?.url}/admin`);
    expect(await page.evaluate(() => document.cookie)).toBe("");

    // Asked once: a reload goes straight to the figures.
    await page.reload();
    await page.locator("#console").waitFor();
    expect(await page.locator("#sign-in").isVisible()).toBe(false);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("is usable from the keyboard: every control and link is reached with Tab", async () => {
    const { page } = await consolePage();
    await page.goto(`${worker?.url}/admin`);
    await signIn(page, ADMIN_TOKEN);
    await page.locator("#console").waitFor();
    const reached = new Set<string>();
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press("Tab");
      reached.add(
        await page.evaluate(() => {
          const active = document.activeElement;
          return `${active?.tagName.toLowerCase()}:${active?.textContent?.trim()}`;
        }),
      );
    }
    expect([...reached]).toEqual(
      expect.arrayContaining([
        "button:Refresh",
        "button:Forget the token",
        "summary:The numbers, hour by hour",
        "summary:The numbers, day by day",
        "a:card",
        "a:embed page",
        "a:JSON",
      ]),
    );
    // "Forget the token" asks for it again.
    await page.getByRole("button", { name: "Forget the token" }).press("Enter");
    await page.locator("#sign-in").waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await page.close();
  });

  for (const scheme of ["light", "dark"] as const) {
    it(`has no axe violations in the ${scheme} scheme, asking for the token and showing the figures`, async () => {
      const { page, errors } = await consolePage(scheme);
      await page.goto(`${worker?.url}/admin`);
      await page.locator("#token").waitFor();
      const report: Record<string, string[]> = { "token prompt": await axeViolations(page) };
      await signIn(page, "not-the-admin-token-000");
      await page.locator("#sign-in-message").filter({ hasText: "not accepted" }).waitFor();
      report["wrong token"] = await axeViolations(page);
      await signIn(page, ADMIN_TOKEN);
      await page.locator("#console").waitFor();
      for (const details of await page.locator("details").all()) await details.locator("summary").click();
      report.console = await axeViolations(page);
      expect(report).toEqual({ "token prompt": [], "wrong token": [], console: [] });
      expect(errors).toEqual([]);
      // Its dates and hours change with every run: retaken only when asked for (or missing).
      if (scheme === "light" && screenshotWanted(SCREENSHOT)) {
        for (const details of await page.locator("details").all()) await details.locator("summary").click();
        await saveScreenshot(page, SCREENSHOT, { fullPage: true });
      }
      await page.close();
    });
  }

  it("says the console is disabled, and how to enable it, where ADMIN_TOKEN is not set", async () => {
    const { page, errors } = await consolePage();
    await page.goto(`${disabled?.url}/admin`);
    await page.locator("#disabled").waitFor();
    expect(await page.locator("#disabled").textContent()).toContain("npx wrangler secret put ADMIN_TOKEN");
    expect(await page.locator("#sign-in").isVisible()).toBe(false);
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
