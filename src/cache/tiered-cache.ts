/**
 * The tiered cache in front of KeyAPI, as one location sees it, for every
 * KeyAPI endpoint alike (a declaration, src/domain/endpoint.ts): memory (tier
 * 0) → Cache API (tier 1) → KV (tier 2) → the key's coordinator (a Durable
 * Object shared by every location, which alone calls KeyAPI), with
 * stale-while-revalidate, stale-if-error, per-isolate coalescing and a circuit
 * breaker. Every route that needs an answer (the endpoints, the embeds, the
 * webhook, the cron warm-up) goes through here, so no path can pay KeyAPI twice
 * for the same answer at the same time, in this isolate or anywhere.
 */
import type { Config } from "../config";
import {
  askCoordinator,
  CoordinatorTimeout,
  coordinatorTimedOut,
  problemOf,
  whenUnreachable,
} from "../coordinator/client";
import type { Ask, CoordinatorSettings, Obtained } from "../coordinator/contract";
import { callKeyApi } from "../coordinator/keyapi-call";
import { cacheKey, type Endpoint } from "../domain/endpoint";
import {
  type CachedAnswer,
  freshness,
  keptUntil,
  newest,
  type Purpose,
  servableUntil,
  type Ttls,
} from "../domain/freshness";
import { ProblemError, type ProblemKind } from "../domain/problems";
import { joined, type UpstreamTrace } from "../domain/upstream";
import { type Admission, CircuitBreaker } from "../keyapi/breaker";
import { ledgerOf } from "../ledger/client";
import { MemoryCache } from "./memory";
import type { AnswerStore } from "./stores";

/** Where an answer came from (`Server-Timing: cache;desc=…`): a tier, the key's coordinator, or KeyAPI just now. */
export const TIERS = ["memory", "edge", "kv", "coordinator", "upstream"] as const;
export type Tier = (typeof TIERS)[number];
/** The `X-Cache` values: a fresh copy, KeyAPI asked for this request, a stale copy while a refresh runs. */
export const CACHE_STATUSES = ["HIT", "MISS", "STALE"] as const;
export type CacheStatus = (typeof CACHE_STATUSES)[number];

/**
 * What a lookup can fail with: KeyAPI's failures (as the KeyAPI client maps them), calls paused by the breaker
 * or a key's failure backoff, an unreachable coordinator or ledger while a budget is kept, the budget itself.
 * (A cold miss over the client's miss budget is `rate-limited`, which every such route declares already.)
 */
export const LOOKUP_PROBLEMS = [
  "upstream-credentials-rejected",
  "upstream-error",
  "upstream-quota-exhausted",
  "upstream-rate-limited",
  "upstream-unavailable",
  "credit-budget-exhausted",
  "upstream-timeout",
] as const satisfies readonly ProblemKind[];

export type Lookup = {
  answer: CachedAnswer;
  status: CacheStatus;
  tier: Tier;
  /** Present when this lookup waited for a KeyAPI call (its own or someone else's). */
  upstream?: UpstreamTrace;
};

/** What a lookup may use of the request it serves. */
export type LookupScope = {
  config: Config;
  /** Tiers 1 and 2, in that order. */
  stores: AnswerStore[];
  waitUntil: (work: Promise<unknown>) => void;
  /** Put on the log lines of the KeyAPI calls this lookup causes. */
  requestId: string;
  /**
   * Asked before this scope's own cold miss asks the coordinator; throws to
   * refuse (the miss budget). Absent for refreshes, the webhook and the cron.
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

export type TieredCacheOptions = {
  clock?: () => number;
  random?: () => number;
  memory?: { maxEntries: number; maxBytes: number };
  breaker?: { failureThreshold: number; openMs: number };
  /** A key whose background refresh (or cron warm-up) failed is not retried sooner than this. */
  refreshRetryMs?: number;
};

export const DEFAULT_MEMORY_LIMITS = { maxEntries: 1000, maxBytes: 8 * 1024 * 1024 };
export const DEFAULT_BREAKER = { failureThreshold: 5, openMs: 30_000 };
export const DEFAULT_REFRESH_RETRY_MS = 30_000;
/** KV allows one write per key per second. */
const KV_WRITE_SPACING_MS = 1000;

/** A copy obtained from beyond this location's tiers. */
type Obtainment = { answer: CachedAnswer; tier: "coordinator" | "upstream"; upstream?: UpstreamTrace };

export type TieredCache = ReturnType<typeof createTieredCache>;

export function createTieredCache(options: TieredCacheOptions = {}) {
  const clock = options.clock ?? Date.now;
  const random = options.random ?? Math.random;
  const refreshRetryMs = options.refreshRetryMs ?? DEFAULT_REFRESH_RETRY_MS;
  const memory = new MemoryCache<CachedAnswer>(options.memory ?? DEFAULT_MEMORY_LIMITS);
  // One breaker for KeyAPI, whichever of its endpoints is called.
  const breaker = new CircuitBreaker(options.breaker ?? DEFAULT_BREAKER);

  /** Cold loads (lower tiers, then the coordinator), one per key at a time. */
  const loads = new Map<string, Promise<Lookup>>();
  /** Questions to a coordinator, one per key and purpose at a time. */
  const asks = new Map<string, Promise<Obtainment>>();
  /** Direct KeyAPI calls (only when the coordinator cannot be reached), one per key at a time. */
  const directCalls = new Map<string, Promise<Obtainment>>();
  /** Background refreshes in progress. */
  const refreshes = new Set<string>();
  const refreshFailedAt = new Map<string, number>();
  const kvWrittenAt = new Map<string, number>();

  /**
   * The answer for a query of an endpoint, from the nearest tier that has a
   * servable one. A tier-0 hit answers synchronously (no promise to wait for).
   */
  function lookup<Q>(endpoint: Endpoint<Q>, query: Q, scope: LookupScope): Promise<Lookup> | Lookup {
    const key = cacheKey(endpoint, query);
    const remembered = memory.get(key, clock());
    if (remembered) return serveCached(endpoint, query, key, remembered, "memory", scope);

    const joined = loads.get(key);
    if (joined) {
      return joined.then(asJoiner, (error) =>
        retryOwnIfRefusedForOther(asJoinerError(error), scope, () => lookup(endpoint, query, scope)),
      );
    }
    const pending = loadCold(endpoint, query, key, scope).finally(() => loads.delete(key));
    loads.set(key, pending);
    return pending.catch((error) => {
      throw error instanceof MissRefused ? error.refusal : error;
    });
  }

  /**
   * A copy good enough for a forced refresh (`webhook`: fetched in the last few
   * seconds anywhere, else a KeyAPI call) or the cron (`warm-up`), stored in every tier.
   */
  async function refresh<Q>(
    endpoint: Endpoint<Q>,
    query: Q,
    scope: LookupScope,
    purpose: "webhook" | "warm-up",
  ): Promise<Lookup> {
    const { answer, tier, upstream } = await obtain(endpoint, query, cacheKey(endpoint, query), scope, purpose);
    return { answer, status: upstream ? "MISS" : "HIT", tier, upstream };
  }

  async function loadCold<Q>(endpoint: Endpoint<Q>, query: Q, key: string, scope: LookupScope): Promise<Lookup> {
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
    if (stale) return serveCached(endpoint, query, key, stale.answer, stale.tier, scope);

    const { answer, tier, upstream } = await obtain(endpoint, query, key, scope, "lookup");
    if (upstream) return { answer, status: "MISS", tier, upstream };
    // The coordinator's copy may be stale: served at once and revalidated, like any other.
    return serveCached(endpoint, query, key, answer, tier, scope);
  }

  function serveCached<Q>(
    endpoint: Endpoint<Q>,
    query: Q,
    key: string,
    answer: CachedAnswer,
    tier: Tier,
    scope: LookupScope,
  ): Lookup {
    if (freshness(answer, scope.config.ttls, clock()) === "fresh") return { answer, status: "HIT", tier };
    refreshInBackground(endpoint, query, key, answer, scope);
    return { answer, status: "STALE", tier };
  }

  /**
   * Stale-while-revalidate through the coordinator, which hands back a fresher
   * copy if some location already got one: one refresh per key in this isolate,
   * none while the breaker is open or soon after a failure.
   */
  function refreshInBackground<Q>(
    endpoint: Endpoint<Q>,
    query: Q,
    key: string,
    stale: CachedAnswer,
    scope: LookupScope,
  ): void {
    const now = clock();
    if (refreshes.has(key) || breaker.state(now) === "open") return;
    const failedAt = refreshFailedAt.get(key);
    if (failedAt !== undefined && now - failedAt < refreshRetryMs) return;

    refreshes.add(key);
    const work = obtain(endpoint, query, key, { ...scope, admitMiss: undefined }, "revalidate", stale.storedAt)
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

  /** One question per key and purpose in flight in this isolate; others wait for its answer. */
  function obtain<Q>(
    endpoint: Endpoint<Q>,
    query: Q,
    key: string,
    scope: LookupScope,
    purpose: Purpose,
    haveStoredAt?: number,
  ): Promise<Obtainment> {
    const flight = `${purpose} ${key}`;
    const joined = asks.get(flight);
    if (joined) {
      return joined.then(asJoiner, (error) =>
        retryOwnIfRefusedForOther(asJoinerError(error), scope, () =>
          obtain(endpoint, query, key, scope, purpose, haveStoredAt),
        ),
      );
    }
    const pending = ask(endpoint, query, key, scope, purpose, haveStoredAt).finally(() => asks.delete(flight));
    asks.set(flight, pending);
    return pending;
  }

  async function ask<Q>(
    endpoint: Endpoint<Q>,
    query: Q,
    key: string,
    scope: LookupScope,
    purpose: Purpose,
    haveStoredAt: number | undefined,
  ): Promise<Obtainment> {
    if (scope.admitMiss) {
      try {
        await scope.admitMiss();
      } catch (refusal) {
        throw new MissRefused(scope, refusal);
      }
    }
    const { config } = scope;
    const admission = breaker.admit(clock());
    const question: Ask = {
      endpoint: endpoint.name,
      query,
      purpose,
      haveStoredAt,
      now: clock(),
      settings: coordinatorSettings(config, refreshRetryMs),
      callsPausedForSeconds: admission.allowed ? undefined : Math.ceil(admission.retryAfterMs / 1000),
      requestId: scope.requestId,
    };
    let obtained: Obtained;
    try {
      obtained = await askCoordinator(config.soundCoordinator, key, question, config.upstreamTimeoutMs);
    } catch (error) {
      if (error instanceof CoordinatorTimeout) {
        const timeout = coordinatorTimedOut();
        breaker.settle(admission, clock(), { called: true, ok: false, blame: timeout.blame });
        // The object may be mid-call: a direct call now could pay twice.
        throw timeout;
      }
      breaker.release(admission);
      const refusal = whenUnreachable(key, config.creditBudgetPerDay, error);
      if (refusal) throw refusal;
      return callDirectly(endpoint, query, key, scope);
    }
    return settled(obtained, admission, key, scope);
  }

  /**
   * The breaker learns from calls, whoever made them (a question answered from
   * a copy teaches it nothing); a copy is stored in this location's tiers; a
   * failure becomes the problem it stands for.
   */
  function settled(obtained: Obtained, admission: Admission, key: string, scope: LookupScope): Obtainment {
    const blame = obtained.ok ? undefined : obtained.blame;
    breaker.settle(admission, clock(), { called: obtained.upstream !== null, ok: obtained.ok, blame });
    if (!obtained.ok) throw problemOf(obtained);
    store(key, obtained.answer, scope);
    return obtained.upstream
      ? { answer: obtained.answer, tier: "upstream", upstream: obtained.upstream }
      : { answer: obtained.answer, tier: "coordinator" };
  }

  /** The coordinator cannot be reached and no budget is kept: one KeyAPI call per key from this isolate. */
  function callDirectly<Q>(endpoint: Endpoint<Q>, query: Q, key: string, scope: LookupScope): Promise<Obtainment> {
    const joined = directCalls.get(key);
    if (joined) return joined.then(asJoiner, (failure) => Promise.reject(asJoinerError(failure)));
    const pending = (async () => {
      const admission = breaker.admit(clock());
      if (!admission.allowed) {
        throw new ProblemError("upstream-unavailable", "KeyAPI is failing; calls are paused for a moment.", {
          retryAfter: Math.ceil(admission.retryAfterMs / 1000),
        });
      }
      const { config } = scope;
      const obtained = await callKeyApi(endpoint, query, config, {
        ledger: ledgerOf(config.creditLedger),
        // Still counted when the ledger is up (there is no budget to keep on this path).
        budget: 0,
        now: clock,
        random,
        requestId: scope.requestId,
        waitUntil: scope.waitUntil,
      });
      return settled(obtained, admission, key, scope);
    })().finally(() => directCalls.delete(key));
    directCalls.set(key, pending);
    return pending;
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
    const ttlSeconds = (keptUntil(answer, ttls) - clock()) / 1000;
    if (ttlSeconds <= 0) return;
    try {
      await store.write(key, answer, ttlSeconds);
    } catch (error) {
      console.warn(
        JSON.stringify({ level: "warn", message: "cache write failed", tier: store.tier, error: describe(error) }),
      );
    }
  }

  /** A tier that fails to answer is a miss, not an error: the next tier or the coordinator answers. */
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

export function coordinatorSettings(config: Config, refreshRetryMs: number): CoordinatorSettings {
  return {
    keyapiBaseUrl: config.keyapiBaseUrl,
    upstreamTimeoutMs: config.upstreamTimeoutMs,
    ttls: config.ttls,
    creditBudgetPerDay: config.creditBudgetPerDay,
    refreshRetryMs,
  };
}

/** What a request that waited for someone else's work got. */
function asJoiner<T extends { upstream?: UpstreamTrace }>(result: T): T {
  return result.upstream ? { ...result, upstream: joined(result.upstream) } : result;
}

function asJoinerError(error: unknown): unknown {
  return error instanceof ProblemError ? error.asJoined() : error;
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
