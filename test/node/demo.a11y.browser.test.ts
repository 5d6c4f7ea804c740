/**
 * The demo page passes axe-core (WCAG 2.1 A/AA and best practices) with no
 * violation, in light and dark colour schemes, with its cards in every state a
 * card can be in: loading, ready, not-found, rate-limited (with and without a
 * retry button) and error (with and without one).
 *
 * Without /usr/bin/chromium (or $CHROMIUM_PATH) the test is skipped, and says so; with CI set it fails instead.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MockBehaviour } from "../../mock/keyapi.ts";
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
  settled,
  startWorker,
} from "./support/browser.ts";

announceSkip();
if (!browserTestsRun) it.skip(SKIP_REASON, () => {});

const SCHEMES = ["light", "dark"] as const;

describe.runIf(browserTestsRun)("the demo page is accessible (axe-core)", () => {
  let mock: RunningMock;
  let worker: RunningWorker | undefined;
  let browser: Browser;
  let context: BrowserContext;
  /** A clip id no earlier step asked for, so neither the worker nor the page has it cached. */
  let clips = 0;
  const freshClip = () => `72900000000000000${String(++clips).padStart(2, "0")}`;

  beforeAll(async () => {
    mock = await startMockServer();
    worker = await startWorker({ vars: { KEYAPI_BASE_URL: mock.url } });
    browser = await launchBrowser();
    context = await newLoopbackContext(browser, { mockUrl: mock.url });
  }, 45_000);

  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
    await mock?.close();
  }, 20_000);

  async function behave(behaviour: MockBehaviour) {
    await fetch(`${mock.url}/__mock/behaviour`, { method: "POST", body: JSON.stringify(behaviour) });
  }

  /** Points the demo's "Try a clip" card at `clip` (and `region`) and waits for `state`. */
  async function showInTriedCard(page: Page, state: string, clip: string, region = "US") {
    await page.evaluate(
      ([clipId, regionCode]) => {
        const card = document.getElementById("tried");
        card?.setAttribute("region", regionCode as string);
        card?.setAttribute("clip-id", clipId as string);
      },
      [clip, region],
    );
    await expect.poll(() => page.locator("#tried").getAttribute("state"), { timeout: 10_000 }).toBe(state);
  }

  for (const scheme of SCHEMES) {
    it(`has no violations in the ${scheme} scheme, in every card state`, async () => {
      const page = await openPage(context, undefined, { colorScheme: scheme });
      await page.goto(`${worker?.url}/`);
      await settled(page);
      const states = await page
        .locator("tiktok-sound")
        .evaluateAll((cards) => cards.map((c) => c.getAttribute("state")));
      expect(states).toEqual(["ready", "ready", "ready", "not-found", "ready"]);
      const report: Record<string, string[]> = { "ready and not-found": await axeViolations(page) };

      // Loading: KeyAPI is slow; the audit runs while the card waits.
      await behave({ latencyMs: 4_000, times: 1 });
      await showInTriedCard(page, "loading", freshClip());
      report.loading = await axeViolations(page);
      await expect.poll(() => page.locator("#tried").getAttribute("state"), { timeout: 10_000 }).toBe("ready");

      // Rate-limited with an automatic retry (a short Retry-After) and with a button (a long one).
      await behave({ mode: "status", status: 429, retryAfter: 30, times: 1 });
      await showInTriedCard(page, "rate-limited", freshClip());
      report["rate-limited, retrying"] = await axeViolations(page);
      await behave({ mode: "status", status: 429, retryAfter: 900, times: 1 });
      await showInTriedCard(page, "rate-limited", freshClip());
      expect(await page.locator("#tried button").count()).toBe(1);
      report["rate-limited, with a button"] = await axeViolations(page);

      // Errors: one the service can recover from (a button) and one from the card's own attributes (none).
      await behave({ mode: "status", status: 500, times: 2 });
      await showInTriedCard(page, "error", freshClip());
      expect(await page.locator("#tried button").count()).toBe(1);
      report["error, with a button"] = await axeViolations(page);
      await showInTriedCard(page, "error", freshClip(), "XX");
      expect(await page.locator("#tried button").count()).toBe(0);
      report["error, no button"] = await axeViolations(page);

      expect(report).toEqual({
        "ready and not-found": [],
        loading: [],
        "rate-limited, retrying": [],
        "rate-limited, with a button": [],
        "error, with a button": [],
        "error, no button": [],
      });
      await page.close();
    });
  }
});
