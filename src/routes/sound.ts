/** `GET /v1/tiktok/trending/music/detail`: KeyAPI's path and query names, our payload, from cache when possible. */
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { LOOKUP_PROBLEMS, type TieredCache } from "../cache/tiered-cache";
import type { ProblemKind } from "../domain/problems";
import { parseSoundQueryString, soundNotFound } from "../domain/sound";
import { DETAIL_PATH, detailEndpoint } from "../endpoints/detail";
import { cacheHeaders, isNotModified } from "../http/cache-headers";
import { problemResponse } from "../http/problem";
import { RATE_LIMITED_ROUTE_PROBLEMS } from "../http/rate-limit";
import { lookUp } from "./look-up";

export const SOUND_PATH = DETAIL_PATH;

/** What the detail endpoint answers besides a sound (and what the card, the embed page and oEmbed draw or say). */
export const SOUND_PROBLEMS = [
  ...RATE_LIMITED_ROUTE_PROBLEMS,
  "invalid-query",
  ...LOOKUP_PROBLEMS,
  "sound-not-found",
] as const satisfies readonly ProblemKind[];

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
    if (lookup.answer.etag) headers.ETag = lookup.answer.etag;

    if (lookup.answer.status === 404) return problemResponse(soundNotFound(query), c.get("requestId"), headers);
    if (isNotModified(c.req.header("If-None-Match"), lookup.answer)) {
      return new Response(null, { status: 304, headers });
    }
    return new Response(lookup.answer.body, { headers: { ...headers, "Content-Type": "application/json" } });
  });
}
