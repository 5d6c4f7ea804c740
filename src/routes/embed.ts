/**
 * `GET /embed/sound/{clip_id}`: the card server-rendered in a small HTML page,
 * for iframes (oEmbed) and link previews. Same cached answer and caching
 * headers as the JSON endpoint; errors are HTML pages with the JSON's status.
 */
import { Hono } from "hono";
import { name as providerName } from "../../package.json";
import type { AppEnv } from "../app-env";
import type { SoundCache } from "../cache/sound-cache";
import { CARD_RENDERER_VERSION } from "../embed/card-svg";
import { renderEmbedPage } from "../embed/embed-page";
import { EMBED_PATH_PREFIX, embedPageUrl, oembedUrl } from "../embed/oembed";
import { cacheHeaders, isNotModified } from "../http/cache-headers";
import { HTML_CONTENT_TYPE, noticePageResponse } from "../http/embed-response";
import { missAdmission } from "../http/rate-limit";
import { parseEmbedQuery } from "../sound/query";
import { linkOrigin, varyByLinkOrigin } from "./link-origin";
import { lookupScope } from "./lookup-scope";
import type { RenderCache } from "./rendered";
import { soundNotFound } from "./sound";

export const EMBED_PATH = `${EMBED_PATH_PREFIX}:clip_id`;

export function embedRoutes(cache: SoundCache, clock: () => number, rendered: RenderCache) {
  return new Hono<AppEnv>().get(EMBED_PATH, async function embedPage(c) {
    const url = new URL(c.req.url);
    const query = parseEmbedQuery(c.req.param("clip_id"), url.searchParams);
    c.set("query", query.sound);
    const lookup = await cache.lookup(query.sound, lookupScope(c, missAdmission(c)));
    if (lookup.upstream) c.set("upstream", lookup.upstream);
    const config = c.get("config");
    const headers = cacheHeaders(lookup, config.ttls, clock());
    varyByLinkOrigin(config, headers);

    if (lookup.answer.status === 404) {
      return noticePageResponse(soundNotFound(query.sound), query.theme, query.sound, headers);
    }
    const origin = linkOrigin(config, url);
    const variant = `embed-${query.theme}`;
    // The page holds absolute URLs: one rendering per origin its links name (just one with PUBLIC_URL).
    const page = rendered.get(
      lookup.answer,
      `${variant}|${origin}`,
      `${variant}-${CARD_RENDERER_VERSION}`,
      (payload) => {
        const pageUrl = embedPageUrl(origin, query);
        return renderEmbedPage(payload, query, { page: pageUrl, oembed: oembedUrl(origin, pageUrl), providerName });
      },
    );
    headers.ETag = page.etag;
    if (isNotModified(c.req.header("If-None-Match"), page)) return new Response(null, { status: 304, headers });
    headers["Content-Type"] = HTML_CONTENT_TYPE;
    return new Response(page.body, { headers });
  });
}
