/**
 * The console's arithmetic (public/admin/plots.js), in Node: the spend rate over the last hours, the
 * projection to the reset, and the words and scales the plots use.
 */
import { describe, expect, it } from "vitest";
import { formatDuration, niceMax, percent, projectedSpend, spendRate } from "../../public/admin/plots.js";

const hour = (at: string, credits: number) => ({ hour: at, credits_spent: credits, upstream_calls: credits / 2 });

describe("the spend rate", () => {
  it("is today's credits of the last three hours over the time since the first of them began", () => {
    const hours = [
      hour("2026-11-25T09:00:00Z", 40),
      hour("2026-11-25T10:00:00Z", 6),
      hour("2026-11-25T11:00:00Z", 2),
      hour("2026-11-25T12:00:00Z", 4),
    ];
    const now = Date.parse("2026-11-25T12:30:00Z");
    expect(spendRate(hours, now)).toEqual({ creditsPerHour: 12 / 2.5, overMs: 2.5 * 3_600_000 });
    // 4.8 an hour for the 11.5 hours left: 12 + 55.2.
    expect(projectedSpend(12, 4.8, now, "2026-11-26T00:00:00Z")).toBe(67);
  });

  it("counts only today's hours just after midnight, and at least a minute", () => {
    const hours = [hour("2026-11-24T22:00:00Z", 50), hour("2026-11-24T23:00:00Z", 50), hour("2026-11-25T00:00:00Z", 2)];
    expect(spendRate(hours, Date.parse("2026-11-25T00:30:00Z"))).toEqual({ creditsPerHour: 4, overMs: 1_800_000 });
    expect(spendRate(hours, Date.parse("2026-11-25T00:00:10Z")).creditsPerHour).toBe(120);
    expect(spendRate([], Date.parse("2026-11-25T00:30:00Z"))).toEqual({ creditsPerHour: 0, overMs: 0 });
  });
});

describe("words and scales", () => {
  it.each([
    [59_000, "less than a minute"],
    [60_000, "1 min"],
    [3_600_000, "1 h 0 min"],
    [5 * 3_600_000 + 12 * 60_000 + 59_000, "5 h 12 min"],
  ])("%i ms is %s", (ms, words) => {
    expect(formatDuration(ms)).toBe(words);
  });

  it("rounds an axis up to 1, 2, 2.5 or 5 times a power of ten, and shows 2 for a plot of zeros", () => {
    expect([0, 1, 3, 6, 11, 24, 26, 40, 51, 101, 999].map(niceMax)).toEqual([
      2, 2, 5, 10, 20, 25, 50, 50, 100, 200, 1000,
    ]);
  });

  it("never rounds a share up to 100 %", () => {
    expect([percent(6, 40), percent(399, 400), percent(40, 40)]).toEqual(["15 %", "99 %", "100 %"]);
  });
});
