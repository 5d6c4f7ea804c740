import { expect, describe as group, it } from "vitest";
import { chartHeading, chartRows, movement, rowsText, trendLine } from "../../src/embed/chart-facts";
import { EXAMPLE_CHART, FIRST_SOUND } from "../support/chart";

const chart = EXAMPLE_CHART;
const first = FIRST_SOUND;
const days = (values: number[]) => values.map((value, index) => ({ date: `d${index}`, value }));

group("chartHeading", () => {
  it.each([
    [false, false, "US · last 7 days", "Trending TikTok sounds in US, last 7 days"],
    [true, false, "US · last 7 days · new to top 100", "Trending TikTok sounds in US, last 7 days, new to top 100"],
    [false, true, "US · last 7 days · commercial", "Trending TikTok sounds in US, last 7 days, commercial"],
    [
      true,
      true,
      "US · last 7 days · new to top 100 · commercial",
      "Trending TikTok sounds in US, last 7 days, new to top 100, commercial",
    ],
  ])("new_to_top_100=%s, commercial_music=%s → %s", (newToTop100, commercial, facts, label) => {
    const heading = chartHeading({ ...chart, new_to_top_100: newToTop100, commercial_music: commercial });
    expect(heading).toEqual({ title: "Trending sounds", facts, text: `Trending sounds · ${facts}`, label });
  });
});

group("movement", () => {
  it.each([
    [3, "▲3", "up 3 places"],
    [1, "▲1", "up 1 place"],
    [-1, "▼1", "down 1 place"],
    [-12, "▼12", "down 12 places"],
    [0, "–", "no change"],
    [-0, "–", "no change"],
    [null, "", ""],
    [2.5, "", ""],
    [Number.NaN, "", ""],
    [Number.POSITIVE_INFINITY, "", ""],
    [1e300, "", ""],
  ])("rank_diff %s → %j", (rankDiff, symbol, words) => {
    expect(movement(rankDiff)).toEqual({ symbol, words });
  });
});

group("trendLine", () => {
  it("scales to the peak (0–100), oldest first", () => {
    expect(trendLine(first.trend)).toEqual([6, 5, 31, 30, 10, 36, 100]);
    expect(trendLine([])).toEqual([]);
    expect(trendLine(days([0, 0]))).toEqual([0, 0]);
  });

  it("ignores what is not a finite, positive value", () => {
    expect(trendLine(days([Number.NaN, -5, 2, Number.POSITIVE_INFINITY, 4]))).toEqual([0, 0, 50, 0, 100]);
  });

  it("keeps at most 30 points, each the highest of its run, however long the trend", () => {
    expect(trendLine(days(Array.from({ length: 30 }, (_, i) => i + 1)))).toHaveLength(30);
    const long = trendLine(days(Array.from({ length: 31 }, (_, i) => (i === 30 ? 10 : 1))));
    expect(long).toEqual([...Array.from({ length: 15 }, () => 10), 100]);
    // A trend far beyond any period: one pass, no call with a spread argument list.
    const huge = trendLine(days(Array.from({ length: 200_000 }, (_, i) => (i === 123_456 ? 9 : 1))));
    expect(huge).toHaveLength(30);
    expect(huge.filter((value) => value === 100)).toHaveLength(1);
  });
});

group("chartRows", () => {
  it("reads each sound as a row: rank, movement, cleaned text, trend, links", () => {
    const [row] = chartRows(chart, 1);
    expect(row).toEqual({
      rank: 1,
      movement: { symbol: "–", words: "no change" },
      title: "New Sun",
      author: "Chihei Hatakeyama",
      label: "New Sun — Chihei Hatakeyama",
      line: "1. New Sun — Chihei Hatakeyama",
      trend: [6, 5, 31, 30, 10, 36, 100],
      clipId: "6703723351497508865",
      link: "https://www.tiktok.com/music/x-6703723351497508865",
      cover: "https://p16-sg.tiktokcdn.com/aweme/720x720/tos-alisg-v-2774/ocjWmiaBw4AAcY8ifAzsAAB5EQd8FDEDsu3Awo.jpeg",
    });
  });

  it("stands in for missing text, and builds no link from what is not a clip id", () => {
    const [row] = chartRows(
      { ...chart, sounds: [{ ...first, title: " \u202E ", author: null, clip_id: "1/../2", link: null, cover: "x" }] },
      1,
    );
    expect(row).toMatchObject({ title: "Untitled sound", author: null, label: "Untitled sound", clipId: null });
    expect(row?.link).toBeNull();
    expect(row?.cover).toBeNull();
  });

  it("takes the position in the chart when the rank is unusable, counting from the client's window", () => {
    const window = {
      ...chart,
      page: 3,
      limit: 5,
      sounds: [
        { ...first, rank: null },
        { ...first, rank: 0 },
      ],
    };
    expect(chartRows(window, 5).map((row) => row.rank)).toEqual([11, 12]);
    expect(chartRows(chart, 3).map((row) => row.line)).toEqual([
      "1. New Sun — Chihei Hatakeyama",
      "2. Midnight Drift — Mira Sol",
      "3. Echo Hearts — The Quiet Hours",
    ]);
  });

  it("says the rows as one text, or that there are none", () => {
    expect(rowsText(chartRows(chart, 2), "; ")).toBe("1. New Sun — Chihei Hatakeyama; 2. Midnight Drift — Mira Sol");
    expect(rowsText([], "; ")).toBe("No sounds in this chart right now.");
  });
});
