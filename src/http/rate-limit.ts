/**
 * Per-client limits with the Workers Rate Limiting binding. The client is its
 * `CF-Connecting-IP` (set by Cloudflare, not forgeable from outside); requests
 * without one (local dev, tests) share one key.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { ProblemError } from "../domain/problems";

/** The bindings' period: a refused client may try again after it. */
export const RATE_LIMIT_PERIOD_SECONDS = 60;
const LOCAL_CLIENT = "local";

export function clientKey(c: Context<AppEnv>): string {
  return c.req.header("CF-Connecting-IP") ?? LOCAL_CLIENT;
}

/** `RATE_LIMITER`: every request it covers, before any cache or upstream work. */
export function rateLimit(): MiddlewareHandler<AppEnv> {
  return async function rateLimit(c, next) {
    const { success } = await c.get("config").rateLimiter.limit({ key: clientKey(c) });
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
    const { success } = await c.get("config").missLimiter.limit({ key: clientKey(c) });
    if (!success) {
      throw new ProblemError(
        "rate-limited",
        "This client has asked for too many uncached sounds. Cached sounds are still served; retry the others after Retry-After seconds.",
        { retryAfter: RATE_LIMIT_PERIOD_SECONDS },
      );
    }
  };
}
