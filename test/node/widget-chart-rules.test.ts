/**
 * `<tiktok-sound-chart>`'s rules (widget/chart-rules.ts) are the API's and the
 * chart embeds': the widget cannot import them (they stand on zod, too big for
 * an 8 KiB script), so these tables hold the two copies together. An attribute
 * the API would refuse is refused before any request; one it accepts is sent as
 * the API reads it; movement, rank and the TikTok link say what the chart page says.
 */
import { describe, expect, it } from "vitest";
import { parseChartQuery } from "../../src/domain/chart.ts";
import { chartRows, movement as embedMovement } from "../../src/embed/chart-facts.ts";
import { tiktokLink as embedTiktokLink } from "../../src/embed/facts.ts";
import {
  CHART_ATTRIBUTES,
  type ChartAttribute,
  chartSearch,
  movement,
  rankOf,
  tiktokLink,
} from "../../widget/chart-rules.ts";
import { FIRST_SOUND, withSounds } from "../support/chart.ts";

type Attributes = Partial<Record<ChartAttribute, string>>;

const search = (attributes: Attributes) => chartSearch((name) => attributes[name] ?? null);
const paramOf = (attribute: ChartAttribute) => attribute.replaceAll("-", "_");

/** Whether the API accepts `name=value` (and with it, what it reads). */
function apiReads(attributes: Attributes) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(attributes)) query.set(paramOf(name as ChartAttribute), value);
  try {
    return parseChartQuery(query);
  } catch {
    return null;
  }
}

describe("chartSearch: the element's attributes as the list endpoint's query", () => {
  it("observes one attribute per parameter of the list endpoint", () => {
    expect(CHART_ATTRIBUTES.map(paramOf).sort()).toEqual(
      ["region", "period", "limit", "page", "new_to_top_100", "commercial_music", "search_keyword"].sort(),
    );
  });

  it("asks for the top 10 of US, last 7 days, by default, region first", () => {
    expect(search({})).toEqual({ search: "region=US&period=7&limit=10" });
  });

  it("sends what the API reads, in one spelling per chart (so equal charts share one request)", () => {
    const cases: [Attributes, string][] = [
      [{ region: "gb", period: "30", limit: "5" }, "region=GB&period=30&limit=5"],
      [{ region: " de ", period: "120", limit: "20" }, "region=DE&period=120&limit=20"],
      [{ page: "2", limit: "7" }, "region=US&period=7&limit=7&page=2"],
      [{ page: "1" }, "region=US&period=7&limit=10"],
      [
        { "new-to-top-100": "", "commercial-music": "true" },
        "region=US&period=7&limit=10&new_to_top_100=true&commercial_music=true",
      ],
      [{ "new-to-top-100": "false", "commercial-music": "false" }, "region=US&period=7&limit=10"],
      [{ "search-keyword": "  ｌｏｖｅ \t song " }, "region=US&period=7&limit=10&search_keyword=love+song"],
      [{ region: "", period: "", limit: "", "search-keyword": "" }, "region=US&period=7&limit=10"],
    ];
    for (const [attributes, expected] of cases) {
      const result = search(attributes);
      expect(result, JSON.stringify(attributes)).toEqual({ search: expected });
      // The API reads the same chart from it, without complaint.
      if ("search" in result) expect(() => parseChartQuery(new URLSearchParams(result.search))).not.toThrow();
    }
  });

  it("refuses exactly what the API refuses, attribute by attribute", () => {
    const values: Record<ChartAttribute, string[]> = {
      region: ["US", "gb", "XX", "UK", "EU", "USA", "U", "1A", "ÜS"],
      period: ["7", "30", "120", "1", "07", "7.0", "365", "seven"],
      limit: ["1", "10", "20", "0", "21", "05", "-1", "1.5", "1e1", "ten"],
      page: ["1", "2", "10", "200", "201", "0", "01", "-2"],
      "new-to-top-100": ["true", "false", "TRUE", "yes", "1"],
      "commercial-music": ["true", "false", "False", "no", "0"],
      "search-keyword": [
        "sun",
        "New Sun",
        "false",
        "FALSE",
        " False ",
        "x".repeat(50),
        "x".repeat(51),
        "a\u0007b",
        "日本語",
      ],
    };
    for (const attribute of CHART_ATTRIBUTES) {
      for (const value of values[attribute]) {
        const widget = search({ [attribute]: value });
        // `limit` 10 is the widget's default, 20 the API's: page × limit is checked with each side's own.
        const api = apiReads({ [attribute]: value, ...(attribute === "page" ? { limit: "10" } : {}) });
        expect("search" in widget, `${attribute}="${value}": ${JSON.stringify(widget)}`).toBe(api !== null);
        if ("errors" in widget) expect(widget.errors.join(" "), `${attribute}="${value}"`).toContain(attribute);
      }
    }
  });

  it("refuses page × limit beyond 200, as the API does", () => {
    expect(search({ page: "10", limit: "20" })).toEqual({ search: "region=US&period=7&limit=20&page=10" });
    expect(search({ page: "11", limit: "20" })).toEqual({ errors: ["page × limit must be at most 200"] });
    expect(apiReads({ page: "11", limit: "20" })).toBeNull();
  });

  it("names page × limit beside every other problem, once page and limit are both read, as the API does", () => {
    expect(search({ page: "11", limit: "20", period: "8" })).toEqual({
      errors: ["period must be one of 7, 30 or 120", "page × limit must be at most 200"],
    });
    expect(search({ page: "201", limit: "5" })).toEqual({ errors: ["page must be a whole number from 1 to 200"] });
    expect(search({ page: "50", limit: "21" })).toEqual({ errors: ["limit must be a whole number from 1 to 20"] });
  });

  it("names every bad attribute at once", () => {
    const result = search({ region: "XX", period: "8", limit: "0", "commercial-music": "yes" });
    expect("errors" in result && result.errors.map((error) => error.split(" ")[0])).toEqual([
      "region",
      "period",
      "limit",
      "commercial-music",
    ]);
  });
});

describe("what a row says, as the chart embeds say it", () => {
  it("movement: ▲n, ▼n, – for 0, nothing for none or a number no chart has", () => {
    for (const diff of [null, 0, 1, 3, -1, -12, 9999, -9999, 10_000, -10_000, 1.5, Number.NaN, Infinity]) {
      expect(movement(diff), String(diff)).toEqual(embedMovement(diff));
    }
    expect(movement(3)).toEqual({ symbol: "▲3", words: "up 3 places" });
    expect(movement(-1)).toEqual({ symbol: "▼1", words: "down 1 place" });
    expect(movement(0)).toEqual({ symbol: "–", words: "no change" });
  });

  it("rank: KeyAPI's when it is a whole number from 1 to 9,999, else the position", () => {
    const ranks = [1, 7, 9999, null, 0, -3, 10_000, 2.5, Number.NaN];
    // On page 2 of a top-10 list: positions 11, 12, …
    const chart = { ...withSounds(ranks.map((rank) => ({ ...FIRST_SOUND, rank }))), page: 2, limit: 10 };
    const embeds = chartRows(chart, ranks.length).map((row) => row.rank);
    expect(ranks.map((rank, index) => rankOf(rank, 11 + index))).toEqual(embeds);
  });

  it("the TikTok link: KeyAPI's when it is a page on https://www.tiktok.com/, else one built from the clip id", () => {
    const clipId = "6703723351497508865";
    const links = [
      "https://www.tiktok.com/music/New-Sun-6703723351497508865",
      "https://tiktok.com/music/x-1",
      "https://m.tiktok.com/music/x-1?lang=en",
      "https://vm.tiktok.com/ZM1/",
      "https://www.tiktok.com:8443/music/x-1",
      "https://www.tiktok.com:443/music/x-4",
      " https://www.tiktok.com/music/x-2 ",
      "https://WWW.TIKTOK.COM/music/x-3",
      "http://www.tiktok.com/music/x-1",
      "https://tiktok.com.evil.example/music/x-1",
      "https://eviltiktok.com/music/x-1",
      "https://user:pass@www.tiktok.com/music/x-1",
      "javascript:alert(1)",
      "//www.tiktok.com/music/x-1",
      "",
      null,
    ];
    for (const link of links) {
      const expected = embedTiktokLink(link) ?? `https://www.tiktok.com/music/x-${clipId}`;
      expect(tiktokLink(link, clipId), String(link)).toBe(expected);
    }
    // No link is built from an id that is not one.
    expect(tiktokLink(null, "12ab")).toBeNull();
    expect(tiktokLink("https://evil.example/", "../../x")).toBeNull();
  });
});
