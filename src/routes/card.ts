/**
 * `GET /v1/tiktok/trending/music/card.svg`: the sound card as an SVG image,
 * from the same cached answer as the JSON endpoint (a card for a key the JSON
 * already fetched costs no KeyAPI call, and the reverse), with the same
 * caching headers, its own ETag, and errors drawn as cards.
 */
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import type { SoundCache } from "../cache/sound-cache";
import { CARD_RENDERER_VERSION, renderCardSvg } from "../embed/card-svg";
import { cacheHeaders, isNotModified } from "../http/cache-headers";
import { CARD_STATUS_HEADER, noticeCardResponse, SVG_CONTENT_TYPE } from "../http/embed-response";
import { missAdmission } from "../http/rate-limit";
import { parseCardQueryString } from "../sound/query";
import { lookupScope } from "./lookup-scope";
import type { RenderCache } from "./rendered";
import { SOUND_PATH, soundNotFound } from "./sound";

export const CARD_PATH = SOUND_PATH.replace(/\/detail$/, "/card.svg");

export function cardRoutes(cache: SoundCache, clock: () => number, rendered: RenderCache) {
  return new Hono<AppEnv>().get(CARD_PATH, async function card(c) {
    const { url } = c.req;
    const queryStart = url.indexOf("?");
    const { sound: query, theme } = parseCardQueryString(queryStart < 0 ? "" : url.slice(queryStart + 1));
    c.set("query", query);
    const lookup = await cache.lookup(query, lookupScope(c, missAdmission(c)));
    if (lookup.upstream) c.set("upstream", lookup.upstream);
    const headers = cacheHeaders(lookup, c.get("config").ttls, clock());

    if (lookup.answer.status === 404) return noticeCardResponse(soundNotFound(query), theme, query, headers);
    const variant = `card-${theme}`;
    const card = rendered.get(lookup.answer, variant, `${variant}-${CARD_RENDERER_VERSION}`, (payload) =>
      renderCardSvg(payload, query, theme),
    );
    headers.ETag = card.etag;
    headers[CARD_STATUS_HEADER] = "200";
    if (isNotModified(c.req.header("If-None-Match"), card)) return new Response(null, { status: 304, headers });
    headers["Content-Type"] = SVG_CONTENT_TYPE;
    return new Response(card.body, { headers });
  });
}
