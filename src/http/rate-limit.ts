/**
 * Per-client limits with the Workers Rate Limiting binding. The client is its
 * `CF-Connecting-IP` (set by Cloudflare, not forgeable from outside): the
 * address for IPv4, the /64 for IPv6 (see client-key.ts); requests without a
 * readable one (local dev, tests) share one key.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { ProblemError, type ProblemKind } from "../domain/problems";
import { clientKey } from "./client-key";
import { EVERY_ROUTE_PROBLEMS } from "./problem";

/** The bindings' period: a refused client may try again after it. */
export const RATE_LIMIT_PERIOD_SECONDS = 60;

/** What every rate-limited route (`/v1/*`, the embed pages, oEmbed) can answer with before its own work. */
export const RATE_LIMITED_ROUTE_PROBLEMS = [
  ...EVERY_ROUTE_PROBLEMS,
  "rate-limited",
] as const satisfies readonly ProblemKind[];

function clientOf(c: Context<AppEnv>): string {
  return clientKey(c.req.header("CF-Connecting-IP"));
}

/** `RATE_LIMITER`: every request it covers, before any cache or upstream work. */
export function rateLimit(): MiddlewareHandler<AppEnv> {
  return async function rateLimit(c, next) {
    const { success } = await c.get("config").rateLimiter.limit({ key: clientOf(c) });
    if (!success) {
      throw new ProblemError(
        "rate-limited",
        "This client has made too many requests. Retry after Retry-After seconds.",
        {
          retryAfter: RATE_LIMIT_PERIOD_SECONDS,
        },
      );
    }
    await next();
  };
}

/** `MISS_LIMITER`: asked only when this request itself would call KeyAPI. */
export function missAdmission(c: Context<AppEnv>): () => Promise<void> {
  return async () => {
    const { success } = await c.get("config").missLimiter.limit({ key: clientOf(c) });
    if (!success) {
      throw new ProblemError(
        "rate-limited",
        "This client has asked for too many uncached sounds or chart pages. Cached ones are still served; retry the others after Retry-After seconds.",
        { retryAfter: RATE_LIMIT_PERIOD_SECONDS },
      );
    }
  };
}
