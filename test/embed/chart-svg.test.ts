import { expect, describe as group, it } from "vitest";
import type { ChartPayload } from "../../src/domain/chart";
import { THEMES } from "../../src/domain/query";
import { CARD_DESC_ID, CARD_TITLE_ID, CARD_WIDTH } from "../../src/embed/card-svg";
import { MAX_TREND_POINTS } from "../../src/embed/chart-facts";
import { chartCardHeight, renderChartSvg } from "../../src/embed/chart-svg";
import { textWidth } from "../../src/embed/text";
import { EXAMPLE_CHART, FIRST_SOUND, withSounds } from "../support/chart";
import {
  BIDI,
  FORBIDDEN,
  HOSTILE_TEXT,
  hostileChart,
  seededNoise,
  textsWiderThanTheirBox,
} from "../support/hostile-text";
import { allText, elements, inertnessProblems, parseXml, type XmlElement } from "../support/xml";

const chart = EXAMPLE_CHART;
const render = (payload: ChartPayload, limit = 5, theme: (typeof THEMES)[number] = "auto") =>
  renderChartSvg(payload, theme, { limit });
const named = (root: XmlElement, name: string) => [...elements(root)].filter((element) => element.name === name);
const texts = (root: XmlElement) => named(root, "text").map((element) => element.text);
const first = FIRST_SOUND;

async function gzipSize(text: string): Promise<number> {
  const gzipped = new Response(new Response(text).body?.pipeThrough(new CompressionStream("gzip")));
  return (await gzipped.arrayBuffer()).byteLength;
}

group("the chart card", () => {
  const svg = render(chart);
  const root = parseXml(svg);

  it.each([1, 2, 5, 10])("is one well-formed SVG, 480 wide, its height fixed by limit=%i", (limit) => {
    const card = parseXml(render(chart, limit));
    const height = 80 + 40 * limit;
    expect(chartCardHeight(limit)).toBe(height);
    expect(card).toMatchObject({ name: "svg", uri: "http://www.w3.org/2000/svg" });
    expect(card.attributes).toMatchObject({
      width: String(CARD_WIDTH),
      height: String(height),
      viewBox: `0 0 ${CARD_WIDTH} ${height}`,
    });
    expect(named(card, "polyline")).toHaveLength(limit);
  });

  it("keeps its height when the chart has fewer sounds than the limit, and draws no more than the limit", () => {
    const short = parseXml(render(withSounds(chart.sounds.slice(0, 2)), 10));
    expect(short.attributes.height).toBe("480");
    expect(named(short, "polyline")).toHaveLength(2);
    expect(named(parseXml(render(chart, 10)), "polyline")).toHaveLength(10);
    // The card is for 1–10 rows, whatever it is handed.
    expect(parseXml(render(chart, 25)).attributes.height).toBe("480");
    expect(parseXml(render(chart, 0)).attributes.height).toBe("120");
    expect(parseXml(render(chart, Number.NaN)).attributes.height).toBe("120");
  });

  it("is accessible: role=img, labelled by a <title> naming the chart and a <desc> listing the rows", () => {
    expect(root.attributes.role).toBe("img");
    expect(root.attributes["aria-labelledby"]).toBe(`${CARD_TITLE_ID} ${CARD_DESC_ID}`);
    const [title, desc] = root.children;
    expect(title).toMatchObject({ name: "title", text: "Trending TikTok sounds in US, last 7 days" });
    expect(desc).toMatchObject({
      name: "desc",
      text:
        "1. New Sun — Chihei Hatakeyama; 2. Midnight Drift — Mira Sol; 3. Echo Hearts — The Quiet Hours; " +
        "4. Summer Lights — DJ Parallax; 5. Neon Runaway — Lena Voss",
    });
  });

  it("shows the heading, then per row the rank, movement, title and author", () => {
    expect(texts(root)).toEqual([
      "Trending sounds",
      "US · last 7 days",
      "1",
      "–",
      "New Sun",
      "Chihei Hatakeyama",
      "2",
      "▲3",
      "Midnight Drift",
      "Mira Sol",
      "3",
      "▼1",
      "Echo Hearts",
      "The Quiet Hours",
      // rank_diff null: no movement at all.
      "4",
      "Summer Lights",
      "DJ Parallax",
      "5",
      "▲12",
      "Neon Runaway",
      "Lena Voss",
    ]);
  });

  it("draws each row's trend as a line relative to its peak, at most 30 points", () => {
    const [line] = named(root, "polyline");
    // New Sun: 0.06, 0.05, 0.31, 0.3, 0.1, 0.36, 1 → 6, 5, 31, 30, 10, 36, 100, upside down.
    expect(line?.attributes.points).toBe("0,94 1,95 2,69 3,70 4,90 5,64 6,0");
    const day = (index: number) => ({ date: `d${index}`, value: index % 7 === 3 ? 2 : 1 });
    const long = { ...first, trend: Array.from({ length: 120 }, (_, index) => day(index)) };
    const points = named(parseXml(render(withSounds([long]), 1)), "polyline")[0]?.attributes.points?.split(" ");
    expect(points).toHaveLength(MAX_TREND_POINTS);
    // Each point is the highest of its four days: no peak is lost.
    expect(points?.filter((point) => point.endsWith(",0"))).toHaveLength(17);
    const lone = named(parseXml(render(withSounds([{ ...first, trend: [{ date: "d", value: 3 }] }]), 1)), "polyline");
    expect(lone[0]?.attributes.points).toBe("0,0 1,0");
    expect(named(parseXml(render(withSounds([{ ...first, trend: [] }]), 1)), "polyline")).toHaveLength(0);
  });

  it("says which filters are on in the heading and the title", () => {
    const filtered = parseXml(render({ ...chart, new_to_top_100: true, commercial_music: true, period: 30 }));
    expect(texts(filtered)[1]).toBe("US · last 30 days · new to top 100 · commercial");
    expect(filtered.children[0]?.text).toBe("Trending TikTok sounds in US, last 30 days, new to top 100, commercial");
    const commercial = parseXml(render({ ...chart, commercial_music: true, region: "GB" }));
    expect(texts(commercial)[1]).toBe("GB · last 7 days · commercial");
  });

  it("draws an empty chart as a card saying so, at the limit's height", () => {
    for (const limit of [1, 5]) {
      const svg = render(withSounds([]), limit);
      const empty = parseXml(svg);
      expect(empty.attributes.height).toBe(String(80 + 40 * limit));
      expect(texts(empty)).toEqual(["Trending sounds", "US · last 7 days", "No sounds in this chart right now."]);
      expect(empty.children[1]?.text).toBe("No sounds in this chart right now.");
      expect(named(empty, "polyline")).toHaveLength(0);
      expect(inertnessProblems(empty)).toEqual([]);
    }
  });

  it("shows KeyAPI's rank, or the position when the rank is unusable; movement only when it is a whole number", () => {
    const odd = [Number.NaN, 2.5, -1, 0, 1e300, null].map((rank, index) => ({
      ...first,
      rank,
      rank_diff: [Number.NaN, 2.5, 1e300, -0, -7, null][index] as number | null,
    }));
    const shown = texts(parseXml(render(withSounds(odd), 6))).filter((text) => /^[0-9▲▼–]/.test(text));
    expect(shown).toEqual(["1", "2", "3", "4", "–", "5", "▼7", "6"]);
  });

  it("is inert and self-contained, with system fonts only", () => {
    expect(inertnessProblems(root)).toEqual([]);
    const style = named(root, "style")[0]?.text ?? "";
    expect(style).toContain("font-family:system-ui");
    expect(svg).not.toMatch(/<script|foreignObject|href|src=|url\(|@import|@font-face/i);
  });

  it("follows prefers-color-scheme when auto, and only its own palette when light or dark", () => {
    const style = (theme: (typeof THEMES)[number]) => named(parseXml(render(chart, 5, theme)), "style")[0]?.text;
    expect(style("auto")).toMatch(/\.b\{fill:#fff;.*@media \(prefers-color-scheme:dark\)\{\.b\{fill:#17191e;/);
    expect(style("light")).not.toMatch(/@media|#17191e/);
    expect(style("dark")).toContain(".b{fill:#17191e;");
    expect(style("dark")).not.toMatch(/@media|fill:#fff;stroke/);
  });
});

group("the chart card's size", () => {
  it("is at most 6 KiB gzipped for limit=10, in every theme, even with 120-day trends and 1,000-character titles", async () => {
    // Mixed scripts at random: text that compresses badly.
    const { random, text: noise } = seededNoise(17);
    const sounds = chart.sounds.slice(0, 10).map((sound, index) => ({
      ...sound,
      rank: 91 + index,
      rank_diff: -999 + index,
      title: noise(),
      author: noise(),
      trend: Array.from({ length: 120 }, (_, day) => ({ date: `d${day}`, value: random() })),
    }));
    const worst = { ...chart, period: 120, new_to_top_100: true, commercial_music: true, sounds };
    for (const theme of THEMES) {
      for (const payload of [chart, worst]) {
        expect(await gzipSize(render(payload, 10, theme)), theme).toBeLessThanOrEqual(6 * 1024);
      }
    }
  });
});

group("hostile text from KeyAPI on every row", () => {
  it.each(HOSTILE_TEXT)(
    "%s, in every field of every row and in every theme, stays well-formed, inert, clean and within its box",
    (_name, value) => {
      for (const theme of THEMES) {
        const svg = render(hostileChart(chart, value), 10, theme);
        const root = parseXml(svg);
        expect(inertnessProblems(root)).toEqual([]);
        // Only the card's own elements, as many as for harmless text: nothing was injected.
        const names = [...elements(root)].map((element) => element.name).sort();
        const harmless = [...elements(parseXml(render(hostileChart(chart, "x"), 10, theme)))]
          .map((element) => element.name)
          .sort();
        expect(names).toEqual(harmless);
        expect(svg).not.toMatch(BIDI);
        expect(svg).not.toMatch(FORBIDDEN);
        expect(svg.length).toBeLessThan(20_000);
        expect(textsWiderThanTheirBox(root)).toEqual([]);
        for (const text of texts(root)) expect([...text].length, text).toBeLessThanOrEqual(100);
        // The accessible name is cut too (80 ems, as the sound card's).
        expect(textWidth(root.children[0]?.text ?? "", { size: 1 })).toBeLessThanOrEqual(80);
      }
    },
  );

  it("shows the text itself, escaped rather than dropped", () => {
    const root = parseXml(render(hostileChart(chart, "<b>&amp;\"'</b>"), 1));
    expect(texts(root)).toContain("<b>&amp;\"'</b>");
    expect(root.children[1]?.text).toBe("1. <b>&amp;\"'</b> — <b>&amp;\"'</b>");
  });

  it("shortens a 1,000-character title and author on every row with an ellipsis, in the card and its <desc>", () => {
    const long = withSounds(
      chart.sounds.slice(0, 10).map((sound) => ({ ...sound, title: "T".repeat(1000), author: "a".repeat(1000) })),
    );
    const root = parseXml(render(long, 10));
    const rows = texts(root).filter((text) => /^(T{5}|a{5})/.test(text));
    expect(rows).toHaveLength(20);
    for (const text of rows) {
      expect(text.endsWith("…")).toBe(true);
      expect(text.length).toBeLessThan(80);
    }
    expect(textsWiderThanTheirBox(root)).toEqual([]);
    const lines = root.children[1]?.text.split("; ") ?? [];
    expect(lines).toHaveLength(10);
    for (const line of lines) expect(line).toMatch(/^\d+\. T+…$/);
    expect(allText(root).length).toBeLessThan(3000);
  });
});
