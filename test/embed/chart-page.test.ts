import { expect, describe as group, it } from "vitest";
import type { ChartPayload, ChartSound } from "../../src/domain/chart";
import { THEMES } from "../../src/domain/query";
import {
  CHART_PAGE_HEAD_HEIGHT,
  CHART_PAGE_ROW_HEIGHT,
  type ChartPageLinks,
  chartPageHeight,
  chartPageUrl,
  renderChartPage,
} from "../../src/embed/chart-page";
import type { ChartEmbedQuery } from "../../src/embed/chart-query";
import { embedPageUrl, oembedUrl } from "../../src/embed/oembed";
import { textWidth } from "../../src/embed/text";
import { EXAMPLE_CHART, EXAMPLE_COVER, embedQuery, FIRST_SOUND, withSounds } from "../support/chart";
import { BIDI, FORBIDDEN, HOSTILE_TEXT, hostileChart } from "../support/hostile-text";
import { metaContent, named, parseHtml, textContent } from "../support/html";
import { elements, inertnessProblems, type XmlElement } from "../support/xml";

const ORIGIN = "https://sounds.example";
const chart = EXAMPLE_CHART;
const first = FIRST_SOUND;
const queryOf = embedQuery;

function linksFor(query: ChartEmbedQuery): ChartPageLinks {
  const page = chartPageUrl(ORIGIN, query);
  return { page, oembed: oembedUrl(ORIGIN, page), providerName: "tiktok-sound-edge", origin: ORIGIN };
}

const render = (payload: ChartPayload, query = queryOf(10)) => renderChartPage(payload, query, linksFor(query));

/** The tags the page may contain: its own, and the trend lines'. */
const TAGS = new Set([
  "html",
  "head",
  "meta",
  "title",
  "link",
  "style",
  "body",
  "main",
  "h1",
  "ol",
  "li",
  "div",
  "p",
  "a",
  "span",
  "svg",
  "polyline",
]);

/** An inline `<svg>` of the page as the HTML parser sees it: in the SVG namespace without saying so. */
const inSvgNamespace = (element: XmlElement): XmlElement => ({
  ...element,
  uri: "http://www.w3.org/2000/svg",
  children: element.children.map(inSvgNamespace),
});

/** Parses the page strictly and checks it holds only its own tags and no script, images or references in CSS. */
function checkPage(html: string): XmlElement {
  const root = parseHtml(html);
  for (const element of elements(root)) expect(TAGS.has(element.name), `<${element.name}>`).toBe(true);
  for (const svg of named(root, "svg")) expect(inertnessProblems(inSvgNamespace(svg))).toEqual([]);
  for (const style of named(root, "style")) expect(style.text).not.toMatch(/url\(|@import|expression\(|@font-face/i);
  expect(html).not.toMatch(/<script|<img/i);
  for (const element of elements(root)) {
    for (const [name, value] of Object.entries(element.attributes)) {
      expect(name, `<${element.name} ${name}>`).not.toMatch(/^on/i);
      expect(value, `<${element.name} ${name}>`).not.toMatch(/^\s*javascript:/i);
    }
  }
  return root;
}

const hrefs = (root: XmlElement) =>
  named(root, "a")
    .map((a) => a.attributes.href ?? "")
    .concat(named(root, "link").map((l) => l.attributes.href ?? ""));

/** Every link is to TikTok (https, tiktok.com) or to this service's own pages (the icons are relative to it). */
function expectOnlyTikTokAndOwnLinks(root: XmlElement) {
  for (const href of hrefs(root)) {
    const url = new URL(href, ORIGIN);
    const tiktok = url.protocol === "https:" && (url.hostname === "tiktok.com" || url.hostname.endsWith(".tiktok.com"));
    expect(tiktok || url.origin === ORIGIN, href).toBe(true);
  }
}

group("the chart page", () => {
  const html = render(chart);
  const root = checkPage(html);
  const items = named(root, "li");

  it("is server-rendered: the heading, then an ordered list of the sounds", () => {
    expect(named(root, "script")).toHaveLength(0);
    const [h1] = named(root, "h1");
    expect(textContent(h1 as XmlElement)).toBe("Trending sounds · US · last 7 days");
    expect(named(root, "ol")).toHaveLength(1);
    expect(items).toHaveLength(10);
    expect(items.map((li) => li.attributes.value)).toEqual(["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]);
    expect(textContent(items[0] as XmlElement)).toBe(
      "– no change New Sun (opens in a new tab) Chihei Hatakeyama  TikTok: New Sun — Chihei Hatakeyama (opens in a new tab)",
    );
    expect(named(root, "title")[0]?.text).toBe("Trending TikTok sounds in US, last 7 days");
    expect(html).toContain('<html lang="en">');
  });

  it("shows as many sounds as the limit asks, and says so when the chart is empty", () => {
    expect(named(checkPage(render(chart, queryOf(3))), "li")).toHaveLength(3);
    expect(named(checkPage(render(chart, queryOf(20))), "li")).toHaveLength(20);
    const empty = checkPage(render(withSounds([])));
    expect(named(empty, "li")).toHaveLength(0);
    expect(named(empty, "p")[0]?.text).toBe("No sounds in this chart right now.");
    expect(metaContent(empty, "og:description")).toBe("No sounds in this chart right now.");
    expect(metaContent(empty, "og:image")).toBeUndefined();
  });

  it("gives each movement in symbols, and in words for screen readers", () => {
    const movements = items.slice(0, 6).map((li) => {
      const [symbol, words] = named(li, "span").find((span) => span.attributes.class === "mv")?.children ?? [];
      expect(symbol?.attributes["aria-hidden"] ?? "true").toBe("true");
      expect(words?.attributes.class ?? "vh").toBe("vh");
      return symbol ? [symbol.text, words?.text] : [];
    });
    expect(movements).toEqual([
      ["–", "no change"],
      ["▲3", "up 3 places"],
      ["▼1", "down 1 place"],
      [],
      ["▲12", "up 12 places"],
      ["▼4", "down 4 places"],
    ]);
  });

  it("links each row to the sound's own embed page and to its TikTok page, in a new tab", () => {
    const [embed, tiktok] = named(items[0] as XmlElement, "a");
    expect(embed?.attributes).toEqual({
      href: `${ORIGIN}/embed/sound/6703723351497508865?region=US&period=7`,
      target: "_blank",
      rel: "noopener",
    });
    expect(tiktok?.attributes).toEqual({
      class: "tt",
      href: "https://www.tiktok.com/music/x-6703723351497508865",
      target: "_blank",
      rel: "noopener noreferrer",
    });
    expectOnlyTikTokAndOwnLinks(root);
  });

  it("has link previews and oEmbed discovery", () => {
    const url = `${ORIGIN}/embed/chart?region=US&period=7&limit=10`;
    expect(metaContent(root, "og:title")).toBe("Trending TikTok sounds in US, last 7 days");
    expect(metaContent(root, "og:description")).toBe(
      "1. New Sun — Chihei Hatakeyama, 2. Midnight Drift — Mira Sol, 3. Echo Hearts — The Quiet Hours",
    );
    expect(metaContent(root, "description")).toBe(metaContent(root, "og:description"));
    expect(metaContent(root, "og:image")).toBe(EXAMPLE_COVER);
    expect(metaContent(root, "og:image:alt")).toBe("Cover art of New Sun by Chihei Hatakeyama");
    expect(metaContent(root, "og:url")).toBe(url);
    expect(metaContent(root, "og:type")).toBe("website");
    expect(metaContent(root, "og:site_name")).toBe("tiktok-sound-edge");
    expect(metaContent(root, "twitter:card")).toBe("summary");
    const links = named(root, "link");
    expect(links.find((link) => link.attributes.rel === "canonical")?.attributes.href).toBe(url);
    expect(links.find((link) => link.attributes.rel === "alternate")?.attributes).toEqual({
      rel: "alternate",
      type: "application/json+oembed",
      href: `${ORIGIN}/oembed?url=${encodeURIComponent(url)}`,
      title: "Trending TikTok sounds in US, last 7 days",
    });
  });

  it("names the filters in the heading and the previews", () => {
    const query = queryOf(5, "auto", { newToTop100: true, commercialMusic: true });
    const filtered = checkPage(render({ ...chart, new_to_top_100: true, commercial_music: true }, query));
    expect(textContent(named(filtered, "h1")[0] as XmlElement)).toBe(
      "Trending sounds · US · last 7 days · new to top 100 · commercial",
    );
    expect(metaContent(filtered, "og:title")).toBe(
      "Trending TikTok sounds in US, last 7 days, new to top 100, commercial",
    );
  });

  it("has og:image only for an https cover of the first sound", () => {
    const http = checkPage(render(withSounds([{ ...first, cover: "http://cdn.example/a.jpeg" }])));
    expect(metaContent(http, "og:image")).toBeUndefined();
    expect(metaContent(http, "og:image:alt")).toBeUndefined();
    const second = checkPage(render(withSounds([{ ...first, cover: null }, chart.sounds[1] as ChartSound])));
    expect(metaContent(second, "og:image")).toBeUndefined();
  });

  it("is coloured by its theme, and carries it into the sounds' pages", () => {
    for (const theme of THEMES) {
      const page = render(chart, queryOf(2, theme));
      expect(page).toContain(`<meta name="color-scheme" content="${theme === "auto" ? "light dark" : theme}">`);
      const [embed] = named(checkPage(page), "a");
      const suffix = theme === "auto" ? "" : `&theme=${theme}`;
      expect(embed?.attributes.href).toBe(`${ORIGIN}/embed/sound/6703723351497508865?region=US&period=7${suffix}`);
    }
  });

  it("puts region first in every link to its own pages, so no & is followed by an HTML entity name", () => {
    const query = queryOf(7, "dark", { region: "GB", period: 30, newToTop100: true, commercialMusic: true });
    const page = checkPage(render({ ...chart, region: "GB", period: 30 }, query));
    const own = hrefs(page).filter((href) => href.startsWith(ORIGIN));
    const oembed = own.find((href) => href.includes("/oembed?")) as string;
    const selfLinks = [...own, new URL(oembed).searchParams.get("url") as string];
    expect(selfLinks).toHaveLength(10);
    for (const href of selfLinks) {
      if (href.includes("/oembed?")) continue;
      const names = [...new URL(href).searchParams.keys()];
      expect(names[0], href).toBe("region");
      expect(href).not.toMatch(/&(amp|lt|gt|quot|reg|copy|not|para|sect|times|shy|micro|cent|pound|yen|deg|uml)/);
    }
    expect(chartPageUrl(ORIGIN, query)).toBe(
      `${ORIGIN}/embed/chart?region=GB&period=30&new_to_top_100=true&commercial_music=true&limit=7&theme=dark`,
    );
    const [sound] = named(page, "a");
    expect(sound?.attributes.href).toBe(
      embedPageUrl(ORIGIN, { sound: { clipId: first.clip_id, region: "GB", period: 30 }, theme: "dark" }),
    );
    expect(sound?.attributes.href).toBe(`${ORIGIN}/embed/sound/${first.clip_id}?region=GB&period=30&theme=dark`);
  });

  it("has a height that follows the limit: the heading and a fixed height per row", () => {
    expect(chartPageHeight(1)).toBe(120);
    expect(chartPageHeight(10)).toBe(552);
    expect(chartPageHeight(20)).toBe(1032);
    const style = named(root, "style")[0]?.text ?? "";
    expect(style).toContain(`h1{box-sizing:border-box;height:${CHART_PAGE_HEAD_HEIGHT}px;`);
    expect(style).toContain(`li{box-sizing:border-box;height:${CHART_PAGE_ROW_HEIGHT}px;`);
  });
});

group("hostile text from KeyAPI on every row of the page", () => {
  it.each(HOSTILE_TEXT)("%s stays text: well-formed, clean, shortened, linking only to TikTok", (_name, value) => {
    const html = render(hostileChart(chart, value), queryOf(20));
    const root = checkPage(html);
    expect(html).not.toMatch(BIDI);
    expect(html).not.toMatch(FORBIDDEN);
    // The same markup as for harmless text, but for the clip id's links: nothing was injected.
    const harmless = checkPage(render(hostileChart(chart, "x"), queryOf(20)));
    expect([...elements(root)].map((element) => element.name)).toEqual(
      [...elements(harmless)].map((element) => element.name),
    );
    expect(named(root, "li")).toHaveLength(20);
    expectOnlyTikTokAndOwnLinks(root);
    // Neither the clip id nor the link is usable: no row links anywhere (nothing is built from them).
    for (const li of named(root, "li")) expect(named(li, "a").map((a) => a.attributes.class)).toEqual([]);
    // Previews are cut to a few lines: each row's line to 60 ems.
    expect(textWidth(metaContent(root, "og:title") ?? "", { size: 1 })).toBeLessThanOrEqual(90);
    expect(textWidth(metaContent(root, "og:description") ?? "", { size: 1 })).toBeLessThanOrEqual(3 * 60 + 4);
    expect(html.length).toBeLessThan(40_000);
  });

  it("keeps KeyAPI's link only when it is a page on https://www.tiktok.com/, and builds one from the clip id otherwise", () => {
    const sounds = [
      "javascript:alert(1)",
      "https://evil.example/x",
      "http://www.tiktok.com/music/x-1",
      "https://m.tiktok.com/music/y-2",
      "https://vm.tiktok.com/ZM1/",
      "https://tiktok.com/music/y-3",
      "https://www.tiktok.com:8443/music/y-4",
      null,
    ].map((link) => ({ ...first, link }));
    const root = checkPage(render(withSounds([...sounds, { ...first, link: "https://www.tiktok.com/music/y-5" }])));
    const tiktok = named(root, "a").filter((a) => a.attributes.class === "tt");
    expect(tiktok.map((a) => a.attributes.href)).toEqual([
      ...sounds.map(() => "https://www.tiktok.com/music/x-6703723351497508865"),
      "https://www.tiktok.com/music/y-5",
    ]);
  });

  it("shortens a 1,000-character title and author on every row", () => {
    const long = withSounds(
      chart.sounds.map((sound) => ({ ...sound, title: "T".repeat(1000), author: "a".repeat(1000) })),
    );
    const html = render(long, queryOf(20));
    const root = checkPage(html);
    for (const li of named(root, "li")) {
      const [title] = named(li, "a");
      expect(title?.text).toMatch(/^T+…$/);
      expect(textWidth(title?.text ?? "", { size: 1 })).toBeLessThanOrEqual(60);
    }
    expect(html.length).toBeLessThan(25_000);
  });

  it("shows no link built from a clip id that is not one", () => {
    const root = checkPage(render(withSounds([{ ...first, clip_id: "../../admin", link: null }])));
    expect(named(root, "a")).toHaveLength(0);
    expect(textContent(named(root, "li")[0] as XmlElement)).toContain("New Sun");
  });
});
