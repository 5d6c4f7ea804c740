/**
 * The operator's endpoints under `/v1/admin/`: today's KeyAPI credits, their
 * history per day, the keys that cost most, spend per hour (all from the
 * global ledger), and the configuration that decides spend. Bearer
 * `ADMIN_TOKEN`, compared in constant time; a missing and a wrong token get the
 * same 401, so the answer says nothing about which it was. Never cached.
 */
import { type Context, Hono } from "hono";
import * as z from "zod/mini";
import { version } from "../../package.json";
import type { AppEnv } from "../app-env";
import type { Config, WarmChart } from "../config";
import { BUDGET_THRESHOLDS } from "../domain/budget-alerts";
import { ProblemError, type ProblemKind } from "../domain/problems";
import { countParam, readParams } from "../domain/query";
import { CREDITS_PER_CALL, DAY_MS, utcDay } from "../domain/upstream";
import { detailEndpoint } from "../endpoints/detail";
import { problemResponse } from "../http/problem";
import { RATE_LIMITED_ROUTE_PROBLEMS } from "../http/rate-limit";
import { LEDGER_UNREACHABLE_RETRY_AFTER_SECONDS, ledgerOf } from "../ledger/client";
import { KEEP_DAYS, KEEP_HOURS } from "../ledger/contract";

export const USAGE_PATH = "/v1/admin/usage";
export const HISTORY_PATH = `${USAGE_PATH}/history`;
export const KEYS_PATH = `${USAGE_PATH}/keys`;
export const HOURS_PATH = `${USAGE_PATH}/hours`;
export const CONFIG_PATH = "/v1/admin/config";

/** What every admin endpoint answers besides its figures (and `invalid-query`, when it reads a query). */
export const ADMIN_PROBLEMS = [
  ...RATE_LIMITED_ROUTE_PROBLEMS,
  "unauthorized",
  "admin-disabled",
  "usage-unavailable",
] as const satisfies readonly ProblemKind[];

export const DEFAULT_HISTORY_DAYS = 30;
export const DEFAULT_KEYS_LIMIT = 20;
export const MAX_KEYS_LIMIT = 100;
export const DEFAULT_HOURS = 24;

export const historyParams = { days: countParam(KEEP_DAYS) } as const;
export const hoursParams = { hours: countParam(KEEP_HOURS) } as const;

/** `date` is a UTC day the ledger keeps: `now`'s, or one of the `KEEP_DAYS - 1` before it. */
export function keysParams(now: number) {
  const newest = utcDay(now);
  const oldest = utcDay(now - (KEEP_DAYS - 1) * DAY_MS);
  const kept = (value: string) => {
    const time = Date.parse(`${value}T00:00:00Z`);
    return Number.isFinite(time) && utcDay(time) === value && value >= oldest && value <= newest;
  };
  return {
    date: z
      .string()
      .check(
        z.regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date, YYYY-MM-DD"),
        z.refine(kept, `must be a UTC date from ${oldest} to ${newest}`),
      ),
    limit: countParam(MAX_KEYS_LIMIT),
  } as const;
}

/** `GET /v1/admin/config`'s body: what decides spend, never a secret (not even the alert URL, which may carry one). */
export type ConfigAnswer = {
  version: string;
  credit_budget: number | null;
  credits_per_call: number;
  fresh_ttl_seconds: number;
  stale_ttl_seconds: number;
  negative_ttl_seconds: number;
  upstream_timeout_ms: number;
  /** `clip_id:period:region`, as the ledger and the logs name keys. */
  warm_clip_ids: string[];
  /** `REGION:PERIOD`, as `WARM_CHARTS` spells them: page 1 of each is kept fresh. */
  warm_charts: string[];
  /** `KEYAPI_LIST_PAGE_SIZE`: the sounds in each page of a chart KeyAPI is asked for (one call each). */
  list_page_size: number;
  budget_alerts: { webhook: boolean; signed: boolean; thresholds: number[] };
};

export function configAnswer(config: Config): ConfigAnswer {
  return {
    version,
    credit_budget: config.creditBudgetPerDay === 0 ? null : config.creditBudgetPerDay,
    credits_per_call: CREDITS_PER_CALL,
    fresh_ttl_seconds: config.ttls.freshSeconds,
    stale_ttl_seconds: config.ttls.staleSeconds,
    negative_ttl_seconds: config.ttls.negativeSeconds,
    upstream_timeout_ms: config.upstreamTimeoutMs,
    warm_clip_ids: config.warmQueries.map(detailEndpoint.key),
    warm_charts: config.warmCharts.map(warmChartName),
    list_page_size: config.listPageSize,
    budget_alerts: {
      webhook: config.alerts !== undefined,
      signed: config.alerts?.key !== undefined,
      thresholds: [...BUDGET_THRESHOLDS],
    },
  };
}

/**
 * Region and period say it all: a `WarmChart` has no filter or search (a config whose warm charts could carry
 * one would not type-check here).
 */
function warmChartName({ region, period }: WarmChart): string {
  return `${region}:${period}`;
}

export function adminRoutes(clock: () => number) {
  return new Hono<AppEnv>()
    .get(
      USAGE_PATH,
      admin((_c, config) => fromLedger(config, (ledger) => ledger.usage(clock(), config.creditBudgetPerDay))),
    )
    .get(
      HISTORY_PATH,
      admin((c, config) => {
        const { days = DEFAULT_HISTORY_DAYS } = readParams(searchOf(c), historyParams);
        return fromLedger(config, (ledger) => ledger.history(clock(), config.creditBudgetPerDay, days));
      }),
    )
    .get(
      KEYS_PATH,
      admin((c, config) => {
        const now = clock();
        const { date = utcDay(now), limit = DEFAULT_KEYS_LIMIT } = readParams(searchOf(c), keysParams(now));
        return fromLedger(config, (ledger) => ledger.keys(date, limit));
      }),
    )
    .get(
      HOURS_PATH,
      admin((c, config) => {
        const { hours = DEFAULT_HOURS } = readParams(searchOf(c), hoursParams);
        return fromLedger(config, (ledger) => ledger.hours(clock(), hours));
      }),
    )
    .get(
      CONFIG_PATH,
      admin((c, config) => {
        readParams(searchOf(c), {});
        return configAnswer(config);
      }),
    );
}

/**
 * An admin handler: 503 `admin-disabled` without `ADMIN_TOKEN`, 401 without
 * the right bearer token (before anything else is read), then `answer` as
 * JSON, `no-store`.
 */
function admin(answer: (c: Context<AppEnv>, config: Config) => unknown) {
  return async function adminOnly(c: Context<AppEnv>) {
    const config = c.get("config");
    if (!config.adminToken) {
      throw new ProblemError("admin-disabled", "The admin endpoints are not configured on this deployment.");
    }
    if (!(await bearerMatches(c.req.header("Authorization"), config.adminToken))) {
      const error = new ProblemError("unauthorized", "Send the admin token as a Bearer token.");
      return problemResponse(error, c.get("requestId"), { "WWW-Authenticate": 'Bearer realm="admin"' });
    }
    return c.json(await answer(c, config), 200, { "Cache-Control": "no-store" });
  };
}

async function fromLedger<T>(
  config: Config,
  ask: (ledger: ReturnType<typeof ledgerOf>) => Promise<T> | T,
): Promise<Awaited<T>> {
  try {
    return await ask(ledgerOf(config.creditLedger));
  } catch {
    throw new ProblemError("usage-unavailable", "The credit ledger cannot be reached; try again shortly.", {
      retryAfter: LEDGER_UNREACHABLE_RETRY_AFTER_SECONDS,
    });
  }
}

function searchOf(c: Context<AppEnv>): URLSearchParams {
  return new URL(c.req.url).searchParams;
}

/**
 * `Authorization: Bearer <token>` against the expected token in constant time:
 * both sides are hashed first, so neither their contents nor their lengths leak.
 */
export async function bearerMatches(authorization: string | undefined, expected: string): Promise<boolean> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  const given = match?.[1] ?? "";
  const [a, b] = await Promise.all([sha256(given), sha256(expected)]);
  return crypto.subtle.timingSafeEqual(a, b) && given.length > 0;
}

async function sha256(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
}
