/**
 * `GET /v1/tiktok/trending/music/card.svg`: the sound card as an SVG image,
 * from the same cached answer as the JSON endpoint (a card for a key the JSON
 * already fetched costs no KeyAPI call, and the reverse), with the same
 * caching headers, its own ETag, and errors drawn as cards.
 */
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import type { TieredCache } from "../cache/tiered-cache";
import { parseCardQueryString, soundNotFound, soundPayloadSchema } from "../domain/sound";
import { CARD_RENDERER_VERSION, renderCardSvg } from "../embed/card-svg";
import { detailEndpoint } from "../endpoints/detail";
import { cacheHeaders, isNotModified } from "../http/cache-headers";
import { CARD_STATUS_HEADER, noticeCardResponse, SVG_CONTENT_TYPE } from "../http/embed-response";
import { lookUp } from "./look-up";
import { payloadOf, type RenderCache } from "./rendered";
import { queryStringOf, SOUND_PATH } from "./sound";

export const CARD_PATH = SOUND_PATH.replace(/\/detail$/, "/card.svg");

export function cardRoutes(cache: TieredCache, clock: () => number, rendered: RenderCache) {
  return new Hono<AppEnv>().get(CARD_PATH, async function card(c) {
    const { sound: query, theme } = parseCardQueryString(queryStringOf(c.req.url));
    const lookup = await lookUp(c, cache, detailEndpoint, query);
    const headers = cacheHeaders(lookup, c.get("config").ttls, clock());

    if (lookup.answer.status === 404) return noticeCardResponse(soundNotFound(query), { theme, query, headers });
    const variant = `card-${theme}`;
    const card = rendered.get(lookup.answer.etag, variant, `${variant}-${CARD_RENDERER_VERSION}`, () =>
      renderCardSvg(payloadOf(lookup.answer, soundPayloadSchema), query, theme),
    );
    headers.ETag = card.etag;
    headers[CARD_STATUS_HEADER] = "200";
    if (isNotModified(c.req.header("If-None-Match"), card)) return new Response(null, { status: 304, headers });
    headers["Content-Type"] = SVG_CONTENT_TYPE;
    return new Response(card.body, { headers });
  });
}
