/**
 * The demo page passes axe-core (WCAG 2.1 A/AA and best practices) with no
 * violation, in light and dark colour schemes, with its cards in every state a
 * card can be in: loading, ready, not-found, rate-limited (with and without a
 * retry button) and error (with and without one); with the Trending now chart
 * loading, ready, empty and in error; and with search results listed.
 *
 * Without /usr/bin/chromium (or $CHROMIUM_PATH) the test is skipped, and says so; with CI set it fails instead.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { axeViolations } from "./support/axe.ts";
import {
  announceSkip,
  browserTestsRun,
  chartsSettled,
  openPage,
  SKIP_REASON,
  settled,
  useBrowserRig,
} from "./support/browser.ts";

announceSkip();
if (!browserTestsRun) it.skip(SKIP_REASON, () => {});

const SCHEMES = ["light", "dark"] as const;

describe.runIf(browserTestsRun)("the demo page is accessible (axe-core)", () => {
  const rig = useBrowserRig();
  const behave = rig.behave;
  /** A clip id no earlier step asked for, so neither the worker nor the page has it cached. */
  let clips = 0;
  const freshClip = () => `72900000000000000${String(++clips).padStart(2, "0")}`;

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

  /** Sets attributes of the Trending now chart and waits for `state`. */
  async function showInChart(page: Page, state: string, attributes: Record<string, string>) {
    await page.evaluate((attributes) => {
      const chart = document.getElementById("chart");
      for (const [name, value] of Object.entries(attributes)) chart?.setAttribute(name, value);
    }, attributes);
    await expect.poll(() => page.locator("#chart").getAttribute("state"), { timeout: 10_000 }).toBe(state);
  }

  for (const scheme of SCHEMES) {
    it(`has no violations in the ${scheme} scheme, in every card and chart state`, async () => {
      const page = await openPage(rig.context, undefined, { colorScheme: scheme });
      await page.goto(`${rig.worker.url}/`);
      await settled(page);
      await chartsSettled(page);
      const states = await page
        .locator("tiktok-sound")
        .evaluateAll((cards) => cards.map((c) => c.getAttribute("state")));
      expect(states).toEqual(["ready", "ready", "ready", "ready", "not-found"]);
      expect(await page.locator("#chart").getAttribute("state")).toBe("ready");
      const report: Record<string, string[]> = { "ready and not-found": await axeViolations(page) };

      // Search results, each with its "Use this sound".
      await page.locator("#find-q").fill("sun");
      await page.locator("#find-q").press("Enter");
      await expect.poll(() => page.locator("#results li").count()).toBeGreaterThan(1);
      report["search results"] = await axeViolations(page);

      // The chart: loading (KeyAPI is slow), empty (a search without matches), in error (an invalid region).
      await behave({ latencyMs: 4_000, times: 1 });
      await showInChart(page, "loading", { region: scheme === "light" ? "CA" : "AU" });
      report["chart loading"] = await axeViolations(page);
      await expect.poll(() => page.locator("#chart").getAttribute("state"), { timeout: 10_000 }).toBe("ready");
      await showInChart(page, "empty", { "search-keyword": "no such sound at all" });
      report["chart empty"] = await axeViolations(page);
      await showInChart(page, "error", { region: "XX" });
      report["chart error"] = await axeViolations(page);

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
        "search results": [],
        "chart loading": [],
        "chart empty": [],
        "chart error": [],
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
