/**
 * One structured JSON line per request (Workers Logs indexes the fields).
 * Only facts about the exchange: never headers, query values or configuration.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";

export function requestLog(): MiddlewareHandler<AppEnv> {
  return async function requestLog(c, next) {
    const started = Date.now();
    await next();
    // Here rather than in hono/request-id, so error responses carry it too.
    c.res.headers.set("X-Request-Id", c.var.requestId);
    const upstream = c.var.upstream;
    console.log(
      JSON.stringify({
        method: c.req.method,
        path: c.req.path.slice(0, 200),
        status: c.res.status,
        cache: c.res.headers.get("X-Cache"),
        upstream_status: upstream?.status ?? null,
        upstream_ms: upstream?.durationMs ?? null,
        duration_ms: Date.now() - started,
        request_id: c.var.requestId,
      }),
    );
  };
}
