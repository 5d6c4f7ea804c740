/**
 * Text from KeyAPI that tries to break an embed, shared by the tests of every
 * surface that draws it (escape and text, the sound card in workerd and in
 * Chromium, oEmbed, the embed page, the chart card, the chart page), and what
 * they check it against.
 */
import type { ChartPayload } from "../../src/domain/chart";
import type { SoundPayload } from "../../src/domain/sound";
import { textWidth } from "../../src/embed/text";
import example from "../fixtures/example-payload.json";
import { elements, type XmlElement } from "./xml";

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

/** Markup, escapes, direction, size, invisible and illegal characters. */
export const HOSTILE_TEXT: [string, string][] = [
  ["markup", `<script>alert(1)</script><img src=x onerror="alert(1)"><foreignObject/>`],
  ["quotes", `"'"' onload="alert(1)" x='`],
  ["entities", "&amp; &lt;svg&gt; &#x3C;script&#x3E; &nbsp; &bogus; &#0;"],
  ["CDATA and comments", "]]> <![CDATA[ <x/> ]]> <!-- --> <?xml-stylesheet href='x'?>"],
  ["bidi overrides", "\u202Egnp.exe\u202C \u2066isolated\u2069 \u202Dforced\u202C \u200Fmark"],
  ["emoji", "👩‍👩‍👧‍👦🎵🇺🇸👍🏽".repeat(20)],
  ["combining marks", `Z${"\u0300\u0301\u0302\u0303\u0304\u0305\u0306\u0307".repeat(20)}algo`],
  ["a very long word", "Supercalifragilisticexpialidocious".repeat(12)],
  ["a 400-character title", "A very long title that goes on ".repeat(13).slice(0, 400)],
  ["control characters", "a\u0000b\u0001c\u0008d\u000Be\u001Ff\u007Fg\u0085h\uFFFEi\uFFFFj\uD800k\uDFFFl"],
  // biome-ignore lint/suspicious/noTemplateCurlyInString: template syntax is the hostile input here
  ["template syntax", "{{7*7}} ${7*7} <%= 7*7 %> #{7*7} {% raw %}"],
  ["line breaks", "line one\nline two\r\n\tline three\u2028line four"],
  ["style breakout", "</style><style>*{fill:url(https://evil.example/x)}</style>"],
  ["a URL", "javascript:alert(document.domain)"],
  ...ZERO_WIDTH_TEXT,
];

export const BIDI = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/;
/** Controls other than tab, LF and CR; U+FFFE/U+FFFF; lone surrogates. */
export const FORBIDDEN = /(?![\t\n\r])\p{Cc}|[\uFFFE\uFFFF]|\p{Cs}/u;

/** The font the cards' stylesheet (src/embed/card-svg.ts) gives a text element by its classes. */
export function fontOf(element: XmlElement) {
  const classes = element.attributes.class?.split(" ") ?? [];
  if (classes.includes("t")) return { size: 16, bold: true };
  return { size: classes.includes("u") ? 13 : classes.includes("x") ? 11 : 12 };
}

/**
 * The texts of an SVG card that are wider than the clipping box (nested `<svg>`)
 * they sit in, by the renderers' own width estimate: empty when every one fits. A card with no such box says
 * so, so a check of it cannot pass with nothing checked.
 */
export function textsWiderThanTheirBox(root: XmlElement): string[] {
  const wide: string[] = [];
  const boxes = [...elements(root)].filter((element) => element !== root && element.name === "svg");
  if (boxes.length === 0) return ["(no clipping box)"];
  for (const box of boxes) {
    for (const element of box.children.filter((child) => child.name === "text")) {
      if (textWidth(element.text, fontOf(element)) > Number(box.attributes.width)) wide.push(element.text);
    }
  }
  return wide;
}

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

/** The hostile string in every text field KeyAPI fills on every row of a chart (ids and URLs too), and in its region. */
export function hostileChart(chart: ChartPayload, value: string): ChartPayload {
  return {
    ...chart,
    region: value,
    sounds: chart.sounds.map((sound) => ({
      ...sound,
      clip_id: value,
      song_id: value,
      title: value,
      author: value,
      cover: value,
      link: value,
      trend: [
        { date: value, value: 1 },
        { date: "2026-02-02", value: Number.NaN },
      ],
    })),
  };
}

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

/** Letters of several scripts, drawn at random by `seededNoise`. */
const NOISE_ALPHABET = [
  ..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789éüßøñçłžЖЯДЛ日本語音楽夜明け한국어노래",
];

/**
 * Text that compresses badly (mixed scripts at random) and random values, the same every run for a seed:
 * what the size bounds of the cards are tested with.
 *
 * @example const { random, text } = seededNoise(17); text() // → 1,000 characters
 */
export function seededNoise(seed: number) {
  let state = seed;
  const random = () => {
    state = (state * 16_807) % 2_147_483_647;
    return state / 2_147_483_647;
  };
  const text = (length = 1000) =>
    Array.from({ length }, () => NOISE_ALPHABET[Math.floor(random() * NOISE_ALPHABET.length)]).join("");
  return { random, text };
}
