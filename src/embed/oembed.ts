/**
 * oEmbed 1.0 (https://oembed.com): which URLs this service can embed, and the
 * `rich` answer for one. Pure: the route supplies the sound, the origin and
 * the sizes.
 */
import * as z from "zod/mini";
import { ProblemError } from "../domain/problems";
import { DEFAULT_THEME } from "../domain/query";
import type { SoundPayload } from "../domain/sound";
import { type CardQuery, parseEmbedQuery, withDefaults } from "../domain/sound";
import { CARD_HEIGHT, CARD_WIDTH } from "./card-svg";
import { CHART_PAGE, CHART_PAGE_PATH, type ChartEmbedQuery, parseChartEmbedQuery } from "./chart-query";
import { COVER_SIZE, EMBED_BAR_HEIGHT } from "./embed-page";
import { htmlEscape, urlComponent } from "./escape";
import { soundFacts } from "./facts";
import { capText, TEXT_CAPS } from "./text";

export const EMBED_PATH_PREFIX = "/embed/sound/";
export const OEMBED_PATH = "/oembed";
/** Narrower than this, the card's text is too small to read: such a request gets 404. */
export const MIN_EMBED_WIDTH = 200;

const dimension = z.pipe(
  z.string().check(z.regex(/^[1-9][0-9]{0,4}$/, "must be a whole number of pixels, 1 to 99999")),
  z.transform(Number),
);

/** The oEmbed request's parameters. Others (consumers add their own) are ignored. */
export const oembedQueryParams = {
  url: z.string(),
  maxwidth: dimension,
  maxheight: dimension,
  format: z.string(),
} as const;

/** An oEmbed 1.0 `rich` answer (its schema, for the OpenAPI document, is in src/openapi.ts and checked against this). */
export type OembedResponse = {
  version: "1.0";
  type: "rich";
  provider_name: string;
  provider_url: string;
  title: string;
  author_name?: string;
  html: string;
  width: number;
  height: number;
  thumbnail_url?: string;
  thumbnail_width?: number;
  thumbnail_height?: number;
  cache_age: number;
};

const TIKTOK_HOSTS = new Set(["www.tiktok.com", "tiktok.com", "m.tiktok.com"]);
/** `/music/<slug>-<clip_id>` or `/music/<clip_id>`, with an optional trailing slash. */
const TIKTOK_MUSIC_PATH = /^\/music\/(?:[^/]*-)?([0-9]{1,20})\/?$/;

const unsupported = () =>
  new ProblemError(
    "no-embed",
    "This service embeds TikTok music URLs (https://www.tiktok.com/music/<name>-<clip_id>) and its own " +
      `${EMBED_PATH_PREFIX} and ${CHART_PAGE_PATH} pages, nothing else.`,
  );

/** An own page's query, read by `read`; its problems are named as part of `url`, the parameter the caller sent. */
function ownPageQuery<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof ProblemError) || !error.errors) throw error;
    throw new ProblemError("invalid-query", "Invalid query parameters: url.", {
      errors: error.errors.map((problem) => ({ param: "url", message: `${problem.param} ${problem.message}` })),
      errorsOmitted: error.errorsOmitted,
    });
  }
}

/**
 * What a URL asks to embed: a sound (and theme) for a TikTok music page
 * (`www.`, `m.` or bare host, with or without the slug) or one of this
 * service's own sound pages (`ownOrigin` + `/embed/sound/<clip_id>?…`), or a
 * chart (and theme) for its own chart page (`ownOrigin` + `/embed/chart?…`).
 * An own page's query follows that page's rules.
 *
 * @throws ProblemError `invalid-query` when `url` is not an absolute URL or an
 *   own page's URL breaks the page's rules; `no-embed` for anything else.
 * @example embedTarget("https://www.tiktok.com/music/New-Sun-6703723351497508865", "https://sounds.example")
 *   // → { sound: { clipId: "6703723351497508865", period: 7, region: "US" }, theme: "auto" }
 */
export function embedTarget(raw: string, ownOrigin: string): CardQuery | ChartEmbedQuery {
  const url = URL.parse(raw);
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) {
    throw new ProblemError("invalid-query", "Invalid query parameters: url.", {
      errors: [{ param: "url", message: "must be an absolute http(s) URL" }],
    });
  }
  if (url.username || url.password) throw unsupported();

  if (url.origin === ownOrigin && url.pathname.startsWith(EMBED_PATH_PREFIX)) {
    const clipId = url.pathname.slice(EMBED_PATH_PREFIX.length);
    if (clipId.includes("/")) throw unsupported();
    return ownPageQuery(() => parseEmbedQuery(clipId, url.searchParams));
  }
  if (url.origin === ownOrigin && url.pathname === CHART_PAGE_PATH) {
    return ownPageQuery(() => parseChartEmbedQuery(url.searchParams, CHART_PAGE));
  }

  if (TIKTOK_HOSTS.has(url.hostname) && url.port === "") {
    const clipId = TIKTOK_MUSIC_PATH.exec(url.pathname)?.[1];
    if (clipId) return { sound: withDefaults({ clipId }), theme: DEFAULT_THEME };
  }
  throw unsupported();
}

/**
 * The embed page's address for a query: region and period always explicit, theme when not `auto`. `region`
 * comes first: no `&` may precede a legacy HTML entity name (`&reg…`), or consumers that decode entities twice
 * (unfurl.js) read `®ion` (see the README's embed URL rule).
 */
export function embedPageUrl(origin: string, query: CardQuery): string {
  const { clipId, period, region } = query.sound;
  const theme = query.theme === DEFAULT_THEME ? "" : `&theme=${query.theme}`;
  return `${origin}${EMBED_PATH_PREFIX}${urlComponent(clipId)}?region=${region}&period=${period}${theme}`;
}

export function oembedUrl(origin: string, pageUrl: string): string {
  return `${origin}${OEMBED_PATH}?url=${urlComponent(pageUrl)}`;
}

/**
 * The iframe's size: the card's 480×220 plus the link strip, scaled down
 * (never up) to fit `maxWidth` × `maxHeight`; null when that would be narrower
 * than `MIN_EMBED_WIDTH`.
 */
export function embedSize(maxWidth?: number, maxHeight?: number): { width: number; height: number } | null {
  const heightFor = (width: number) => Math.ceil((width * CARD_HEIGHT) / CARD_WIDTH) + EMBED_BAR_HEIGHT;
  let width = Math.min(CARD_WIDTH, maxWidth ?? CARD_WIDTH);
  if (maxHeight !== undefined) {
    width = Math.min(width, Math.floor(((maxHeight - EMBED_BAR_HEIGHT) * CARD_WIDTH) / CARD_HEIGHT));
    while (width > 0 && heightFor(width) > maxHeight) width--;
  }
  return width >= MIN_EMBED_WIDTH ? { width, height: heightFor(width) } : null;
}

export type OembedOptions = {
  origin: string;
  providerName: string;
  size: { width: number; height: number };
  maxWidth?: number;
  maxHeight?: number;
  /** Seconds a consumer may keep this answer. */
  cacheAge: number;
};

/** What a `rich` answer shows: already cut to length, escaped by `richAnswer`. */
export type RichContent = {
  title: string;
  authorName?: string;
  /** The iframe's page. */
  src: string;
  iframeTitle: string;
  /** The thumbnail (https, `COVER_SIZE` square), when there is one. */
  cover: string | null;
};

/**
 * A `rich` oEmbed answer, the same for every embed: a sandboxed, lazy iframe of
 * the page, and the cover as the thumbnail when it fits the consumer's bounds.
 */
export function richAnswer(content: RichContent, options: OembedOptions): OembedResponse {
  const { width, height } = options.size;
  const answer: OembedResponse = {
    version: "1.0",
    type: "rich",
    provider_name: options.providerName,
    provider_url: `${options.origin}/`,
    title: content.title,
    ...(content.authorName ? { author_name: content.authorName } : {}),
    html:
      `<iframe src="${htmlEscape(content.src)}" width="${width}" height="${height}" title="${htmlEscape(content.iframeTitle)}" ` +
      `style="border:0;max-width:100%" loading="lazy" referrerpolicy="no-referrer" ` +
      `sandbox="allow-popups allow-popups-to-escape-sandbox"></iframe>`,
    width,
    height,
    cache_age: options.cacheAge,
  };
  const fits = (options.maxWidth ?? COVER_SIZE) >= COVER_SIZE && (options.maxHeight ?? COVER_SIZE) >= COVER_SIZE;
  if (content.cover && fits) {
    answer.thumbnail_url = content.cover;
    answer.thumbnail_width = COVER_SIZE;
    answer.thumbnail_height = COVER_SIZE;
  }
  return answer;
}

/**
 * The `rich` oEmbed answer for a sound: an iframe of its embed page, the
 * sound's title and author, and its cover as the thumbnail when it is https and fits.
 */
export function oembedResponse(sound: SoundPayload, query: CardQuery, options: OembedOptions): OembedResponse {
  const facts = soundFacts(sound, query.sound);
  return richAnswer(
    {
      title: capText(facts.title, TEXT_CAPS.oembed),
      authorName: facts.author ? capText(facts.author, TEXT_CAPS.oembed) : undefined,
      src: embedPageUrl(options.origin, query),
      iframeTitle: `TikTok sound: ${capText(facts.label, TEXT_CAPS.label)}`,
      cover: facts.cover,
    },
    options,
  );
}
