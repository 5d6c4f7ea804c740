/**
 * How a route asks the tiered cache for an answer: what it lends the cache for
 * one request (its config, its tiers, its `waitUntil`, its miss budget), and
 * what it notes on the request for the log line and the analytics data point.
 */
import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { edgeCacheStore, kvStore } from "../cache/stores";
import type { Lookup, LookupScope, TieredCache } from "../cache/tiered-cache";
import { cacheKey, type Endpoint } from "../domain/endpoint";
import { missAdmission } from "../http/rate-limit";

export function lookupScope(
  c: Pick<Context<AppEnv>, "get" | "req" | "executionCtx">,
  admitMiss?: LookupScope["admitMiss"],
): LookupScope {
  // c.get, not c.var: the latter copies every variable into a new object, on every hit.
  const config = c.get("config");
  let stores: LookupScope["stores"] | undefined;
  return {
    config,
    // Built on first use: a tier-0 hit never needs them.
    get stores() {
      // Tier 1 keys live on the request's own host: the Cache API is per zone.
      stores ??= [edgeCacheStore(caches.default, new URL(c.req.url).origin), kvStore(config.soundCache)];
      return stores;
    },
    waitUntil: (work) => c.executionCtx.waitUntil(work),
    // Read only when KeyAPI is called.
    get requestId() {
      return c.get("requestId");
    },
    admitMiss,
  };
}

/**
 * One answer for a client's request, its cold misses charged to the client's
 * miss budget. A tier-0 hit stays synchronous (no promise added on the hit path).
 *
 * @example const lookup = await lookUp(c, cache, detailEndpoint, query)
 */
export function lookUp<Q extends { region: string }>(
  c: Context<AppEnv>,
  cache: TieredCache,
  endpoint: Endpoint<Q>,
  query: Q,
): Lookup | Promise<Lookup> {
  c.set("asked", { key: () => cacheKey(endpoint, query), region: query.region });
  const found = cache.lookup(endpoint, query, lookupScope(c, missAdmission(c)));
  return found instanceof Promise ? found.then((lookup) => noted(c, lookup)) : noted(c, found);
}

/** The KeyAPI call a lookup waited for goes on the request's log line. */
function noted(c: Context<AppEnv>, lookup: Lookup): Lookup {
  if (lookup.upstream) c.set("upstream", lookup.upstream);
  return lookup;
}
