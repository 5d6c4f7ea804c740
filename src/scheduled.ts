/**
 * The cron trigger: keeps every WARM_CLIP_IDS entry fresh in the global tier
 * (KV), so listed sounds never miss. An entry is refreshed when it is missing or
 * has less than WARM_AHEAD_SECONDS of freshness left (which spans two cron
 * runs); the refresh goes through the key's coordinator, which calls KeyAPI
 * only if its own copy is not fresh enough either.
 */
import type { Runtime } from "./app";
import { cacheKey, freshUntil, WARM_AHEAD_SECONDS } from "./cache/answer";
import type { LookupScope } from "./cache/sound-cache";
import { kvStore } from "./cache/stores";
import { loadConfig } from "./config";
import { ProblemError } from "./domain/problems";
import { mapWithConcurrency, UPSTREAM_CONCURRENCY } from "./util/concurrency";

type Outcome = "fresh" | "refreshed" | "skipped-budget" | "failed";

export async function warmUp(runtime: Runtime, env: Env, ctx: ExecutionContext): Promise<void> {
  const config = loadConfig(env);
  const kv = kvStore(config.soundCache);
  const scope: LookupScope = {
    config,
    stores: [kv],
    waitUntil: (work) => ctx.waitUntil(work),
    requestId: `cron-${crypto.randomUUID()}`,
  };

  const outcomes = await mapWithConcurrency(
    config.warmQueries,
    UPSTREAM_CONCURRENCY,
    async (query): Promise<Outcome> => {
      const current = await kv.read(cacheKey(query)).catch(() => undefined);
      if (current && freshUntil(current, config.ttls) - runtime.clock() >= WARM_AHEAD_SECONDS * 1000) return "fresh";
      try {
        await runtime.cache.refresh(query, scope, "warm-up");
        return "refreshed";
      } catch (error) {
        return error instanceof ProblemError && error.kind === "credit-budget-exhausted" ? "skipped-budget" : "failed";
      }
    },
  );

  const count = (outcome: Outcome) => outcomes.filter((each) => each === outcome).length;
  console.log(
    JSON.stringify({
      message: "warm-up",
      entries: outcomes.length,
      refreshed: count("refreshed"),
      fresh: count("fresh"),
      skipped_budget: count("skipped-budget"),
      failed: count("failed"),
    }),
  );
}
