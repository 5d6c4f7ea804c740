/**
 * `GET /embed/sound/{clip_id}`: the card server-rendered in a small HTML page,
 * for iframes (oEmbed) and link previews. Same cached answer and caching
 * headers as the JSON endpoint; errors are HTML pages with the JSON's status.
 */
import { Hono } from "hono";
import { name as providerName } from "../../package.json";
import type { AppEnv } from "../app-env";
import type { TieredCache } from "../cache/tiered-cache";
import { parseEmbedQueryString, soundNotFound, soundPayloadSchema } from "../domain/sound";
import { CARD_RENDERER_VERSION } from "../embed/card-svg";
import { renderEmbedPage } from "../embed/embed-page";
import { EMBED_PATH_PREFIX, embedPageUrl, oembedUrl } from "../embed/oembed";
import { detailEndpoint } from "../endpoints/detail";
import { cacheHeaders, isNotModified } from "../http/cache-headers";
import { HTML_CONTENT_TYPE, noticePageResponse } from "../http/embed-response";
import { linkOrigin, varyByLinkOrigin } from "./link-origin";
import { lookUp } from "./look-up";
import { payloadOf, type RenderCache } from "./rendered";
import { queryStringOf } from "./sound";

export const EMBED_PATH = `${EMBED_PATH_PREFIX}:clip_id`;

export function embedRoutes(cache: TieredCache, clock: () => number, rendered: RenderCache) {
  return new Hono<AppEnv>().get(EMBED_PATH, async function embedPage(c) {
    const query = parseEmbedQueryString(c.req.param("clip_id"), queryStringOf(c.req.url));
    const lookup = await lookUp(c, cache, detailEndpoint, query.sound);
    const config = c.get("config");
    const headers = cacheHeaders(lookup, config.ttls, clock());
    varyByLinkOrigin(config, headers);

    if (lookup.answer.status === 404) {
      return noticePageResponse(soundNotFound(query.sound), { theme: query.theme, query: query.sound, headers });
    }
    const origin = linkOrigin(config, c.req.url);
    const variant = `embed-${query.theme}`;
    // The page holds absolute URLs: one rendering per origin its links name (just one with PUBLIC_URL).
    const page = rendered.get(lookup.answer.etag, `${variant}|${origin}`, `${variant}-${CARD_RENDERER_VERSION}`, () => {
      const pageUrl = embedPageUrl(origin, query);
      const links = { page: pageUrl, oembed: oembedUrl(origin, pageUrl), providerName };
      return renderEmbedPage(payloadOf(lookup.answer, soundPayloadSchema), query, links);
    });
    headers.ETag = page.etag;
    if (isNotModified(c.req.header("If-None-Match"), page)) return new Response(null, { status: 304, headers });
    headers["Content-Type"] = HTML_CONTENT_TYPE;
    return new Response(page.body, { headers });
  });
}
