/**
 * The cron trigger: keeps every WARM_CLIP_IDS entry fresh in the global tier
 * (KV), so listed sounds never miss. An entry is left alone while its copy
 * stays fresh until the next run, or is a `not found` still within its TTL
 * (asking again cannot improve on it): the `warm-up` rule of
 * src/cache/answer.ts. Otherwise it is refreshed through its coordinator, which
 * applies the same rule to its own copy before it calls KeyAPI, and which
 * skips a key whose last call failed within the failure backoff, whichever
 * isolate the cron runs in.
 */
import type { Runtime } from "./app";
import { cacheKey, satisfies } from "./cache/answer";
import type { LookupScope } from "./cache/sound-cache";
import { kvStore } from "./cache/stores";
import { loadConfig } from "./config";
import { ProblemError } from "./domain/problems";
import { mapWithConcurrency, UPSTREAM_CONCURRENCY } from "./util/concurrency";

type Outcome = "fresh" | "refreshed" | "not-found" | "skipped-budget" | "skipped" | "failed";

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
      const key = cacheKey(query);
      const current = await kv.read(key).catch(() => undefined);
      if (current && satisfies(current, "warm-up", config.ttls, runtime.clock())) {
        return current.status === 404 ? "not-found" : "fresh";
      }
      try {
        const { answer } = await runtime.cache.refresh(query, scope, "warm-up");
        return answer.status === 404 ? "not-found" : "refreshed";
      } catch (error) {
        if (!(error instanceof ProblemError)) return "failed";
        // Also when the budget refused a retry after a first attempt.
        if (error.kind === "credit-budget-exhausted") return "skipped-budget";
        if (error.upstream) return "failed";
        // No call was made: the key's failure backoff, or calls paused by the breaker.
        console.log(
          JSON.stringify({
            message: "warm-up entry skipped",
            key,
            reason: error.detail,
            retry_after: error.retryAfter ?? null,
          }),
        );
        return "skipped";
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
      // Listed sounds KeyAPI does not know: likely a mistake in WARM_CLIP_IDS.
      not_found: count("not-found"),
      skipped_budget: count("skipped-budget"),
      skipped: count("skipped"),
      failed: count("failed"),
    }),
  );
}
