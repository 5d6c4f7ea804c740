import { expect, describe as group, it } from "vitest";
import { ProblemError, type ProblemKind, problemKinds } from "../../src/domain/problems";
import { THEMES } from "../../src/domain/query";
import type { SoundPayload } from "../../src/domain/sound";
import {
  CARD_DESC_ID,
  CARD_HEIGHT,
  CARD_TITLE_ID,
  CARD_WIDTH,
  ERROR_CARD_HEIGHT,
  renderCardSvg,
  renderNoticeSvg,
} from "../../src/embed/card-svg";
import { noticeFor } from "../../src/embed/notice";
import { maxCodePoints } from "../../src/embed/text";
import example from "../fixtures/example-payload.json";
import {
  BIDI,
  EMOJI_SEQUENCES,
  FORBIDDEN,
  fontOf,
  HOSTILE_TEXT,
  hostilePayload,
  textsWiderThanTheirBox,
  ZERO_WIDTH_TEXT,
} from "../support/hostile-text";
import { allText, elements, inertnessProblems, parseXml, type XmlElement } from "../support/xml";

const payload = example as SoundPayload;
const query = { clipId: payload.clip_id, period: 7 as const, region: "US" };

const byClass = (root: XmlElement, name: string) =>
  [...elements(root)].filter((element) => element.attributes.class?.split(" ").includes(name));
const texts = (root: XmlElement) => [...elements(root)].filter((element) => element.name === "text");

group("the sound card", () => {
  const svg = renderCardSvg(payload, query, "auto");
  const root = parseXml(svg);

  it("is one well-formed SVG document of fixed size", () => {
    expect(root.name).toBe("svg");
    expect(root.uri).toBe("http://www.w3.org/2000/svg");
    expect(root.attributes).toMatchObject({
      width: String(CARD_WIDTH),
      height: String(CARD_HEIGHT),
      viewBox: `0 0 ${CARD_WIDTH} ${CARD_HEIGHT}`,
    });
  });

  it("is accessible: role=img, labelled by its <title> and <desc>", () => {
    expect(root.attributes.role).toBe("img");
    expect(root.attributes["aria-labelledby"]).toBe(`${CARD_TITLE_ID} ${CARD_DESC_ID}`);
    const [title, desc] = root.children;
    expect(title).toMatchObject({
      name: "title",
      attributes: { id: CARD_TITLE_ID },
      text: "New Sun — Chihei Hatakeyama",
    });
    expect(desc?.name).toBe("desc");
    expect(desc?.attributes.id).toBe(CARD_DESC_ID);
    expect(desc?.text).toBe(
      "Over 7 days (Jan 27 – Feb 2) popularity rose from 6 to 100, peaking on Feb 2. 1:00 · US · last 7 days. " +
        "Top countries: Latvia 18%, Croatia 13%, Lithuania 11%. " +
        "Top interests: Scripted Drama, Other Talent, Entertainment News.",
    );
  });

  it("shows title, author, facts, the trend with its dates, top 3 countries with share and top 3 interests", () => {
    const shown = texts(root).map((element) => element.text);
    expect(shown).toEqual([
      "New Sun",
      "Chihei Hatakeyama",
      "1:00 · US · last 7 days",
      "Jan 27",
      "Feb 2",
      "Countries",
      "Latvia",
      "18%",
      "Croatia",
      "13%",
      "Lithuania",
      "11%",
      "Interests",
      "Scripted Drama",
      "Other Talent",
      // "Entertainment News" is wider than its chip in DejaVu Sans.
      expect.stringMatching(/^Entertainmen.*…$/),
    ]);
    const line = [...elements(root)].find((element) => element.name === "polyline");
    expect(line?.attributes.points?.split(" ")).toHaveLength(7);
  });

  it("is inert and self-contained, with system fonts only", () => {
    expect(inertnessProblems(root)).toEqual([]);
    const style = [...elements(root)].find((element) => element.name === "style")?.text ?? "";
    expect(style).toContain("font-family:system-ui");
    expect(svg).not.toMatch(/<script|foreignObject|href|src=|url\(|@import|@font-face/i);
  });

  it("follows prefers-color-scheme when auto, and only its own palette when light or dark", () => {
    const style = (theme: (typeof THEMES)[number]) =>
      [...elements(parseXml(renderCardSvg(payload, query, theme)))].find((element) => element.name === "style")?.text;
    expect(style("auto")).toMatch(/\.b\{fill:#fff;.*@media \(prefers-color-scheme:dark\)\{\.b\{fill:#17191e;/);
    expect(style("light")).toContain(".b{fill:#fff;");
    expect(style("light")).not.toMatch(/@media|#17191e/);
    expect(style("dark")).toContain(".b{fill:#17191e;");
    expect(style("dark")).not.toMatch(/@media|fill:#fff;stroke/);
  });

  it("is at most 4 KiB gzipped for the documented example, in every theme", async () => {
    for (const theme of THEMES) {
      const gzipped = new Response(
        new Response(renderCardSvg(payload, query, theme)).body?.pipeThrough(new CompressionStream("gzip")),
      );
      expect((await gzipped.arrayBuffer()).byteLength, theme).toBeLessThanOrEqual(4096);
    }
  });

  it("says so when there is no trend or audience data", () => {
    const empty = parseXml(renderCardSvg({ ...payload, trend: [], countries: [], interests: [] }, query, "auto"));
    expect(allText(empty)).toContain("No trend data for the last 7 days");
    expect(texts(empty).filter((element) => element.text === "No audience data")).toHaveLength(2);
    expect([...elements(empty)].some((element) => element.name === "polyline")).toBe(false);
  });

  it("stands in for a missing title and author", () => {
    const untitled = parseXml(renderCardSvg({ ...payload, title: null, author: "  " }, query, "auto"));
    expect(untitled.children[0]?.text).toBe("Untitled sound");
  });
});

group("hostile text from KeyAPI", () => {
  it.each(HOSTILE_TEXT)(
    "%s, in every field and theme, stays well-formed, inert, clean and within its box",
    (_name, value) => {
      for (const theme of THEMES) {
        const svg = renderCardSvg(hostilePayload(value), query, theme);
        const root = parseXml(svg);
        expect(inertnessProblems(root)).toEqual([]);
        // Only the card's own elements, as many as for the example: nothing was injected.
        const names = [...elements(root)].map((element) => element.name).sort();
        const expected = [...elements(parseXml(renderCardSvg(hostilePayload("x"), query, theme)))]
          .map((element) => element.name)
          .sort();
        expect(names).toEqual(expected);
        expect(svg).not.toMatch(BIDI);
        expect(svg).not.toMatch(FORBIDDEN);
        expect(svg.length).toBeLessThan(12_000);

        // Every text in a clipping box fits it (by the same estimate), and no text is long.
        expect(textsWiderThanTheirBox(root)).toEqual([]);
        for (const element of texts(root)) {
          expect([...element.text].length, element.text).toBeLessThanOrEqual(maxCodePoints(384, fontOf(element)));
        }
        const [title] = byClass(root, "t");
        expect(title?.text.length).toBeGreaterThan(0);
      }
    },
  );

  it("shows the text itself, escaped rather than dropped", () => {
    const root = parseXml(renderCardSvg(hostilePayload("<b>&amp;\"'</b>"), query, "auto"));
    expect(byClass(root, "t")[0]?.text).toBe("<b>&amp;\"'</b>");
    expect(root.children[0]?.text).toBe("<b>&amp;\"'</b> — <b>&amp;\"'</b>");
  });

  it("shortens a 400-character title with an ellipsis, and the accessible name too", () => {
    const root = parseXml(renderCardSvg({ ...payload, title: "Long title ".repeat(40) }, query, "auto"));
    const title = byClass(root, "t")[0]?.text ?? "";
    expect(title.endsWith("…")).toBe(true);
    expect(title.length).toBeLessThan(50);
    expect(root.children[0]?.text.endsWith("…")).toBe(true);
    expect(root.children[0]?.text.length).toBeLessThan(200);
  });
});

group("text that measures as zero width", () => {
  it.each(ZERO_WIDTH_TEXT)("%s, in every field, leaves a small card with short texts", (_name, value) => {
    for (const theme of THEMES) {
      const svg = renderCardSvg(hostilePayload(value), query, theme);
      expect(svg.length).toBeLessThan(6_000);
      const root = parseXml(svg);
      for (const element of texts(root)) {
        expect([...element.text].length, element.text).toBeLessThanOrEqual(maxCodePoints(384, fontOf(element)));
      }
      expect([...(root.children[0]?.text ?? "")].length).toBeLessThanOrEqual(90);
    }
  });

  it("caps the names and the facts line in its description at 60 code points each", () => {
    const long = "Region".repeat(100);
    const desc = parseXml(renderCardSvg(hostilePayload(long), query, "auto")).children[1]?.text ?? "";
    const runs = desc.match(/(Region)+[A-Za-z]*…/g) ?? [];
    expect(runs).toHaveLength(7); // the facts line, three countries, three interests
    for (const run of runs) expect([...run].length, desc).toBeLessThanOrEqual(60);
    expect(desc).toMatch(/ 1:00 · (Region)+Regi…\. Top countries: /);
  });

  it("keeps emoji sequences whole in the title, the author and the accessible name", () => {
    const title = EMOJI_SEQUENCES.slice(0, 6).join(" ");
    const author = EMOJI_SEQUENCES.slice(6).join(" ");
    const root = parseXml(renderCardSvg({ ...payload, title, author }, query, "auto"));
    expect(byClass(root, "t")[0]?.text).toBe(title);
    expect(byClass(root, "u")[0]?.text).toBe(author);
    expect(root.children[0]?.text).toBe(`${title} — ${author}`);
  });
});

group("notice cards", () => {
  it.each(Object.keys(problemKinds) as ProblemKind[])("%s is drawn as a small, well-formed, inert card", (kind) => {
    const error = new ProblemError(kind, "Something <happened> & \u202Ehere", {
      errors: [{ param: "clip<id>", message: "must be 1 to 20 decimal digits (0-9)" }],
    });
    for (const theme of THEMES) {
      const svg = renderNoticeSvg(noticeFor(error, "sound", query), theme);
      const root = parseXml(svg);
      expect(root.attributes).toMatchObject({ width: "480", height: String(ERROR_CARD_HEIGHT), role: "img" });
      expect(inertnessProblems(root)).toEqual([]);
      expect(svg).not.toMatch(BIDI);
      expect(root.children[0]?.text.length).toBeGreaterThan(0);
    }
  });

  it("says what happened, in the widget's words", () => {
    const notFound = parseXml(
      renderNoticeSvg(
        noticeFor(new ProblemError("sound-not-found", "x"), "sound", { ...query, clipId: "404" }),
        "auto",
      ),
    );
    expect(notFound.children[0]?.text).toBe("Sound not found");
    expect(notFound.children[1]?.text).toBe("No trending sound with clip id 404 in US over the last 7 days.");

    const invalid = noticeFor(
      new ProblemError("invalid-query", "Invalid query parameters: clip_id, theme.", {
        errors: [
          { param: "clip_id", message: "is required" },
          { param: "theme", message: "must be one of light, dark or auto" },
        ],
      }),
    );
    expect(invalid).toEqual({
      heading: "Invalid query parameters",
      detail: "clip_id is required; theme must be one of light, dark or auto",
      icon: "!",
    });
    expect(noticeFor(new ProblemError("rate-limited", "Slow down.")).heading).toBe("Too many requests right now");
    expect(noticeFor(new ProblemError("credit-budget-exhausted", "Budget spent.")).heading).toBe(
      "The sound service is busy",
    );
    expect(noticeFor(new ProblemError("upstream-error", "KeyAPI failed.")).heading).toBe("Couldn't load this sound");
  });

  it("names a chart as a chart", () => {
    const chart = (kind: ProblemKind) => noticeFor(new ProblemError(kind, "x"), "chart").heading;
    expect(chart("credit-budget-exhausted")).toBe("The chart service is busy");
    expect(chart("upstream-unavailable")).toBe("The chart service is busy");
    expect(chart("upstream-error")).toBe("Couldn't load this chart");
    expect(chart("upstream-timeout")).toBe("Couldn't load this chart");
    expect(chart("origin-not-allowed")).toBe("Couldn't load this chart");
    expect(chart("rate-limited")).toBe("Too many requests right now");
    expect(chart("invalid-query")).toBe("Invalid query parameters");
  });
});
