import { expect, describe as group, it } from "vitest";
import { ProblemError } from "../../src/domain/problems";
import { CHART_CARD, CHART_PAGE, type ChartSurface, parseChartEmbedQuery } from "../../src/embed/chart-query";

const parse = (query: string, surface: ChartSurface) => parseChartEmbedQuery(new URLSearchParams(query), surface);

function refusal(query: string, surface: ChartSurface) {
  try {
    parse(query, surface);
  } catch (error) {
    if (error instanceof ProblemError) return { kind: error.kind, errors: error.errors };
    throw error;
  }
  throw new Error(`accepted: ${query}`);
}

group("parseChartEmbedQuery", () => {
  it("applies each surface's defaults: the top 5 on the card, the top 10 on the page", () => {
    const chart = { region: "US", period: 7, newToTop100: false, commercialMusic: false, searchKeyword: null, page: 1 };
    expect(parse("", CHART_CARD)).toEqual({ chart: { ...chart, limit: 5 }, theme: "auto" });
    expect(parse("", CHART_PAGE)).toEqual({ chart: { ...chart, limit: 10 }, theme: "auto" });
  });

  it("reads the chart's parameters with the list endpoint's rules", () => {
    expect(
      parse("region=gb&period=30&new_to_top_100=true&commercial_music=true&limit=10&theme=dark", CHART_CARD),
    ).toEqual({
      chart: {
        region: "GB",
        period: 30,
        newToTop100: true,
        commercialMusic: true,
        searchKeyword: null,
        page: 1,
        limit: 10,
      },
      theme: "dark",
    });
    expect(parse("limit=20", CHART_PAGE).chart.limit).toBe(20);
  });

  it.each([
    ["limit=11", CHART_CARD, "limit", "must be a whole number from 1 to 10"],
    ["limit=21", CHART_PAGE, "limit", "must be a whole number from 1 to 20"],
    ["limit=0", CHART_PAGE, "limit", "must be a whole number from 1 to 20"],
    ["limit=05", CHART_CARD, "limit", "must be a whole number from 1 to 10"],
    ["page=1", CHART_CARD, "page", "is not a known parameter"],
    ["search_keyword=sun", CHART_PAGE, "search_keyword", "is not a known parameter"],
    ["theme=sepia", CHART_CARD, "theme", "must be one of light, dark or auto"],
    ["region=XX", CHART_PAGE, "region", "is not an ISO 3166-1 country code"],
    ["period=14", CHART_CARD, "period", "must be one of 7, 30 or 120"],
    ["new_to_top_100=1", CHART_CARD, "new_to_top_100", "must be true or false"],
    ["limit=", CHART_CARD, "limit", "must not be empty"],
    ["limit=3&limit=4", CHART_CARD, "limit", "must be given only once"],
  ])("refuses %s", (query, surface, param, message) => {
    expect(refusal(query, surface)).toEqual({ kind: "invalid-query", errors: [{ param, message }] });
  });
});
