/** Hostile text from KeyAPI shared by the embeds' tests (escape and text, the card in workerd and in Chromium, oEmbed, the embed page). */
import type { SoundPayload } from "../../src/domain/sound";
import example from "../fixtures/example-payload.json";

/** The documented example with `value` in every text field KeyAPI fills, and in the URLs. */
export function hostilePayload(value: string): SoundPayload {
  return {
    ...(example as SoundPayload),
    title: value,
    author: value,
    region: value,
    cover: value,
    link: value,
    countries: [1, 2, 3, 4].map((n) => ({ code: value, name: value, score: n })),
    interests: [1, 2, 3, 4].map((n) => ({ name: value, score: n })),
    trend: [
      { date: value, value: 1 },
      { date: "2026-02-02", value: Number.NaN },
    ],
  };
}

/**
 * Text that measures as zero width: prepended concatenation marks, the end of
 * ayah, soft hyphens, zero-width joiner runs, variation selectors and tags
 * outside emoji, Hangul fillers. Each row is 1,000 characters or more.
 */
export const ZERO_WIDTH_TEXT: [string, string][] = [
  ["prepended marks (U+0600–U+0605)", "\u0600\u0601\u0602\u0603\u0604\u0605x".repeat(150)],
  ["end of ayah (U+06DD) runs", `${"\u06DD".repeat(900)}New Sun${"\u06DD".repeat(100)}`],
  ["soft hyphens", "so\u00ADft\u00AD".repeat(200)],
  ["zero-width joiner runs", `a${"\u200D".repeat(999)}`],
  ["joiners between letters", "a\u200Db\u200C".repeat(250)],
  ["variation selectors and tags outside emoji", "x\uFE0F\uFE00\u{E0041}\u{E007F}\u{E0100}".repeat(125)],
  ["Hangul fillers and word joiners", "x\u3164\u115F\u1160\uFFA0\u2060\u034F".repeat(150)],
];

/** Emoji sequences whose joiners, selectors and tags must survive cleaning. */
export const EMOJI_SEQUENCES = [
  "👩‍👩‍👧‍👦", // family: ZWJ between pictographs
  "🇺🇸", // flag: regional indicators
  "1️⃣", // keycap: digit, VS16, enclosing keycap
  "#️⃣",
  "👍🏽", // skin tone
  "🧑🏾‍🦱", // skin tone and ZWJ
  "🏳️‍🌈", // VS16 and ZWJ
  "❤️‍🔥",
  "👩‍❤️‍💋‍👨",
  "🏴󠁧󠁢󠁳󠁣󠁴󠁿", // subdivision flag: tag letters and cancel tag
  "©️", // VS16 after an emoji base
];
