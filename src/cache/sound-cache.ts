/**
 * The tiered cache in front of KeyAPI: memory (tier 0) → Cache API (tier 1) →
 * KV (tier 2) → KeyAPI, with stale-while-revalidate, stale-if-error,
 * per-isolate coalescing and a circuit breaker. Every route that needs a sound
 * (the endpoint, the webhook, the cron warm-up) goes through here, so no path
 * can pay KeyAPI twice for the same answer at the same time.
 */
import type { Config } from "../config";
import { ProblemError } from "../domain/problems";
import { CircuitBreaker } from "../keyapi/breaker";
import { fetchSoundFromKeyApi, type UpstreamExchange } from "../keyapi/client";
import type { SoundQuery } from "../sound/query";
import { type CachedAnswer, cacheKey, etagOf, freshness, newest, servableUntil, type Ttls } from "./answer";
import { MemoryCache } from "./memory";
import type { AnswerStore } from "./stores";

export type Tier = "memory" | "edge" | "kv" | "upstream";
/** The `X-Cache` values: a fresh copy, KeyAPI asked for this request, a stale copy while a refresh runs. */
export const CACHE_STATUSES = ["HIT", "MISS", "STALE"] as const;
export type CacheStatus = (typeof CACHE_STATUSES)[number];

export type Lookup = {
  answer: CachedAnswer;
  status: CacheStatus;
  tier: Tier;
  /** Present when this lookup waited for KeyAPI. */
  upstream?: UpstreamExchange;
};

/** What a lookup may use of the request it serves. */
export type LookupScope = {
  config: Config;
  /** Tiers 1 and 2, in that order. */
  stores: AnswerStore[];
  waitUntil: (work: Promise<unknown>) => void;
  /**
   * Asked before this scope's own cold miss calls KeyAPI; throws to refuse
   * (the miss budget). Absent for refreshes, the webhook and the cron.
   */
  admitMiss?: () => Promise<void>;
};

/** A refusal by one scope's `admitMiss`: others who joined its work try again on their own. */
class MissRefused extends Error {
  constructor(
    readonly scope: LookupScope,
    readonly refusal: unknown,
  ) {
    super("miss refused");
  }
}

export type SoundCacheOptions = {
  clock?: () => number;
  random?: () => number;
  memory?: { maxEntries: number; maxBytes: number };
  breaker?: { failureThreshold: number; openMs: number };
  /** A key whose background refresh failed is not retried sooner than this. */
  refreshRetryMs?: number;
};

export const DEFAULT_MEMORY_LIMITS = { maxEntries: 1000, maxBytes: 8 * 1024 * 1024 };
export const DEFAULT_BREAKER = { failureThreshold: 5, openMs: 30_000 };
/** KV allows one write per key per second. */
const KV_WRITE_SPACING_MS = 1000;

export type SoundCache = ReturnType<typeof createSoundCache>;

export function createSoundCache(options: SoundCacheOptions = {}) {
  const clock = options.clock ?? Date.now;
  const random = options.random ?? Math.random;
  const refreshRetryMs = options.refreshRetryMs ?? 30_000;
  const memory = new MemoryCache<CachedAnswer>(options.memory ?? DEFAULT_MEMORY_LIMITS);
  const breaker = new CircuitBreaker(options.breaker ?? DEFAULT_BREAKER);

  /** Cold loads (lower tiers, then KeyAPI), one per key at a time. */
  const loads = new Map<string, Promise<Lookup>>();
  /** KeyAPI calls, one per key at a time, whoever asks (request, refresh, webhook, cron). */
  const fetches = new Map<string, Promise<{ answer: CachedAnswer; exchange: UpstreamExchange }>>();
  /** Background refreshes in progress. */
  const refreshes = new Set<string>();
  const refreshFailedAt = new Map<string, number>();
  const kvWrittenAt = new Map<string, number>();

  /** The answer for a query, from the nearest tier that has a servable one. */
  function lookup(query: SoundQuery, scope: LookupScope): Promise<Lookup> | Lookup {
    const key = cacheKey(query);
    const remembered = memory.get(key, clock());
    if (remembered) return serveCached(query, remembered, "memory", scope);

    const joined = loads.get(key);
    if (joined) return joined.catch((error) => retryOwnIfRefusedForOther(error, scope, () => lookup(query, scope)));
    const pending = loadCold(query, scope).finally(() => loads.delete(key));
    loads.set(key, pending);
    return pending.catch((error) => {
      throw error instanceof MissRefused ? error.refusal : error;
    });
  }

  /** Fetches a fresh answer from KeyAPI now (joining one in flight) and stores it in every tier. */
  async function refresh(query: SoundQuery, scope: LookupScope): Promise<Lookup> {
    const { answer, exchange } = await fetchFromKeyApi(query, scope);
    return { answer, status: "MISS", tier: "upstream", upstream: exchange };
  }

  async function loadCold(query: SoundQuery, scope: LookupScope): Promise<Lookup> {
    const key = cacheKey(query);
    const { ttls } = scope.config;
    let stale: { answer: CachedAnswer; tier: Tier } | undefined;
    for (const [index, store] of scope.stores.entries()) {
      const found = await readQuietly(store, key);
      if (!found) continue;
      const state = freshness(found, ttls, clock());
      if (state === "expired") continue;
      remember(key, found, ttls);
      // A hit in a lower tier refills the tiers above it (memory is done above).
      for (const upper of scope.stores.slice(0, index)) {
        scope.waitUntil(writeQuietly(upper, key, found, ttls));
      }
      if (state === "fresh") return { answer: found, status: "HIT", tier: store.tier };
      if (!stale || newest(stale.answer, found) === found) stale = { answer: found, tier: store.tier };
    }
    if (stale) return serveCached(query, stale.answer, stale.tier, scope);
    return refresh(query, scope);
  }

  function serveCached(query: SoundQuery, answer: CachedAnswer, tier: Tier, scope: LookupScope): Lookup {
    if (freshness(answer, scope.config.ttls, clock()) === "fresh") return { answer, status: "HIT", tier };
    refreshInBackground(query, scope);
    return { answer, status: "STALE", tier };
  }

  /** Stale-while-revalidate: one refresh per key, none while the breaker is open or after a recent failure. */
  function refreshInBackground(query: SoundQuery, scope: LookupScope): void {
    const key = cacheKey(query);
    const now = clock();
    if (refreshes.has(key) || fetches.has(key) || breaker.state(now) === "open") return;
    const failedAt = refreshFailedAt.get(key);
    if (failedAt !== undefined && now - failedAt < refreshRetryMs) return;

    refreshes.add(key);
    const work = refresh(query, { ...scope, admitMiss: undefined })
      .then(() => refreshFailedAt.delete(key))
      .catch((error: unknown) => {
        // Stale-if-error: the stale copy keeps being served; the failure is only logged.
        refreshFailedAt.set(key, clock());
        trimMap(refreshFailedAt);
        console.warn(
          JSON.stringify({ level: "warn", message: "background refresh failed", key, error: describe(error) }),
        );
      })
      .finally(() => refreshes.delete(key));
    scope.waitUntil(work);
  }

  function fetchFromKeyApi(query: SoundQuery, scope: LookupScope): ReturnType<typeof callKeyApi> {
    const key = cacheKey(query);
    const joined = fetches.get(key);
    if (joined)
      return joined.catch((error) => retryOwnIfRefusedForOther(error, scope, () => fetchFromKeyApi(query, scope)));
    const pending = callKeyApi(query, scope).finally(() => fetches.delete(key));
    fetches.set(key, pending);
    return pending;
  }

  async function callKeyApi(query: SoundQuery, scope: LookupScope) {
    if (scope.admitMiss) {
      try {
        await scope.admitMiss();
      } catch (refusal) {
        throw new MissRefused(scope, refusal);
      }
    }
    const admission = breaker.admit(clock());
    if (!admission.allowed) {
      throw new ProblemError("upstream-unavailable", "KeyAPI is failing; calls are paused for a moment.", {
        retryAfter: Math.ceil(admission.retryAfterMs / 1000),
      });
    }
    let exchange: UpstreamExchange = { status: null, durationMs: 0 };
    let result: Awaited<ReturnType<typeof fetchSoundFromKeyApi>>;
    try {
      result = await fetchSoundFromKeyApi(scope.config, query, {
        now: clock,
        random,
        onExchange: (done) => {
          exchange = done;
        },
      });
      breaker.succeeded();
    } catch (error) {
      breaker.failed(clock());
      throw error;
    }
    const storedAt = clock();
    const answer: CachedAnswer = result.found
      ? await (async () => {
          const body = JSON.stringify(result.payload);
          return { status: 200, body, etag: await etagOf(body), storedAt };
        })()
      : { status: 404, body: "", etag: "", storedAt };
    store(cacheKey(query), answer, scope);
    return { answer, exchange };
  }

  /** Memory now (so the next request hits), the other tiers after the response. */
  function store(key: string, answer: CachedAnswer, scope: LookupScope): void {
    const { ttls } = scope.config;
    remember(key, answer, ttls);
    for (const tier of scope.stores) {
      if (tier.tier === "kv") {
        const last = kvWrittenAt.get(key);
        if (last !== undefined && clock() - last < KV_WRITE_SPACING_MS) continue;
        kvWrittenAt.set(key, clock());
        trimMap(kvWrittenAt);
      }
      scope.waitUntil(writeQuietly(tier, key, answer, ttls));
    }
  }

  function remember(key: string, answer: CachedAnswer, ttls: Ttls): void {
    memory.set(key, answer, answer.body.length + key.length + 64, servableUntil(answer, ttls));
  }

  async function writeQuietly(store: AnswerStore, key: string, answer: CachedAnswer, ttls: Ttls) {
    const ttlSeconds = (servableUntil(answer, ttls) - clock()) / 1000;
    if (ttlSeconds <= 0) return;
    try {
      await store.write(key, answer, ttlSeconds);
    } catch (error) {
      console.warn(
        JSON.stringify({ level: "warn", message: "cache write failed", tier: store.tier, error: describe(error) }),
      );
    }
  }

  /** A tier that fails to answer is a miss, not an error: the next tier or KeyAPI answers. */
  async function readQuietly(store: AnswerStore, key: string): Promise<CachedAnswer | undefined> {
    try {
      return await store.read(key);
    } catch (error) {
      console.warn(
        JSON.stringify({ level: "warn", message: "cache read failed", tier: store.tier, error: describe(error) }),
      );
      return undefined;
    }
  }

  return { lookup, refresh, memory, breaker };
}

/**
 * Someone else's work we joined was refused by *their* miss budget: that says
 * nothing about ours, so do the work on our own account. Our own refusal is
 * unwrapped into the error it carries.
 */
async function retryOwnIfRefusedForOther<T>(
  error: unknown,
  scope: LookupScope,
  retry: () => Promise<T> | T,
): Promise<T> {
  if (error instanceof MissRefused) {
    if (error.scope !== scope) return retry();
    throw error.refusal;
  }
  throw error;
}

/** Keeps bookkeeping maps from growing without bound in a long-lived isolate. */
function trimMap(map: Map<string, number>, max = 1000): void {
  for (const key of map.keys()) {
    if (map.size <= max) return;
    map.delete(key);
  }
}

function describe(error: unknown): string {
  return error instanceof ProblemError ? error.kind : error instanceof Error ? error.name : "unknown";
}
