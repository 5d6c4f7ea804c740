/** `GET /v1/tiktok/trending/music/detail`: KeyAPI's path and query names, our payload. */
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { ProblemError } from "../http/problem";
import { fetchSoundFromKeyApi, KEYAPI_PATH } from "../keyapi/client";
import { parseSoundQuery } from "../sound/query";

export const SOUND_PATH = KEYAPI_PATH;

export const sound = new Hono<AppEnv>().get(SOUND_PATH, async (c) => {
  const query = parseSoundQuery(new URL(c.req.url).searchParams);
  const answer = await fetchSoundFromKeyApi(c.var.config, query, (exchange) => c.set("upstream", exchange));
  if (!answer.found) {
    throw new ProblemError(
      "sound-not-found",
      `KeyAPI has no trending sound with clip_id ${query.clipId} for period ${query.period} in region ${query.region}.`,
    );
  }
  return new Response(JSON.stringify(answer.payload), {
    headers: { "Content-Type": "application/json" },
  });
});
