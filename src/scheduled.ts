/**
 * The cron trigger: keeps every warm entry fresh in the global tier (KV), so
 * listed answers never miss: the sounds of `WARM_CLIP_IDS` and the first
 * upstream page of each chart of `WARM_CHARTS`. An entry is left alone while
 * its copy stays fresh until the next run, or is a `not found` the cron checked
 * recently (asking again cannot improve on it): the `warm-up` rule of
 * src/domain/freshness.ts. Otherwise it is refreshed through its coordinator,
 * which applies the same rule to its own copy before it calls KeyAPI, and which
 * skips a key whose last call failed within the failure backoff, whichever
 * isolate the cron runs in.
 */
import type { Runtime } from "./app";
import { kvStore } from "./cache/stores";
import type { Lookup, LookupScope } from "./cache/tiered-cache";
import { loadConfig } from "./config";
import { cacheKey, type Endpoint } from "./domain/endpoint";
import { satisfies } from "./domain/freshness";
import { ProblemError } from "./domain/problems";
import { detailEndpoint } from "./endpoints/detail";
import { listEndpoint } from "./endpoints/list";
import { mapWithConcurrency, UPSTREAM_CONCURRENCY } from "./util/concurrency";

type Outcome = "fresh" | "refreshed" | "not-found" | "skipped-budget" | "skipped" | "failed";

/** One warm entry: its cache key, and how to refresh it. */
type WarmEntry = { key: string; refresh: () => Promise<Lookup> };

export async function warmUp(runtime: Runtime, env: Env, ctx: ExecutionContext): Promise<void> {
  const config = loadConfig(env);
  const kv = kvStore(config.soundCache);
  const scope: LookupScope = {
    config,
    stores: [kv],
    waitUntil: (work) => ctx.waitUntil(work),
    requestId: `cron-${crypto.randomUUID()}`,
  };
  const entry = <Q>(endpoint: Endpoint<Q>, query: Q): WarmEntry => ({
    key: cacheKey(endpoint, query),
    refresh: () => runtime.cache.refresh(endpoint, query, scope, "warm-up"),
  });
  const entries = [
    ...config.warmQueries.map((query) => entry(detailEndpoint, query)),
    ...config.warmCharts.map((chart) => entry(listEndpoint, { ...chart, page: 1, pageSize: config.listPageSize })),
  ];

  const outcomes = await mapWithConcurrency(
    entries,
    UPSTREAM_CONCURRENCY,
    async ({ key, refresh }): Promise<Outcome> => {
      const current = await kv.read(key).catch(() => undefined);
      if (current && satisfies(current, "warm-up", config.ttls, runtime.clock())) {
        return current.status === 404 ? "not-found" : "fresh";
      }
      try {
        const { answer } = await refresh();
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
