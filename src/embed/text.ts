/**
 * Text from KeyAPI made fit to draw: cleaned of what must not be shown, and
 * shortened to the width of its box. An SVG has no layout engine for us to ask,
 * so widths are estimated per character from the metrics of DejaVu Sans (Book,
 * and Bold for bold text): the default sans-serif on Linux and the widest common
 * fallback for the card's font stack, so text that fits it fits the narrower
 * system fonts too. Every shortened value also has a hard cap in code points,
 * whatever the estimate says, and the card clips each text box, so a wrong
 * guess can cut a glyph but never overflow into its neighbour.
 */
import { stripForbidden } from "./escape";

/** A subdivision flag: black flag, tag letters, cancel tag (🏴󠁧󠁢󠁳󠁣󠁴󠁿). */
const SUBDIVISION_FLAG = String.raw`\u{1F3F4}[\u{E0020}-\u{E007E}]+\u{E007F}`;
/** A pictograph with an optional skin tone or presentation selector (👍🏽, ❤️). */
const PICTOGRAPH = String.raw`\p{Extended_Pictographic}[\u{1F3FB}-\u{1F3FF}\uFE0E\uFE0F]?`;
/** Up to four pictographs joined by ZWJ (👩‍👩‍👧‍👦, 🏳️‍🌈); no emoji is longer. */
const EMOJI_ZWJ_SEQUENCE = String.raw`${PICTOGRAPH}(?:\u200D${PICTOGRAPH}){0,3}`;
const KEYCAP = String.raw`[0-9#*]\uFE0F\u20E3`;
/** One ZWJ or ZWNJ between two letters: Persian and Indic scripts need them. */
const JOINER_IN_WORD = String.raw`(?<=[\p{L}\p{M}])[\u200C\u200D](?=[\p{L}\p{M}])`;
/**
 * Default-ignorable and format characters (Unicode Default_Ignorable_Code_Point,
 * general category Cf): zero-width spaces and joiners, bidi controls, soft
 * hyphens, prepended concatenation marks (U+0600–U+0605, U+06DD), variation
 * selectors, tags, Hangul fillers. They draw nothing, so they measure as
 * nothing, and a title of a thousand of them passes any width check.
 */
const IGNORABLE = String.raw`[\p{Default_Ignorable_Code_Point}\p{Cf}]`;
/** What a sequence needs (captured, kept), else an ignorable character (removed). */
const SEQUENCE_OR_IGNORABLE = new RegExp(
  `(${SUBDIVISION_FLAG}|${EMOJI_ZWJ_SEQUENCE}|${KEYCAP}|${JOINER_IN_WORD})|${IGNORABLE}`,
  "gu",
);
/** More than three combining marks on one character only stack upwards ("Zalgo"). */
const MARK_PILES = /(\p{M}{3})\p{M}+/gu;
const WHITESPACE = /\s+/g;
/** Nothing we draw needs more; a longer value is cut before it is measured. */
const MAX_INPUT_LENGTH = 1000;

/**
 * One line of plain text: forbidden, default-ignorable and format characters
 * removed (bidi controls included) unless an emoji sequence needs them, mark
 * piles trimmed, whitespace (tabs, newlines, U+2028) collapsed.
 *
 * @example cleanText(" New\u202E Sun\u00AD\n") // → "New Sun"
 */
export function cleanText(value: string): string {
  return stripForbidden(value.slice(0, MAX_INPUT_LENGTH))
    .normalize("NFC")
    .replace(SEQUENCE_OR_IGNORABLE, (_, kept: string | undefined) => kept ?? "")
    .replace(MARK_PILES, "$1")
    .replace(WHITESPACE, " ")
    .trim();
}

export type Font = { size: number; bold?: boolean };

const ELLIPSIS = "…";

/**
 * Hard caps in code points (the ellipsis included) of text no box limits, as
 * the README states them: page titles and link-preview labels, oEmbed's
 * `title` and `author_name`, and each name and the facts line ("1:00 · US ·
 * last 7 days") in a description.
 */
export const TEXT_CAPS = { label: 90, oembed: 150, detail: 60 } as const;

/** The code points the width table covers: ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic, dashes and quotes. */
export const DEJAVU_RANGES: readonly (readonly [first: number, last: number])[] = [
  [0x20, 0x7e],
  [0xa0, 0x17f],
  [0x386, 0x3ce],
  [0x400, 0x45f],
  [0x2010, 0x2027],
];

/**
 * Advance widths of DejaVu Sans 2.37, Book and Bold, for `DEJAVU_RANGES`: one
 * letter per code point, its width in twentieths of an em rounded up, counted
 * from "@" ("T" is 20, one em). Measured in Chromium (canvas `measureText` at
 * 100 px); test/node/card-text.browser.test.ts measures every code point again
 * and fails when the font disagrees. Other accented letters are measured by
 * their base letter.
 */
export const DEJAVU_WIDTHS = {
  regular: [
    "GIJQMTPFHHJQGHGGMMMMMMMMMMGGQQQKTNNNPMLPPFFNLROPMPNMMONTNMNHGHQJJMMKMMHMMFFLFTMMMMIKHMLQLLKMGMQ",
    "GIMMMMGJJTJMQ@TJJQIIJMMGJIJMTTTKNNNNNNTNMMMMFFFFPOPPPPPQPOOOOMMMMMMMMMTKMMMMFFFFMMMMMMMQMMMMMLMLNMNMNMNKNKNKNKPMPMMMMMMMMMMMPMPMPMPMPMSNFFFFFFFFFFLLFFNLLLFLFLHLGLFOMOMOMQOMPMPMPMVUNININIMKMKMKMKMHMHMHOMOMOMOMOMOMTQMLMNKNKNKH",
    "NGORIMQMQQGNNLNMNPPFNNROMPPMMMMMPNPPFMNKMGLNMLMKKMMGLLMLLMMMLMMLNLNQGLMLQ",
    "MMPMNMFFFVUPOOMPNNNMPMVMOOOPRPPPMNMMRNPNVVQRNNVNMMLKNMSKMMMMPNMNMKLLRLNLSSOPLKQMMMMKKKFFFSRNMMLN",
    "HHMJTTJJGGGGKKKKJJLLGNTG",
  ],
  bold: [
    "GJKQNURGJJKQHIHHNNNNNNNNNNHHQQQLTPPOQNNQQHHPMTQRORPONQPWPOOJHJQJJNOLONIOOGGNGUONOOJLJONSMNLOHOQ",
    "GJNNMNHJJTLMQ@TJJQIIJOMHJILMUUULPPPPPPVONNNNHHHHQQRRRRRQRQQQQOOONNNNNNULNNNNGGGGNONNNNNQNOOOONONPNPNPNOLOLOLOLQOQONNNNNNNNNNQOQOQOQOQOTPHGHGHGHGHGONHGPNNMGMGMJMLMHQOQOQOTQORNRNRNXVPJPJPJOLOLOLOLNJNJNJQOQOQOQOQOQOWSONOOLOLOLI",
    "PHQULMRMTRHPPMPNOQRHPPTQMRQOMNNORPQRHONLOHNNONNLLONHOMONLNPOLPMNPMPRHNNNR",
    "NNRMOOHHHXWRQQPQPPPMRNYOQQQQTQRQOONPTPSQY[SUPOXPNNMKQNTLOONOQNNNOLLNTMONVWPSMLTMNNOKLLGGGTTONONN",
    "IINJTTJJHHHHNNNNJJMMGNTG",
  ],
} as const;

/**
 * Letters of other scripts, per weight: the widest letters of those DejaVu
 * draws (Arabic, Armenian, Georgian, Hebrew) are about this wide, and the
 * fonts that draw the others (Devanagari, Thai, …) are narrower.
 */
const OTHER_EMS = { regular: 1, bold: 1.1 };
/** East Asian wide and fullwidth characters: 1 em in CJK fonts. */
const WIDE_EMS = 1.05;
/** One emoji in an emoji font (Noto Color Emoji, Apple Color Emoji: 1.25 em). */
const EMOJI_EMS = 1.3;
/**
 * Without an emoji font, each part of an emoji sequence is drawn on its own,
 * DejaVu's missing-glyph box is 0.6 em wide, and the few emoji it has are ~1 em.
 */
const EMOJI_PART_EMS = 0.7;
const graphemes = new Intl.Segmenter("en", { granularity: "grapheme" });
const EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20E3/u;
/** What an emoji sequence draws nothing for, even as separate glyphs. */
const EMOJI_GLUE = /[\u200D\uFE0E\uFE0F\u20E3\u{E0020}-\u{E007F}]/gu;
const MARK = /\p{M}/u;

type Weight = keyof typeof DEJAVU_WIDTHS;
const narrowest: Partial<Record<Weight, number>> = {};

/** The table's narrowest character, per weight (0.3 em: i, j, l; 0.35 em in Bold). */
function narrowestEms(weight: Weight): number {
  const known = narrowest[weight];
  if (known !== undefined) return known;
  let least = Number.POSITIVE_INFINITY;
  for (const widths of DEJAVU_WIDTHS[weight]) {
    for (let index = 0; index < widths.length; index++) {
      const twentieths = widths.charCodeAt(index) - 64;
      if (twentieths > 0) least = Math.min(least, twentieths);
    }
  }
  narrowest[weight] = least / 20;
  return least / 20;
}

/** A code point's width in the table, or undefined when the table does not cover it (or it draws nothing). */
function dejaVuEms(code: number, weight: Weight): number | undefined {
  for (let range = 0; range < DEJAVU_RANGES.length; range++) {
    const [first, last] = DEJAVU_RANGES[range] as readonly [number, number];
    if (code < first || code > last) continue;
    const twentieths = (DEJAVU_WIDTHS[weight][range] as string).charCodeAt(code - first) - 64;
    return twentieths > 0 ? twentieths / 20 : undefined;
  }
  return undefined;
}

const weightOf = (font: Font): Weight => (font.bold ? "bold" : "regular");

function isWide(code: number): boolean {
  // Hangul Jamo, CJK, Hiragana/Katakana, Hangul, compatibility ideographs, vertical and fullwidth forms.
  return (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    code >= 0x20000
  );
}

const codePoints = (text: string) => {
  let count = 0;
  for (const _ of text) count++;
  return count;
};

/** Width of one grapheme in ems. */
function ems(grapheme: string, weight: Weight): number {
  const code = grapheme.codePointAt(0) ?? 0;
  const single = grapheme.length === 1 || (code > 0xffff && grapheme.length === 2);
  const known = single ? dejaVuEms(code, weight) : undefined;
  if (known !== undefined) return known;
  if (EMOJI.test(grapheme)) return Math.max(EMOJI_EMS, EMOJI_PART_EMS * codePoints(grapheme.replace(EMOJI_GLUE, "")));
  if (isWide(code)) return WIDE_EMS;
  // Marks draw on the character before them; a grapheme starts with one only at the start of the text.
  if (MARK.test(String.fromCodePoint(code))) return 0;
  const base = grapheme.normalize("NFD").codePointAt(0) ?? code;
  return dejaVuEms(base, weight) ?? OTHER_EMS[weight];
}

function emsOf(text: string, weight: Weight): number {
  let total = 0;
  for (const { segment } of graphemes.segment(text)) total += ems(segment, weight);
  return total;
}

/** Estimated width in pixels of `text` in `font`. */
export function textWidth(text: string, font: Font): number {
  return emsOf(text, weightOf(font)) * font.size;
}

/**
 * The most code points a box `maxWidth` wide holds in `font`: as many of the
 * narrowest characters as fit. Text that measures as less (marks, emoji
 * sequences) is still cut there.
 */
export function maxCodePoints(maxWidth: number, font: Font): number {
  return Math.floor(maxWidth / (font.size * narrowestEms(weightOf(font))));
}

/**
 * The text, shortened with an ellipsis at a grapheme boundary (never inside an
 * emoji or before its combining marks) so that its estimated width fits
 * `maxWidth` and it holds at most `maxCodePoints(maxWidth, font)` code points.
 *
 * @example fitText("A very long title …", 120, { size: 16, bold: true })
 */
export function fitText(text: string, maxWidth: number, font: Font): string {
  return shorten(text, maxCodePoints(maxWidth, font), weightOf(font), maxWidth / font.size);
}

/**
 * Text nothing draws in a box (page titles, link previews, oEmbed fields,
 * accessible names), shortened with an ellipsis at a grapheme boundary to at
 * most `limit` code points, the ellipsis included.
 *
 * @example capText("x".repeat(200), 150).length // → 150
 */
export function capText(text: string, limit: number): string {
  return shorten(text, limit);
}

/** Cut to `limit` code points and, with a `weight`, to `maxEms`; the ellipsis counts in both. */
function shorten(text: string, limit: number, weight?: Weight, maxEms = Number.POSITIVE_INFINITY): string {
  // A UTF-16 length within the limit means as many code points at most.
  const withinLimit = text.length <= limit || codePoints(text) <= limit;
  if (withinLimit && (!weight || emsOf(text, weight) <= maxEms)) return text;
  let emsLeft = weight ? maxEms - ems(ELLIPSIS, weight) : maxEms;
  let codePointsLeft = limit - 1;
  let kept = "";
  for (const { segment } of graphemes.segment(text)) {
    if (weight) emsLeft -= ems(segment, weight);
    codePointsLeft -= codePoints(segment);
    if (emsLeft < 0 || codePointsLeft < 0) break;
    kept += segment;
  }
  return `${kept.trimEnd()}${ELLIPSIS}`;
}

/**
 * Up to `maxLines` lines of at most `maxWidth` (and its code-point cap), broken
 * at spaces (a word too long for a line is cut); the last line ends with an
 * ellipsis when text is left.
 */
export function wrapText(text: string, maxWidth: number, font: Font, maxLines: number): string[] {
  const limit = maxCodePoints(maxWidth, font);
  const fits = (line: string) => codePoints(line) <= limit && textWidth(line, font) <= maxWidth;
  const lines: string[] = [];
  let line = "";
  const words = text.split(" ");
  for (let index = 0; index < words.length; index++) {
    const word = words[index] as string;
    const candidate = line ? `${line} ${word}` : word;
    if (fits(candidate)) {
      line = candidate;
      continue;
    }
    if (lines.length === maxLines - 1) {
      lines.push(fitText(`${candidate} ${words.slice(index + 1).join(" ")}`.trim(), maxWidth, font));
      return lines;
    }
    if (line) lines.push(line);
    line = fits(word) ? word : fitText(word, maxWidth, font);
    if (lines.length === maxLines) return lines;
  }
  if (line) lines.push(line);
  return lines;
}
