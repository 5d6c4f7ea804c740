import { expect, describe as group, it } from "vitest";
import { type ChartSound, cutWindow, parseChartQuery, upstreamPages } from "../../src/domain/chart";
import { ProblemError } from "../../src/domain/problems";
import { bareSound } from "../support/charts";

const parse = (query: string) => parseChartQuery(new URLSearchParams(query));

/** The `errors` of the problem a query is refused with. */
function refusal(query: string) {
  try {
    parse(query);
  } catch (error) {
    if (error instanceof ProblemError) return { kind: error.kind, errors: error.errors };
    throw error;
  }
  throw new Error(`accepted: ${query}`);
}

group("parseChartQuery", () => {
  it("applies the documented defaults", () => {
    expect(parse("")).toEqual({
      region: "US",
      period: 7,
      newToTop100: false,
      commercialMusic: false,
      searchKeyword: null,
      page: 1,
      limit: 20,
    });
  });

  it("reads every parameter with the detail endpoint's rules for region and period", () => {
    expect(
      parse("region=gb&period=30&page=3&limit=7&new_to_top_100=true&commercial_music=true&search_keyword=Sun"),
    ).toEqual({
      region: "GB",
      period: 30,
      newToTop100: true,
      commercialMusic: true,
      searchKeyword: "Sun",
      page: 3,
      limit: 7,
    });
  });

  it.each([
    ["page=0", "page"],
    ["page=01", "page"],
    ["page=1.0", "page"],
    ["page=-1", "page"],
    ["page=201&limit=1", "page"],
    ["limit=0", "limit"],
    ["limit=21", "limit"],
    ["limit=05", "limit"],
    ["new_to_top_100=TRUE", "new_to_top_100"],
    ["commercial_music=1", "commercial_music"],
    ["period=14", "period"],
    ["region=XX", "region"],
  ])("refuses %s, naming %s", (query, param) => {
    const { kind, errors } = refusal(query);
    expect(kind).toBe("invalid-query");
    expect(errors?.map((error) => error.param)).toEqual([param]);
  });

  it("refuses a window deeper than 200, naming page and limit", () => {
    expect(refusal("page=11&limit=20").errors).toEqual([
      { param: "page", message: "page × limit must be at most 200" },
      { param: "limit", message: "page × limit must be at most 200" },
    ]);
    expect(parse("page=10&limit=20").page).toBe(10);
    expect(parse("page=200&limit=1").page).toBe(200);
  });

  it("refuses unknown, repeated and empty parameters, all at once", () => {
    expect(refusal("clip_id=1&limit=5&limit=6&region=").errors).toEqual([
      { param: "clip_id", message: "is not a known parameter" },
      { param: "limit", message: "must be given only once" },
      { param: "region", message: "must not be empty" },
    ]);
  });

  group("search_keyword", () => {
    it.each([
      ["  love   song ", "love song"],
      ["ｌｏｖｅ\tsong", "love song"],
      ["Café", "Café"],
      ["🎵".repeat(50), "🎵".repeat(50)],
      ["a".repeat(50), "a".repeat(50)],
    ])("normalises %j to %j", (raw, keyword) => {
      expect(parse(`search_keyword=${encodeURIComponent(raw)}`).searchKeyword).toBe(keyword);
    });

    it.each([
      ["false", "must not be false (leave it out for no search)"],
      [" FALSE ", "must not be false (leave it out for no search)"],
      ["ｆａｌｓｅ", "must not be false (leave it out for no search)"],
      ["   ", "must be 1 to 50 characters"],
      ["a".repeat(51), "must be 1 to 50 characters"],
      ["love\u0000song", "must not contain control characters"],
      ["love\u007fsong", "must not contain control characters"],
    ])("refuses %j", (raw, message) => {
      expect(refusal(`search_keyword=${encodeURIComponent(raw)}`).errors).toEqual([
        { param: "search_keyword", message },
      ]);
    });
  });
});

group("canonical paging", () => {
  it.each([
    [{ page: 1, limit: 5 }, 20, [1]],
    [{ page: 1, limit: 20 }, 20, [1]],
    [{ page: 2, limit: 7 }, 20, [1]],
    [{ page: 3, limit: 7 }, 20, [1, 2]],
    [{ page: 5, limit: 20 }, 20, [5]],
    [{ page: 10, limit: 20 }, 20, [10]],
    [{ page: 200, limit: 1 }, 20, [10]],
    [{ page: 1, limit: 20 }, 10, [1, 2]],
    [{ page: 2, limit: 15 }, 10, [2, 3]],
  ])("%o with pages of %d → %o", (window, pageSize, pages) => {
    expect(upstreamPages(window, pageSize)).toEqual(pages);
  });

  it("covers the top 100 with 5 pages of 20, however it is paged", () => {
    const pages = new Set<number>();
    for (let limit = 1; limit <= 20; limit++) {
      for (let page = 1; (page - 1) * limit < 100; page++) {
        for (const upstream of upstreamPages({ page, limit }, 20)) if ((upstream - 1) * 20 < 100) pages.add(upstream);
      }
    }
    expect([...pages].sort()).toEqual([1, 2, 3, 4, 5]);
  });

  const row = (rank: number): ChartSound => bareSound(String(rank), rank);
  const pageOf = (page: number, size = 20) => ({
    page,
    sounds: Array.from({ length: size }, (_, i) => row((page - 1) * 20 + i + 1)),
  });

  it("cuts the window across two pages", () => {
    const window = cutWindow({ page: 3, limit: 7 }, 20, [pageOf(1), pageOf(2)]);
    expect(window.map((sound) => sound.rank)).toEqual([15, 16, 17, 18, 19, 20, 21]);
  });

  it("keeps positions when a page is short, and never reads past a page's size", () => {
    const short = { page: 1, sounds: pageOf(1).sounds.slice(0, 18) };
    const long = { page: 2, sounds: [...pageOf(2).sounds, row(999)] };
    expect(cutWindow({ page: 2, limit: 10 }, 20, [short, long]).map((s) => s.rank)).toEqual([
      11, 12, 13, 14, 15, 16, 17, 18,
    ]);
    expect(cutWindow({ page: 4, limit: 10 }, 20, [long]).map((s) => s.rank)).toEqual([
      31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
    ]);
  });
});
