/** The chart-paging scenario's mix of windows: what it asks for and the upstream pages it expects to pay for. */
import { describe, expect, it } from "vitest";
import { chartPagingPlan } from "../../bench/lib/charts.ts";
import { parseOptions } from "../../bench/lib/options.ts";
import * as rules from "../../bench/lib/worker-rules.ts";

const options = parseOptions([], {});
if (options === "help") throw new Error("no options");
const plan = chartPagingPlan(options.sizes, rules);

describe("chart-paging plan (full size)", () => {
  it("spreads 1,000 windows over 20 distinct charts of the worker's regions and periods, US left out", () => {
    expect(plan.windows).toHaveLength(1000);
    expect(plan.charts).toHaveLength(20);
    expect(new Set(plan.charts.map((chart) => `${chart.region}:${chart.period}`)).size).toBe(20);
    for (const chart of plan.charts) {
      expect(rules.REGION_CODES.has(chart.region), chart.region).toBe(true);
      expect(chart.region).not.toBe("US");
      expect(rules.PERIODS).toContain(chart.period);
    }
    expect(new Set(plan.windows.map((window) => `${window.region}:${window.period}`)).size).toBe(20);
  });

  it("asks only for windows the list endpoint accepts, every limit, mostly within the top 100", () => {
    for (const window of plan.windows) {
      expect(window.limit).toBeGreaterThanOrEqual(1);
      expect(window.limit).toBeLessThanOrEqual(rules.MAX_CHART_LIMIT);
      expect(window.page).toBeGreaterThanOrEqual(1);
      expect(window.page * window.limit).toBeLessThanOrEqual(rules.MAX_CHART_DEPTH);
    }
    expect(new Set(plan.windows.map((window) => window.limit)).size).toBe(rules.MAX_CHART_LIMIT);
    const inTop = plan.windows.filter((window) => window.page * window.limit <= 100).length;
    expect(inTop).toBeGreaterThan(750);
    expect(inTop).toBeLessThan(1000);
  });

  it("expects one upstream page of 20 per distinct page the windows touch: at most 5 per chart for its top 100", () => {
    expect(plan.pageSize).toBe(20);
    const top = plan.windows.filter((window) => window.page * window.limit <= 100);
    const topPages = new Set(
      top.flatMap((window) =>
        rules.upstreamPages(window, 20).map((page) => `${window.region}:${window.period}:${page}:20`),
      ),
    );
    for (const page of topPages) expect(Number(page.split(":")[2])).toBeLessThanOrEqual(5);
    expect(topPages.size).toBeLessThanOrEqual(5 * 20);
    for (const page of plan.expectedPages) expect(page).toMatch(/^[A-Z]{2}:(7|30|120):([1-9]|10):20$/);
    // Past the mock's top 100, a page is paid for only as a window's first page (the worker skips the rest).
    const firstPages = new Set(
      plan.windows.map((window) => `${window.region}:${window.period}:${rules.upstreamPages(window, 20)[0]}:20`),
    );
    const pastTheEnd = [...plan.expectedPages].filter((page) => Number(page.split(":")[2]) > 5);
    expect(pastTheEnd.length).toBeGreaterThan(0);
    for (const page of pastTheEnd) expect(firstPages, page).toContain(page);
    // What canonical paging saves: a cache keyed on the client's window would pay for every distinct window.
    expect(plan.expectedPages.size).toBeLessThan(plan.distinctWindows / 3);
  });

  it("is the same plan every run", () => {
    expect(chartPagingPlan(options.sizes, rules)).toEqual(plan);
  });
});
