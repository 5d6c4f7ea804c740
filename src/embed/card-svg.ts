/**
 * The sound card as one self-contained SVG document, for places that show an
 * image and run nothing: READMEs (through GitHub's image proxy), Markdown
 * docs, CMS pages, newsletters. Pure: a payload and a theme in, a string out.
 *
 * Inert by construction: no script, no event attributes, no foreignObject, no
 * link, no external reference of any kind (an SVG shown through `<img>` could
 * not load one anyway), system fonts only. Every value that is not a literal
 * of this file goes through `xmlText`/`xmlAttr`; every value from KeyAPI is
 * cleaned and shortened to its box first (facts.ts, text.ts), and each text box
 * is its own nested `<svg>` viewport, which clips whatever a width estimate
 * got wrong.
 */

import type { Theme } from "../domain/query";
import type { SoundPayload, SoundQuery } from "../domain/sound";
import { xmlText } from "./escape";
import { type SoundFacts, soundFacts } from "./facts";
import { capText, cleanText, type Font, fitText, TEXT_CAPS, textWidth, wrapText } from "./text";

export const CARD_WIDTH = 480;
export const CARD_HEIGHT = 220;
export const ERROR_CARD_HEIGHT = 112;
/** Bump when the drawing changes, so card ETags change with it. */
export const CARD_RENDERER_VERSION = 1;
/** The ids `aria-labelledby` names; one card per document (an `<img>`, or the embed page). */
export const CARD_TITLE_ID = "tiktok-sound-title";
export const CARD_DESC_ID = "tiktok-sound-desc";

export const FONT_STACK = `system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif`;

/** The widget's default colours, so the three surfaces look alike. */
export const PALETTES = {
  light: { bg: "#fff", fg: "#16181d", muted: "#5a606b", accent: "#e0294f", line: "#dde0e5", onAccent: "#fff" },
  dark: { bg: "#17191e", fg: "#f1f2f4", muted: "#a7adb8", accent: "#ff5c7a", line: "#30343c", onAccent: "#17191e" },
} as const;

export type Palette = (typeof PALETTES)[keyof typeof PALETTES];

const colours = (p: Palette) =>
  `.b{fill:${p.bg};stroke:${p.line}}.f{fill:${p.fg}}.m{fill:${p.muted}}.a{fill:${p.accent}}` +
  `.o{fill:${p.onAccent}}.l{fill:${p.line}}.s{stroke:${p.accent}}.c{stroke:${p.line}}`;

const SHAPES =
  `text{font-family:${FONT_STACK};font-size:12px}.t{font-size:16px;font-weight:600}.u{font-size:13px}` +
  ".x{font-size:11px}.s{fill:none;stroke-width:2;stroke-linejoin:round;stroke-linecap:round}.r{fill-opacity:.14}" +
  ".c{fill:none}";

/** Literal CSS only: no value from outside ever reaches the stylesheet. */
function stylesheet(theme: Theme): string {
  if (theme === "light") return SHAPES + colours(PALETTES.light);
  if (theme === "dark") return SHAPES + colours(PALETTES.dark);
  return `${SHAPES}${colours(PALETTES.light)}@media (prefers-color-scheme:dark){${colours(PALETTES.dark)}}`;
}

export const FONTS = {
  title: { size: 16, bold: true },
  author: { size: 13 },
  small: { size: 12 },
  tiny: { size: 11 },
} satisfies Record<string, Font>;

/** The root element, its accessible name (title) and description, and its styles. */
export function document(height: number, label: string, description: string, theme: Theme, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${CARD_WIDTH}" height="${height}" ` +
    `viewBox="0 0 ${CARD_WIDTH} ${height}" role="img" aria-labelledby="${CARD_TITLE_ID} ${CARD_DESC_ID}">` +
    `<title id="${CARD_TITLE_ID}">${xmlText(label)}</title>` +
    `<desc id="${CARD_DESC_ID}">${xmlText(description)}</desc>` +
    `<style>${stylesheet(theme)}</style>` +
    `<rect class="b" x=".5" y=".5" width="${CARD_WIDTH - 1}" height="${height - 1}" rx="14"/>` +
    body +
    "</svg>"
  );
}

/** A clipping viewport for one box of text; hidden from assistive technology, which reads `<title>` and `<desc>`. */
export const box = (x: number, y: number, width: number, height: number, content: string) =>
  `<svg x="${x}" y="${y}" width="${width}" height="${height}" aria-hidden="true">${content}</svg>`;

export const text = (x: number, y: number, className: string, value: string, anchor?: "end" | "middle") =>
  `<text x="${x}" y="${y}" class="${className}"${anchor ? ` text-anchor="${anchor}"` : ""}>${xmlText(value)}</text>`;

/** The note in the card's tile, and in public/favicon.svg. */
export const MUSIC_NOTE = "M12 3v10.3a3.5 3.5 0 1 0 2 3.2V7h4V3z";

const SPARK = { left: 16, right: 464, top: 84, base: 128 };
const COLUMNS = [92, 216, 340];
const CELL = 116;

function sparkline(facts: SoundFacts, period: number): string {
  const { trend } = facts;
  if (trend.length === 0) {
    return text(CARD_WIDTH / 2, 110, "x m", `No trend data for the last ${period} days`, "middle");
  }
  const width = SPARK.right - SPARK.left;
  const height = SPARK.base - SPARK.top;
  const points = trend.map((value, index) => {
    const x = trend.length > 1 ? SPARK.left + (index / (trend.length - 1)) * width : CARD_WIDTH / 2;
    return `${x.toFixed(1)},${(SPARK.base - (value / 100) * height).toFixed(1)}`;
  });
  const [lastX, lastY] = (points.at(-1) ?? "0,0").split(",");
  const firstX = points[0]?.split(",")[0] ?? String(SPARK.left);
  return (
    `<polygon class="a r" points="${firstX},${SPARK.base} ${points.join(" ")} ${lastX},${SPARK.base}"/>` +
    `<polyline class="s" points="${points.join(" ")}"/>` +
    `<circle class="a" cx="${lastX}" cy="${lastY}" r="3"/>` +
    (facts.firstDay ? text(SPARK.left, 144, "x m", facts.firstDay) : "") +
    (facts.lastDay && trend.length > 1 ? text(SPARK.right, 144, "x m", facts.lastDay, "end") : "")
  );
}

function countryRow(facts: SoundFacts): string {
  const label = text(16, 170, "x m", "Countries");
  if (facts.countries.length === 0) return label + text(COLUMNS[0] as number, 170, "x m", "No audience data");
  return (
    label +
    facts.countries
      .map((country, index) => {
        const x = COLUMNS[index] as number;
        // The name ends where the share begins, with a gap.
        const name = fitText(country.name, CELL - textWidth(country.percent, FONTS.small) - 6, FONTS.small);
        const bar = Math.round(CELL * country.share * 10) / 10;
        return (
          box(x, 156, CELL, 18, text(0, 14, "f", name) + text(CELL, 14, "m", country.percent, "end")) +
          `<rect class="l" x="${x}" y="176" width="${CELL}" height="3" rx="1.5"/>` +
          `<rect class="a" x="${x}" y="176" width="${bar}" height="3" rx="1.5"/>`
        );
      })
      .join("")
  );
}

function interestRow(facts: SoundFacts): string {
  const label = text(16, 202, "x m", "Interests");
  if (facts.interests.length === 0) return label + text(COLUMNS[0] as number, 202, "x m", "No audience data");
  return (
    label +
    facts.interests
      .map((interest, index) => {
        const x = COLUMNS[index] as number;
        return (
          `<rect class="c" x="${x + 0.5}" y="188.5" width="${CELL - 1}" height="19" rx="9.5"/>` +
          box(x + 8, 188, CELL - 16, 20, text(0, 14, "f", fitText(interest, CELL - 16, FONTS.small)))
        );
      })
      .join("")
  );
}

/** The text summary for `<desc>`: the trend in the widget's words, then the lists. */
function description(facts: SoundFacts): string {
  const short = (value: string) => capText(value, TEXT_CAPS.detail);
  const parts = [facts.summary, `${short(facts.facts)}.`];
  if (facts.countries.length > 0) {
    parts.push(`Top countries: ${facts.countries.map((c) => `${short(c.name)} ${c.percent}`).join(", ")}.`);
  }
  if (facts.interests.length > 0) parts.push(`Top interests: ${facts.interests.map(short).join(", ")}.`);
  return parts.join(" ");
}

/**
 * The card for a sound (480×220).
 *
 * @example renderCardSvg(payload, { clipId: "6703723351497508865", period: 7, region: "US" }, "auto")
 */
export function renderCardSvg(sound: SoundPayload, query: SoundQuery, theme: Theme): string {
  const facts = soundFacts(sound, query);
  const heading =
    text(0, 18, "t f", fitText(facts.title, 384, FONTS.title)) +
    (facts.author ? text(0, 37, "u m", fitText(facts.author, 384, FONTS.author)) : "") +
    text(0, 52, "x m", fitText(facts.facts, 384, FONTS.tiny));
  const body =
    `<rect class="a" x="16" y="16" width="52" height="52" rx="10"/>` +
    `<path class="o" transform="translate(24 23) scale(1.5)" d="${MUSIC_NOTE}"/>` +
    box(80, 16, 384, 56, heading) +
    sparkline(facts, sound.period) +
    countryRow(facts) +
    interestRow(facts);
  return document(CARD_HEIGHT, capText(facts.label, TEXT_CAPS.label), description(facts), theme, body);
}

export type CardNotice = {
  /** A short heading, e.g. "Sound not found". */
  heading: string;
  /** One or two lines of explanation. */
  detail: string;
  /** Drawn in the round icon: `?` for something missing, `!` for a failure. */
  icon: "?" | "!";
};

/**
 * A small card saying what went wrong (480×112): errors are images too, since
 * an image proxy shows nothing for a broken one.
 *
 * @example renderNoticeSvg({ heading: "Sound not found", detail: "…", icon: "?" }, "dark")
 */
export function renderNoticeSvg(notice: CardNotice, theme: Theme): string {
  const heading = cleanText(notice.heading);
  const detail = cleanText(notice.detail);
  const lines = wrapText(detail, 380, FONTS.author, 2);
  const body =
    `<circle class="l" cx="44" cy="44" r="22"/>` +
    text(44, 52, "t f", notice.icon, "middle") +
    box(
      80,
      16,
      384,
      84,
      text(0, 22, "t f", fitText(heading, 384, FONTS.title)) +
        lines.map((line, index) => text(0, 46 + index * 19, "u m", line)).join(""),
    );
  return document(ERROR_CARD_HEIGHT, heading, detail, theme, body);
}
