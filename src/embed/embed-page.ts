/**
 * The embed page (`/embed/sound/{clip_id}`): the card, server-rendered, in a
 * small HTML document that needs no JavaScript, for iframes (oEmbed) and link
 * previews (OpenGraph, Twitter cards, oEmbed discovery). Pure: values in,
 * a string out; every value goes through `htmlEscape` where it enters markup.
 */

import type { Theme } from "../domain/query";
import type { CardQuery, SoundPayload } from "../domain/sound";
import { type CardNotice, FONT_STACK, PALETTES, type Palette, renderCardSvg, renderNoticeSvg } from "./card-svg";
import { htmlEscape } from "./escape";
import { soundFacts } from "./facts";
import type { NoticeSubject } from "./notice";
import { capText, TEXT_CAPS } from "./text";

/** The strip under the card that holds the link to TikTok. */
export const EMBED_BAR_HEIGHT = 32;
/** KeyAPI's covers are 720×720. */
export const COVER_SIZE = 720;
/** public/favicon.ico (32×32, for clients that look only there) and public/favicon.svg. */
const ICONS = `<link rel="icon" href="/favicon.ico" sizes="32x32">\n<link rel="icon" href="/favicon.svg" type="image/svg+xml">\n`;

export type EmbedPageLinks = {
  /** This page's canonical URL (`og:url`). */
  page: string;
  /** Its oEmbed URL, for discovery. */
  oembed: string;
  providerName: string;
};

/** The widget's link colours. */
const LINK = { light: "#a8123a", dark: "#ff9db0" } as const;

const colours = (palette: Palette, link: string) =>
  `body{background:${palette.bg};color:${palette.fg}}a{color:${link}}a:focus-visible{outline-color:${palette.accent}}`;

/** Literal CSS only, like the card's. */
function stylesheet(theme: Theme): string {
  const base =
    `html,body{margin:0}body{font:14px/1.4 ${FONT_STACK}}main{display:block}` +
    "main>svg{display:block;width:100%;height:auto}" +
    `.bar{margin:0;height:${EMBED_BAR_HEIGHT}px;display:flex;align-items:center;padding:0 14px}` +
    "a{font-weight:600;text-underline-offset:3px}a:focus-visible{outline:3px solid;outline-offset:2px;border-radius:4px}" +
    ".vh{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}";
  if (theme === "light") return base + colours(PALETTES.light, LINK.light);
  if (theme === "dark") return base + colours(PALETTES.dark, LINK.dark);
  return `${base}${colours(PALETTES.light, LINK.light)}@media (prefers-color-scheme:dark){${colours(PALETTES.dark, LINK.dark)}}`;
}

/**
 * The document around an embed. `heading`, when given, is its `<h1>`, visually
 * hidden: the card right under it shows the same words as the page's visual
 * heading (`null`: `main` has a heading of its own).
 */
export function page(title: string, heading: string | null, head: string, theme: Theme, main: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="color-scheme" content="${theme === "auto" ? "light dark" : theme}">
<title>${htmlEscape(title)}</title>
${head}${ICONS}<style>${stylesheet(theme)}</style>
</head>
<body>
<main>
${heading === null ? "" : `<h1 class="vh">${htmlEscape(heading)}</h1>\n`}${main}
</main>
</body>
</html>
`;
}

const meta = (attribute: "name" | "property", key: string, content: string) =>
  `<meta ${attribute}="${key}" content="${htmlEscape(content)}">\n`;

/** What an embed page tells link previews (OpenGraph, Twitter cards) and oEmbed consumers about itself. */
export type LinkPreview = {
  /** `og:type` */
  type: string;
  siteName: string;
  /** Cut to a line or two already: long upstream text is cut by us, not by each unfurler. */
  title: string;
  description: string;
  /** `<meta name="author">`, when the page has one. */
  author?: string;
  /** This page's canonical URL (also `og:url`). */
  url: string;
  /** Its oEmbed URL, for discovery. */
  oembed: string;
  /** A cover (https, `COVER_SIZE` square) and its alt text. */
  image: { url: string; alt: string } | null;
  /** More tags of the page's own (e.g. `music:duration`), after the image's. */
  extra?: string;
};

/**
 * The `<head>` tags for link previews and oEmbed discovery, the same for every
 * embed page; every value is escaped here.
 */
export function previewHead(preview: LinkPreview): string {
  return (
    meta("name", "description", preview.description) +
    (preview.author ? meta("name", "author", preview.author) : "") +
    `<link rel="canonical" href="${htmlEscape(preview.url)}">\n` +
    meta("property", "og:type", preview.type) +
    meta("property", "og:site_name", preview.siteName) +
    meta("property", "og:title", preview.title) +
    meta("property", "og:description", preview.description) +
    meta("property", "og:url", preview.url) +
    (preview.image
      ? meta("property", "og:image", preview.image.url) +
        meta("property", "og:image:width", String(COVER_SIZE)) +
        meta("property", "og:image:height", String(COVER_SIZE)) +
        meta("property", "og:image:alt", preview.image.alt)
      : "") +
    (preview.extra ?? "") +
    meta("name", "twitter:card", "summary") +
    `<link rel="alternate" type="application/json+oembed" href="${htmlEscape(preview.oembed)}" title="${htmlEscape(preview.title)}">\n`
  );
}

/**
 * The page for a sound.
 *
 * @example renderEmbedPage(payload, { sound: query, theme: "auto" }, { page, oembed, providerName })
 */
export function renderEmbedPage(sound: SoundPayload, query: CardQuery, links: EmbedPageLinks): string {
  const facts = soundFacts(sound, query.sound);
  // Link previews show a line or two: long upstream text is cut here, not by each unfurler.
  const label = capText(facts.label, TEXT_CAPS.label);
  const byline = capText(facts.author ? `${facts.title} by ${facts.author}` : facts.title, TEXT_CAPS.label);
  const description = `${facts.summary} ${capText(facts.facts, TEXT_CAPS.detail)}.`;
  const head = previewHead({
    type: "music.song",
    siteName: links.providerName,
    title: label,
    description,
    author: facts.author ? capText(facts.author, TEXT_CAPS.label) : undefined,
    url: links.page,
    oembed: links.oembed,
    image: facts.cover ? { url: facts.cover, alt: `Cover art of ${byline}` } : null,
    extra:
      sound.duration !== null && sound.duration > 0
        ? meta("property", "music:duration", String(Math.round(sound.duration)))
        : "",
  });
  const main =
    renderCardSvg(sound, query.sound, query.theme) +
    `\n<p class="bar"><a href="${htmlEscape(facts.link)}" target="_blank" rel="noopener noreferrer">Listen on TikTok` +
    `<span class="vh">: ${htmlEscape(byline)} (opens in a new tab)</span></a></p>`;
  return page(`${label} · TikTok sound`, label, head, query.theme, main);
}

/**
 * A page saying what went wrong, in the same style (the notice card, inline), titled for what the page shows.
 *
 * @example renderEmbedNoticePage({ heading: "Sound not found", detail: "…", icon: "?" }, "auto", "sound")
 */
export function renderEmbedNoticePage(notice: CardNotice, theme: Theme, subject: NoticeSubject): string {
  const head = `<meta name="robots" content="noindex">\n`;
  const title = `${notice.heading} · TikTok ${subject}`;
  return page(title, notice.heading, head, theme, renderNoticeSvg(notice, theme));
}
