/** What a route lends the cache for one request: its config, its tiers and its `waitUntil`. */
import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import type { LookupScope } from "../cache/sound-cache";
import { edgeCacheStore, kvStore } from "../cache/stores";

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
