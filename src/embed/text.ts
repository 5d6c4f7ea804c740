/**
 * Text from KeyAPI made fit to draw: cleaned of what must not be shown, and
 * shortened to the width of its box. An SVG has no layout engine for us to ask,
 * so widths are estimated from character classes of a typical sans-serif
 * system font, on the generous side; the card also clips each text box, so a
 * wrong guess can cut a glyph but never overflow into its neighbour.
 */
import { stripForbidden } from "./escape";

/** Bidi embeddings, overrides, isolates and marks: text could otherwise reorder what is drawn after it. */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
/** Invisible characters with no business in a title: zero-width space, word joiner and friends, BOM. */
const INVISIBLE = /[\u200B\u2060-\u2064\uFEFF]/g;
/** More than three combining marks on one character only stack upwards ("Zalgo"). */
const MARK_PILES = /(\p{M}{3})\p{M}+/gu;
const WHITESPACE = /\s+/g;
/** Nothing we draw needs more; a longer value is cut before it is measured. */
const MAX_INPUT_LENGTH = 1000;

/**
 * One line of plain text: forbidden, bidi-control and invisible characters
 * removed, mark piles trimmed, whitespace (tabs, newlines, U+2028) collapsed.
 *
 * @example cleanText(" New\u202E Sun\n") // → "New Sun"
 */
export function cleanText(value: string): string {
  return stripForbidden(value.slice(0, MAX_INPUT_LENGTH))
    .normalize("NFC")
    .replace(BIDI_CONTROLS, "")
    .replace(INVISIBLE, "")
    .replace(MARK_PILES, "$1")
    .replace(WHITESPACE, " ")
    .trim();
}

export type Font = { size: number; bold?: boolean };

const ELLIPSIS = "…";
/** Bold glyphs are about this much wider. */
const BOLD = 1.1;
const graphemes = new Intl.Segmenter("en", { granularity: "grapheme" });

/** Width of one grapheme in ems, judged by its first code point. */
function ems(grapheme: string): number {
  const code = grapheme.codePointAt(0) ?? 0;
  if (/[\p{M}\p{Cf}]/u.test(grapheme[0] ?? "")) return 0;
  if (code < 0x80) {
    if (/[iljI.,:;'|!`]/.test(grapheme)) return 0.3;
    if (/[ ftr()[\]{}\-"/\\]/.test(grapheme)) return 0.4;
    if (/[mwMW@%]/.test(grapheme)) return 1.05;
    if (/[A-Z&#]/.test(grapheme)) return 0.72;
    if (/[0-9]/.test(grapheme)) return 0.6;
    return 0.58;
  }
  if (/\p{Extended_Pictographic}/u.test(grapheme)) return 1.3;
  // East Asian wide and fullwidth blocks: Hangul Jamo, CJK, Hiragana/Katakana, Hangul, compatibility, fullwidth forms.
  if (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    code >= 0x20000
  ) {
    return 1.05;
  }
  return 0.75;
}

/** Estimated width in pixels of `text` in `font`. */
export function textWidth(text: string, font: Font): number {
  let total = 0;
  for (const { segment } of graphemes.segment(text)) total += ems(segment);
  return total * font.size * (font.bold ? BOLD : 1);
}

/**
 * The text, shortened with an ellipsis at a grapheme boundary (never inside an
 * emoji or before its combining marks) so its estimated width fits `maxWidth`.
 *
 * @example fitText("A very long title …", 120, { size: 16, bold: true })
 */
export function fitText(text: string, maxWidth: number, font: Font): string {
  if (textWidth(text, font) <= maxWidth) return text;
  const scale = font.size * (font.bold ? BOLD : 1);
  let budget = maxWidth / scale - ems(ELLIPSIS);
  let kept = "";
  for (const { segment } of graphemes.segment(text)) {
    budget -= ems(segment);
    if (budget < 0) break;
    kept += segment;
  }
  return `${kept.trimEnd()}${ELLIPSIS}`;
}

/**
 * Up to `maxLines` lines of at most `maxWidth`, broken at spaces (a word too
 * long for a line is cut); the last line ends with an ellipsis when text is left.
 */
export function wrapText(text: string, maxWidth: number, font: Font, maxLines: number): string[] {
  const lines: string[] = [];
  let line = "";
  const words = text.split(" ");
  for (let index = 0; index < words.length; index++) {
    const word = words[index] as string;
    const candidate = line ? `${line} ${word}` : word;
    if (textWidth(candidate, font) <= maxWidth) {
      line = candidate;
      continue;
    }
    if (lines.length === maxLines - 1) {
      lines.push(fitText(`${candidate} ${words.slice(index + 1).join(" ")}`.trim(), maxWidth, font));
      return lines;
    }
    if (line) lines.push(line);
    line = textWidth(word, font) <= maxWidth ? word : fitText(word, maxWidth, font);
    if (lines.length === maxLines) return lines;
  }
  if (line) lines.push(line);
  return lines;
}
