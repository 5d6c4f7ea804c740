import { expect, describe as group, it } from "vitest";
import { htmlEscape, httpsUrl, stripForbidden, urlComponent, xmlAttr, xmlText } from "../../src/embed/escape";
import { capText, cleanText, fitText, maxCodePoints, textWidth, wrapText } from "../../src/embed/text";
import { EMOJI_SEQUENCES, ZERO_WIDTH_TEXT } from "../support/hostile-text";
import { parseXml } from "../support/xml";

/** Strings meant to break out of whatever context they land in. */
const HOSTILE = [
  "<script>alert(1)</script>",
  `" onload="alert(1)`,
  `' onload='alert(1)`,
  "&amp; &lt; &#x3C; &nbsp; &bogus;",
  "]]> <![CDATA[ x ]]>",
  "<!-- --> <?xml version='1.0'?>",
  "a\u0000b\u0001c\u0008d\u000Be\u001Ff\uFFFEg\uFFFFh\uD800i\uDFFFj",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: template syntax is the hostile input here
  "{{7*7}} ${7*7} <%= 7*7 %>",
];

group("xmlText and xmlAttr", () => {
  it.each(HOSTILE)("keep %j as data in a strictly parsed document", (value) => {
    const document = parseXml(`<r a="${xmlAttr(value)}" b='${xmlAttr(value)}'>${xmlText(value)}</r>`);
    expect(document.attributes.a).toBe(stripForbidden(value));
    expect(document.attributes.b).toBe(stripForbidden(value));
    expect(document.text).toBe(stripForbidden(value));
  });

  it("escape exactly the characters each context needs", () => {
    expect(xmlText(`<a href="x">&'</a>`)).toBe(`&lt;a href="x"&gt;&amp;'&lt;/a&gt;`);
    expect(xmlAttr(`<a href="x">&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
    expect(htmlEscape(`<a href="x">&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
    expect(xmlText("]]>")).toBe("]]&gt;");
  });

  it("drop what XML 1.0 forbids (controls, U+FFFE/U+FFFF, lone surrogates) and DEL/C1, keep tab, LF, CR and pairs", () => {
    expect(stripForbidden("a\u0000\u0001\u0008\u000B\u000C\u001F\u007F\u0085\u009F\uFFFE\uFFFF\uD800-\uDFFFz")).toBe(
      "a-z",
    );
    // A surrogate pair is one character, and allowed.
    expect(stripForbidden("\uD800\uDFFF")).toBe("\u{103FF}");
    expect(stripForbidden("\t\n\r 😀 \u{10FFFD} é")).toBe("\t\n\r 😀 \u{10FFFD} é");
    expect(stripForbidden("\uDFFF\uD800")).toBe("");
  });
});

group("urlComponent and httpsUrl", () => {
  it("encode a component, even one with lone surrogates", () => {
    expect(urlComponent(`a b&c=d/"<'>#?`)).toBe("a%20b%26c%3Dd%2F%22%3C'%3E%23%3F");
    expect(urlComponent("x\uD800")).toBe("x%EF%BF%BD");
  });

  it.each([
    ["https://p16-sg.tiktokcdn.com/a/b.jpeg", "https://p16-sg.tiktokcdn.com/a/b.jpeg"],
    [' https://a.example/x y"<>', "https://a.example/x%20y%22%3C%3E"],
    ["http://a.example/x", null],
    ["javascript:alert(1)", null],
    ["data:image/svg+xml,<svg/>", null],
    ["//a.example/x", null],
    ["https://user:pass@a.example/", null],
    ["not a url", null],
    ["", null],
    [null, null],
  ])("httpsUrl(%j) → %j", (value, expected) => {
    expect(httpsUrl(value)).toBe(expected);
  });
});

group("cleanText", () => {
  it.each([
    [
      "bidi overrides and isolates",
      "a\u202Eb\u202Dc\u202Ad\u202Be\u202Cf\u2066g\u2067h\u2068i\u2069j\u200Ek\u200Fl\u061Cm",
      "abcdefghijklm",
    ],
    ["whitespace of every kind", " a\tb\nc\r\nd\u2028e\u00A0 f ", "a b c d e f"],
    ["invisible characters", "a\u200Bb\uFEFFc\u2060d", "abcd"],
    ["controls", "a\u0000b\u0007c\u007Fd\u0085e", "abcde"],
    [
      "a pile of combining marks, cut to three",
      "Z\u0300\u0301\u0302\u0303\u0304\u0305a",
      "Z\u0300\u0301\u0302a".normalize("NFC"),
    ],
    ["decomposed accents, composed", "e\u0301", "é"],
    ["emoji sequences, kept whole", "👩‍👩‍👧‍👦 🇺🇸 👍🏽", "👩‍👩‍👧‍👦 🇺🇸 👍🏽"],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: template syntax is the input here
    ["template syntax, kept as text", "{{7*7}} ${x}", "{{7*7}} ${x}"],
    ["prepended concatenation marks", "\u0600\u0601\u0602\u0603\u0604\u0605New\u06DD \u070F\u08E2Sun", "New Sun"],
    ["soft hyphens", "New\u00AD Sun\u00AD", "New Sun"],
    ["zero-width joiner runs", "a\u200D\u200D\u200Db\u200C\u200C", "ab"],
    ["a joiner at an edge of a word", "\u200Da \u200Cb\u200D c", "a b c"],
    ["one joiner between letters (Persian, Sinhala), kept", "می\u200Cخواهم ශ්\u200Dරී", "می\u200Cخواهم ශ්\u200Dරී"],
    ["variation selectors outside emoji", "a\uFE0Fb\uFE00c\u{E0100}d", "abcd"],
    ["tags outside a subdivision flag", "a\u{E0067}\u{E0062}\u{E007F}b\u{1F3F4}\u{E007F}", "ab\u{1F3F4}"],
    [
      "Hangul fillers, grapheme joiner, interlinear annotation",
      "\u3164a\u115F\u1160\uFFA0b\u034Fc\uFFF9d\uFFFB",
      "abcd",
    ],
    ["emoji ZWJ chains of more than four, split", "👩‍".repeat(6), "👩‍👩‍👩‍👩👩‍👩"],
  ])("%s", (_name, value, expected) => {
    expect(cleanText(value)).toBe(expected);
  });

  it.each(EMOJI_SEQUENCES)("keeps the emoji sequence %s intact", (sequence) => {
    expect(cleanText(` ${sequence}x${sequence} `)).toBe(`${sequence}x${sequence}`);
  });

  it.each(ZERO_WIDTH_TEXT)("removes what measures as zero width: %s", (_name, value) => {
    const cleaned = cleanText(value);
    // Only a single joiner between two letters is left of what draws nothing.
    const lettersJoined = cleaned.replace(/(?<=\p{L})[\u200C\u200D](?=\p{L})/gu, "");
    expect(lettersJoined).not.toMatch(/[\p{Default_Ignorable_Code_Point}\p{Cf}]/u);
  });

  it("reads at most 1,000 characters", () => {
    expect(cleanText("a".repeat(5000))).toHaveLength(1000);
  });
});

/** Advance widths in ems of DejaVu Sans Book and Bold, as Chromium measures them (a sample; the browser test checks all). */
const DEJAVU_SANS: [string, number, number][] = [
  ["W", 0.989, 1.103],
  ["M", 0.863, 0.995],
  ["m", 0.974, 1.042],
  ["w", 0.818, 0.924],
  ["O", 0.787, 0.85],
  ["b", 0.635, 0.716],
  ["a", 0.613, 0.675],
  ["0", 0.636, 0.696],
  ["i", 0.278, 0.343],
  ["…", 1, 1],
  ["—", 1, 1],
  ["%", 0.95, 1.002],
  ["é", 0.615, 0.678],
  ["Æ", 0.974, 1.085],
  ["ж", 0.901, 0.995],
  ["Щ", 1.094, 1.326],
];

group("fitText and wrapText", () => {
  const font = { size: 16, bold: true };

  it("keeps text that fits", () => {
    expect(fitText("New Sun", 384, font)).toBe("New Sun");
  });

  it.each(DEJAVU_SANS)("estimates %s at least as wide as DejaVu Sans draws it, Book and Bold", (char, book, bold) => {
    expect(textWidth(char.repeat(10), { size: 100 })).toBeGreaterThanOrEqual(book * 1000);
    expect(textWidth(char.repeat(10), { size: 100, bold: true })).toBeGreaterThanOrEqual(bold * 1000);
  });

  it.each([
    ["wide capitals", "W", 1.103],
    ["capitals", "M", 0.995],
    ["lowercase", "b", 0.716],
    ["digits", "0", 0.696],
  ])("shortens %s so that the text and its ellipsis fit in DejaVu Sans Bold", (_name, char, bold) => {
    const fitted = fitText(char.repeat(400), 384, font);
    const glyphs = [...fitted].length - 1;
    expect(fitted).toBe(`${char.repeat(glyphs)}…`);
    expect((glyphs * bold + 1) * 16).toBeLessThanOrEqual(384);
  });

  it.each([
    ["a long title", "A Very Long Title ".repeat(30)],
    ["one very long word", "W".repeat(400)],
    ["emoji", "😀".repeat(100)],
    ["CJK", "日本語".repeat(100)],
  ])("shortens %s with an ellipsis to the box", (_name, value) => {
    const fitted = fitText(value, 384, font);
    expect(fitted.endsWith("…")).toBe(true);
    expect(textWidth(fitted, font)).toBeLessThanOrEqual(384);
    expect(value.startsWith(fitted.slice(0, -1).trimEnd())).toBe(true);
  });

  it("caps code points whatever the estimate says: as many as the narrowest characters could fill", () => {
    expect(maxCodePoints(384, font)).toBe(68);
    expect(maxCodePoints(384, { size: 13 })).toBe(98);
    // Marks measure as nothing: 36 "a"s fit the width, 144 code points do not fit the cap.
    const marked = fitText("a\u0301\u0302\u0303".repeat(300), 384, font);
    expect([...marked].length).toBeLessThanOrEqual(68);
    expect(marked).toMatch(/^(a\u0301\u0302\u0303)+…$/);
    const families = fitText("👩‍👩‍👧‍👦".repeat(300), 10_000, font);
    expect([...families].length).toBeLessThanOrEqual(maxCodePoints(10_000, font));
    expect(families).toMatch(/^(👩‍👩‍👧‍👦)+…$/);
  });

  it.each(ZERO_WIDTH_TEXT)("comes back short from text that measures as zero width: %s", (_name, value) => {
    const cleaned = cleanText(value);
    expect([...fitText(cleaned, 384, font)].length).toBeLessThanOrEqual(68);
    expect([...fitText(cleaned, 80, { size: 12 })].length).toBeLessThanOrEqual(22);
    expect([...capText(cleaned, 150)].length).toBeLessThanOrEqual(150);
    // Even uncleaned: the cap counts code points, not what an estimate makes of them.
    expect([...fitText(value, 384, font)].length).toBeLessThanOrEqual(68);
    expect([...capText(value, 90)].length).toBeLessThanOrEqual(90);
  });

  it("caps plain text at a number of code points, ellipsis included, at a grapheme boundary", () => {
    expect(capText("New Sun", 90)).toBe("New Sun");
    expect(capText("x".repeat(90), 90)).toBe("x".repeat(90));
    expect(capText("x".repeat(91), 90)).toBe(`${"x".repeat(89)}…`);
    expect(capText("👩‍👩‍👧‍👦".repeat(3), 20)).toBe("👩‍👩‍👧‍👦👩‍👩‍👧‍👦…");
  });

  it("never cuts inside a grapheme (emoji sequences, combining marks)", () => {
    const family = "👩‍👩‍👧‍👦";
    const fitted = fitText(family.repeat(50), 100, font);
    expect(fitted.slice(0, -1)).toBe(family.repeat((fitted.length - 1) / family.length));
    const accented = fitText("é".normalize("NFD").repeat(200), 100, font);
    expect(accented.at(-2)).toBe("\u0301");
  });

  it("wraps at spaces into at most N lines, the last one ending with an ellipsis when text is left", () => {
    const lines = wrapText("one two three four five six seven eight nine ten", 80, { size: 13 }, 2);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^one two/);
    expect(lines[1]?.endsWith("…")).toBe(true);
    for (const line of lines) expect(textWidth(line, { size: 13 })).toBeLessThanOrEqual(80);
    expect(wrapText("short", 80, { size: 13 }, 2)).toEqual(["short"]);
    expect(wrapText("x".repeat(500), 80, { size: 13 }, 2)).toHaveLength(1);
  });
});
