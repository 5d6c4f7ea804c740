/**
 * The list endpoint's declaration (src/endpoints/list.ts): KeyAPI's `data` to
 * the page every tier stores, its upstream parameters and its key. Through
 * HTTP: test/routes/chart.*.test.ts.
 */
import { expect, describe as group, it } from "vitest";
import type { ChartPageQuery } from "../../src/domain/chart";
import { chartPageSchema, chartSoundSchema } from "../../src/domain/chart";
import { ANSWER_LIMITS } from "../../src/domain/limits";
import { ProblemError } from "../../src/domain/problems";
import { listEndpoint } from "../../src/endpoints/list";
import { parseJsonKeepingBigIntegers } from "../../src/keyapi/json";
import { bareSound, chartRow, EXAMPLE_DATA, EXAMPLE_ROW, EXAMPLE_SOUND, keyApiJson } from "../support/charts";
import { LONG_TREND, UNORDERED_TREND } from "../support/trends";

const QUERY: ChartPageQuery = {
  region: "US",
  period: 7,
  newToTop100: false,
  commercialMusic: false,
  searchKeyword: null,
  page: 1,
  pageSize: 20,
};
const fetchedAt = new Date("2026-11-29T18:00:00.000Z");

/** KeyAPI's `data` as the client reads it off the wire (bare 64-bit numbers kept exact), trimmed. */
function trim(data: unknown, query: Partial<ChartPageQuery> = {}) {
  const parsed = parseJsonKeepingBigIntegers(keyApiJson(data)) as Record<string, unknown> | null;
  const trimmed = listEndpoint.trim(parsed, { ...QUERY, ...query }, fetchedAt);
  if (!trimmed.found) throw new Error("a list page is always found");
  return chartPageSchema.parse(trimmed.payload);
}

/** The one row of a page holding `row` alone. */
const trimRow = (row: unknown) => trim({ pagination: null, sound_list: [row] }).sounds[0];

function refusalOf(data: unknown) {
  try {
    trim(data);
  } catch (error) {
    if (error instanceof ProblemError) return { kind: error.kind, blame: error.blame, detail: error.detail };
    throw error;
  }
  throw new Error("accepted");
}

group("the documented example", () => {
  it("becomes our row exactly, with KeyAPI's total and has_more", () => {
    expect(trim(EXAMPLE_DATA)).toEqual({ total: 99, has_more: true, sounds: [EXAMPLE_SOUND] });
  });

  it("writes the row's fields in the documented order, and no others", () => {
    const [sound] = trim(EXAMPLE_DATA).sounds;
    expect(Object.keys(sound ?? {})).toEqual(Object.keys(EXAMPLE_SOUND));
    expect(Object.keys(chartSoundSchema.shape)).toEqual(Object.keys(EXAMPLE_SOUND));
  });

  it("drops rank_diff_type (undocumented) and KeyAPI's other fields; if_cml becomes commercial", () => {
    const sound = trimRow({ ...EXAMPLE_ROW, if_cml: true, rank_diff_type: 1, is_search: true, url_title: "x" });
    expect(sound).toEqual({ ...EXAMPLE_SOUND, commercial: true });
    expect(JSON.stringify(sound)).not.toMatch(/rank_diff_type|if_cml|is_search|url_title|country_code/);
  });
});

group("ids", () => {
  it("keeps 64-bit ids sent as bare numbers exact, as decimal strings", () => {
    const text = keyApiJson({ song_id: 6703723270476138498n, clip_id: 6703723351497508865n });
    expect(text).toBe('{"song_id":6703723270476138498,"clip_id":6703723351497508865}');
    expect(Number.isSafeInteger(Number(6703723270476138498n))).toBe(false);
    const sound = trimRow({ ...EXAMPLE_ROW, song_id: 6703723270476138498n, clip_id: 6703723351497508865n });
    expect(sound).toMatchObject({ clip_id: "6703723351497508865", song_id: "6703723270476138498" });
  });

  it("reads small ids sent as numbers as decimal strings too", () => {
    expect(trimRow({ ...EXAMPLE_ROW, clip_id: 42, song_id: 7 })).toMatchObject({ clip_id: "42", song_id: "7" });
  });

  it.each([
    ["missing", undefined],
    ["null", null],
    ["not digits", "abc"],
    ["a fraction", 12.5],
    ["negative", -1],
    ["an object", { id: "1" }],
    ["over 20 digits", "1".repeat(21)],
    ["a path", "../1"],
  ])("leaves the place of a row whose clip id is %s empty", (_name, clipId) => {
    const row = { ...EXAMPLE_ROW, clip_id: clipId };
    expect(trim({ pagination: null, sound_list: [chartRow(1), row, chartRow(3)] }).sounds).toEqual([
      expect.objectContaining({ rank: 1 }),
      null,
      expect.objectContaining({ rank: 3 }),
    ]);
  });

  it("leaves the place of a row that is not an object empty", () => {
    const places = trim({ pagination: null, sound_list: [null, "row", 7, [], chartRow(5)] }).sounds;
    expect(places.map((place) => place?.rank ?? null)).toEqual([null, null, null, null, 5]);
  });

  it("drops a song id over its cap instead of cutting it", () => {
    const sound = trimRow({ ...EXAMPLE_ROW, song_id: "2".repeat(ANSWER_LIMITS.idLength + 1) });
    expect(sound?.song_id).toBeNull();
  });
});

group("odd types", () => {
  it("turns fields of the wrong type into null, and a trend that is not a list into []", () => {
    const sound = trimRow({
      clip_id: "1",
      rank: "1",
      rank_diff: { up: 2 },
      song_id: true,
      title: 5,
      author: ["a"],
      duration: "60",
      cover: "javascript:alert(1)",
      link: "//evil.example/x",
      promoted: "yes",
      if_cml: 0,
      trend: "up",
    });
    expect(sound).toEqual(bareSound("1"));
  });

  it("turns missing fields into null and []", () => {
    expect(trimRow({ clip_id: "2" })).toEqual(bareSound("2"));
  });

  it("caps text at its length in code points", () => {
    const sound = trimRow({ ...EXAMPLE_ROW, title: "😀".repeat(ANSWER_LIMITS.textCodePoints + 5) });
    expect(sound?.title).toBe("😀".repeat(ANSWER_LIMITS.textCodePoints));
  });
});

group("trend", () => {
  it("is sorted by time, dated by UTC day, and drops points it cannot read", () => {
    expect(trimRow({ ...EXAMPLE_ROW, trend: UNORDERED_TREND.sent })?.trend).toEqual(UNORDERED_TREND.served);
  });

  it("keeps the newest points, oldest first, up to its cap", () => {
    const trend = trimRow({ ...EXAMPLE_ROW, trend: LONG_TREND.sent })?.trend ?? [];
    expect(trend).toHaveLength(LONG_TREND.length);
    expect(trend[0]).toEqual(LONG_TREND.first);
    expect(trend.at(-1)).toEqual(LONG_TREND.last);
  });
});

group("the page", () => {
  it("ignores rows past the page size, whatever KeyAPI sends", () => {
    const rows = Array.from({ length: 25 }, (_, i) => chartRow(i + 1));
    const data = { pagination: { total: 100, has_more: true }, sound_list: rows };
    expect(trim(data).sounds.map((sound) => sound?.rank)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(trim(data, { pageSize: 10 }).sounds).toHaveLength(10);
  });

  it.each([
    ["empty", []],
    ["null", null],
  ])("an %s sound_list is an empty page", (_name, list) => {
    expect(trim({ pagination: { page: 1, size: 0, total: 0, has_more: false }, sound_list: list })).toEqual({
      total: 0,
      has_more: false,
      sounds: [],
    });
  });

  it.each([
    ["missing", undefined],
    ["null", null],
    ["a string", "99"],
    ["negative", -1],
    ["a fraction", 1.5],
  ])("reads a total that is %s as null", (_name, total) => {
    expect(trim({ pagination: { total, has_more: "yes" }, sound_list: [] })).toEqual({
      total: null,
      has_more: null,
      sounds: [],
    });
  });

  it.each([
    ["missing", undefined],
    ["a list", []],
    ["a string", "page 1"],
  ])("reads pagination that is %s as unknown", (_name, pagination) => {
    expect(trim({ pagination, sound_list: [EXAMPLE_ROW] })).toEqual({
      total: null,
      has_more: null,
      sounds: [EXAMPLE_SOUND],
    });
  });
});

group("answers that cannot be read", () => {
  it("data: null → upstream-error, blamed on the input (a success with nothing in it, as data.sound null is for a sound)", () => {
    const detail = "KeyAPI sent a list without sound_list.";
    expect(refusalOf(null)).toEqual({ kind: "upstream-error", blame: "request", detail });
  });

  it.each([
    ["data without sound_list", { pagination: { total: 1 } }, "KeyAPI sent a list without sound_list."],
    ["a sound_list that is a string", { sound_list: "none" }, "KeyAPI sent a sound_list of an unexpected shape."],
    [
      "a sound_list that is an object",
      { sound_list: { 0: EXAMPLE_ROW } },
      "KeyAPI sent a sound_list of an unexpected shape.",
    ],
    ["a sound_list that is a number", { sound_list: 20 }, "KeyAPI sent a sound_list of an unexpected shape."],
  ])("%s → upstream-error, KeyAPI's fault", (_name, data, detail) => {
    expect(refusalOf(data)).toEqual({ kind: "upstream-error", blame: "upstream", detail });
  });
});

group("the upstream request and the key", () => {
  it("sends all seven parameters in KeyAPI's order: FALSE for no search, booleans lowercase, the page size", () => {
    expect(listEndpoint.upstreamParams(QUERY)).toEqual([
      ["search_keyword", "FALSE"],
      ["page", "1"],
      ["limit", "20"],
      ["period", "7"],
      ["region", "US"],
      ["new_to_top_100", "false"],
      ["commercial_music", "false"],
    ]);
    const searched = { ...QUERY, searchKeyword: "love song", page: 3, pageSize: 10, newToTop100: true, region: "GB" };
    expect(listEndpoint.upstreamParams({ ...searched, commercialMusic: true, period: 120 })).toEqual([
      ["search_keyword", "love song"],
      ["page", "3"],
      ["limit", "10"],
      ["period", "120"],
      ["region", "GB"],
      ["new_to_top_100", "true"],
      ["commercial_music", "true"],
    ]);
  });

  it("keys a page by region, period, page and page size, then the filters that are on and the search", () => {
    expect(listEndpoint.key(QUERY)).toBe("US:7:1:20");
    expect(listEndpoint.key({ ...QUERY, page: 2, pageSize: 10, period: 30, region: "GB" })).toBe("GB:30:2:10");
    expect(listEndpoint.key({ ...QUERY, newToTop100: true, commercialMusic: true, searchKeyword: "a:b c/é" })).toBe(
      "US:7:1:20:new:commercial:q=a%3Ab%20c%2F%C3%A9",
    );
    // A search for a filter's name stays apart from the filter.
    expect(listEndpoint.key({ ...QUERY, searchKeyword: "new" })).not.toBe(
      listEndpoint.key({ ...QUERY, newToTop100: true }),
    );
  });
});
