/**
 * The console's links for the keys that cost most (public/admin/links.js), in Node: a sound's card and embed
 * page, a chart's card, embed page and JSON with its filters, what a search or a later page gets, and nothing
 * for a key that does not read as one of ours. Region first in every query.
 */
import { describe, expect, it } from "vitest";
import { keyLinks } from "../../public/admin/links.js";

const CLIP = "6703723351497508865";
const LIST = "/v1/tiktok/trending/music";

describe("a sound's key", () => {
  it("links its card and embed page", () => {
    expect(keyLinks("detail", `${CLIP}:30:GB`)).toEqual([
      ["card", `${LIST}/card.svg?region=GB&period=30&clip_id=${CLIP}`],
      ["embed page", `/embed/sound/${CLIP}?region=GB&period=30`],
    ]);
  });
});

describe("a chart's key", () => {
  it.each([
    ["US:7:1:20", "region=US&period=7", ""],
    ["GB:30:1:20:new", "region=GB&period=30&new_to_top_100=true", ""],
    ["DE:120:1:20:commercial", "region=DE&period=120&commercial_music=true", ""],
    ["US:7:1:20:new:commercial", "region=US&period=7&new_to_top_100=true&commercial_music=true", ""],
    // Pages of 15 from KeyAPI: the JSON window is that page.
    ["US:7:1:15", "region=US&period=7", "&limit=15"],
  ])("%s, page 1: its card, embed page and JSON, with its filters", (key, chart, window) => {
    expect(keyLinks("list", key)).toEqual([
      ["card", `${LIST}/chart.svg?${chart}`],
      ["embed page", `/embed/chart?${chart}`],
      ["JSON", `${LIST}?${chart}${window}`],
    ]);
  });

  it.each([
    // A search: the card and the embed page show no search, so the JSON only, the search decoded and encoded again.
    ["US:7:1:20:q=love%20song", "region=US&period=7&search_keyword=love+song"],
    ["US:7:1:20:new:q=a%26b%3Dc%23", "region=US&period=7&new_to_top_100=true&search_keyword=a%26b%3Dc%23"],
    ["JP:30:2:20:q=%E6%9D%B1%E4%BA%AC", "region=JP&period=30&search_keyword=%E6%9D%B1%E4%BA%AC&page=2"],
    // A later page: the card and the embed page show the top, so the JSON window that is that page.
    ["US:7:3:20", "region=US&period=7&page=3"],
    ["GB:7:2:10:commercial", "region=GB&period=7&commercial_music=true&page=2&limit=10"],
    // Page 14 of 15 ends at 210, past the list's 200: the default window holding its first sound (196th).
    ["US:7:14:15", "region=US&period=7&page=10"],
  ])("%s: its JSON only", (key, query) => {
    expect(keyLinks("list", key)).toEqual([["JSON", `${LIST}?${query}`]]);
  });
});

describe("a key that does not read as one of ours", () => {
  it.each([
    ["detail", "abc:7:US"],
    ["detail", `${CLIP}:8:US`],
    ["detail", `${CLIP}:7:us`],
    ["detail", `${CLIP}:7:US"><script>`],
    ["detail", "US:7:1:20"],
    ["list", `${CLIP}:7:US`],
    ["list", "US:7"],
    ["list", "US:7:0:20"],
    ["list", "US:7:1:20:bogus"],
    ["list", "US:7:1:20:q="],
    ["list", "US:7:1:20:q=%E0%A4"],
    ["list", "US:7:1:20:commercial:new"],
    ["search", "US:7:1:20"],
  ])("%s %s: no link", (endpoint, key) => {
    expect(keyLinks(endpoint, key)).toEqual([]);
  });
});
