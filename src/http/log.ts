/**
 * The request id, and one structured JSON line per request (Workers Logs
 * indexes the fields). Only facts about the exchange: never headers, query
 * values or configuration.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";

/** A caller's own `X-Request-Id` is kept when it is a short, plain token (as hono/request-id does). */
const PLAIN_TOKEN = /^[\w\-=]{1,255}$/;

export function requestLog(): MiddlewareHandler<AppEnv> {
  return async function requestLog(c, next) {
    const started = Date.now();
    const incoming = c.req.header("X-Request-Id");
    c.set("requestId", incoming && PLAIN_TOKEN.test(incoming) ? incoming : crypto.randomUUID());
    await next();
    // Set on the final response (not via c.header), so error responses carry it too and hits copy no headers.
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
