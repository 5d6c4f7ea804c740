/** `GET /v1/tiktok/trending/music/detail`: KeyAPI's path and query names, our payload, from cache when possible. */
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import type { TieredCache } from "../cache/tiered-cache";
import { parseSoundQueryString, soundNotFound } from "../domain/sound";
import { DETAIL_PATH, detailEndpoint } from "../endpoints/detail";
import { cacheHeaders, isNotModified } from "../http/cache-headers";
import { problemResponse } from "../http/problem";
import { lookUp } from "./look-up";

export const SOUND_PATH = DETAIL_PATH;

/** The raw query string of a request, without the URL object a hit does not need. */
export function queryStringOf(url: string): string {
  const start = url.indexOf("?");
  return start < 0 ? "" : url.slice(start + 1);
}

export function soundRoutes(cache: TieredCache, clock: () => number) {
  return new Hono<AppEnv>().get(SOUND_PATH, async function sound(c) {
    const query = parseSoundQueryString(queryStringOf(c.req.url));
    const lookup = await lookUp(c, cache, detailEndpoint, query);
    const headers = cacheHeaders(lookup, c.get("config").ttls, clock());

    if (lookup.answer.status === 404) return problemResponse(soundNotFound(query), c.get("requestId"), headers);
    if (isNotModified(c.req.header("If-None-Match"), lookup.answer)) {
      return new Response(null, { status: 304, headers });
    }
    return new Response(lookup.answer.body, { headers: { ...headers, "Content-Type": "application/json" } });
  });
}
