/**
 * The cron trigger: keeps every WARM_CLIP_IDS entry fresh in the global tier
 * (KV), so listed sounds never miss. An entry is refreshed when it is missing or
 * has less than WARM_AHEAD_SECONDS of freshness left, which spans two cron runs.
 */
import type { Runtime } from "./app";
import { cacheKey, freshUntil } from "./cache/answer";
import type { LookupScope } from "./cache/sound-cache";
import { kvStore } from "./cache/stores";
import { loadConfig } from "./config";
import { mapWithConcurrency, UPSTREAM_CONCURRENCY } from "./util/concurrency";

export const WARM_AHEAD_SECONDS = 600;

export async function warmUp(runtime: Runtime, env: Env, ctx: ExecutionContext): Promise<void> {
  const config = loadConfig(env);
  const kv = kvStore(config.soundCache);
  const scope: LookupScope = { config, stores: [kv], waitUntil: (work) => ctx.waitUntil(work) };

  const outcomes = await mapWithConcurrency(config.warmQueries, UPSTREAM_CONCURRENCY, async (query) => {
    const key = cacheKey(query);
    const current = await kv.read(key).catch(() => undefined);
    if (current && freshUntil(current, config.ttls) - runtime.clock() > WARM_AHEAD_SECONDS * 1000) return "fresh";
    try {
      await runtime.cache.refresh(query, scope);
      return "refreshed";
    } catch {
      return "failed";
    }
  });

  const count = (outcome: string) => outcomes.filter((each) => each === outcome).length;
  console.log(
    JSON.stringify({
      message: "warm-up",
      entries: outcomes.length,
      refreshed: count("refreshed"),
      fresh: count("fresh"),
      failed: count("failed"),
    }),
  );
}
