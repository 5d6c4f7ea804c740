/** `GET /v1/tiktok/trending/music/detail`: KeyAPI's path and query names, our payload, from cache when possible. */
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import type { SoundCache } from "../cache/sound-cache";
import { ProblemError } from "../domain/problems";
import { cacheHeaders, isNotModified } from "../http/cache-headers";
import { problemResponse } from "../http/problem";
import { missAdmission } from "../http/rate-limit";
import { KEYAPI_PATH } from "../keyapi/client";
import { parseSoundQueryString, type SoundQuery } from "../sound/query";
import { lookupScope } from "./lookup-scope";

export const SOUND_PATH = KEYAPI_PATH;

/** What every surface says when KeyAPI has no such sound (a cached answer, not a failure). */
export function soundNotFound(query: SoundQuery): ProblemError {
  return new ProblemError(
    "sound-not-found",
    `KeyAPI has no trending sound with clip_id ${query.clipId} for period ${query.period} in region ${query.region}.`,
  );
}

export function soundRoutes(cache: SoundCache, clock: () => number) {
  return new Hono<AppEnv>().get(SOUND_PATH, async (c) => {
    const { url } = c.req;
    const queryStart = url.indexOf("?");
    const query = parseSoundQueryString(queryStart < 0 ? "" : url.slice(queryStart + 1));
    c.set("query", query);
    const config = c.get("config");
    const lookup = await cache.lookup(query, lookupScope(c, missAdmission(c)));
    if (lookup.upstream) c.set("upstream", lookup.upstream);
    const headers = cacheHeaders(lookup, config.ttls, clock());

    if (lookup.answer.status === 404) return problemResponse(soundNotFound(query), c.var.requestId, headers);
    if (isNotModified(c.req.header("If-None-Match"), lookup.answer)) {
      return new Response(null, { status: 304, headers });
    }
    return new Response(lookup.answer.body, { headers: { ...headers, "Content-Type": "application/json" } });
  });
}
