/**
 * What people write first (bench baseline, never shipped): validate, forward to
 * KeyAPI, trim, answer. No cache, no coalescing. It reuses the production
 * worker's query rules and KeyAPI client, so the baselines differ from ours only
 * in what ours adds on top.
 */
import { Hono } from "hono";
import { loadConfig } from "../../src/config";
import { ProblemError } from "../../src/domain/problems";
import { parseSoundQuery } from "../../src/domain/sound";
import { DETAIL_PATH, detailEndpoint } from "../../src/endpoints/detail";
import { problemResponse } from "../../src/http/problem";
import { fetchFromKeyApi } from "../../src/keyapi/client";

export type NaiveEnv = { Bindings: Env };

export function createNaiveRoutes() {
  const app = new Hono<NaiveEnv>();
  app.get(DETAIL_PATH, async (c) => {
    const query = parseSoundQuery(new URL(c.req.url).searchParams);
    const answer = await fetchFromKeyApi(loadConfig(c.env), detailEndpoint, query);
    if (!answer.found) throw new ProblemError("sound-not-found", "No such sound.");
    return c.json(answer.payload);
  });
  app.onError((error) =>
    problemResponse(error instanceof ProblemError ? error : new ProblemError("internal", "Something went wrong."), ""),
  );
  return app;
}
