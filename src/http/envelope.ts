/**
 * What every response gets, in one place and one pass over its headers: the
 * request id, the security headers, and one structured JSON log line (Workers
 * Logs indexes the fields). The log holds only facts about the exchange: never
 * headers, query values or configuration.
 *
 * The security headers are a constant list rather than `hono/secure-headers`:
 * the same headers, but measured ~8% of a cache hit's throughput locally,
 * because that middleware walks `c.res.headers` once per header.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";

export const SECURITY_HEADERS: readonly (readonly [string, string])[] = [
  ["X-Content-Type-Options", "nosniff"],
  // Only JSON comes from the worker: nothing in it may load or frame anything.
  ["Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"],
  ["Referrer-Policy", "no-referrer"],
  ["X-Frame-Options", "DENY"],
  ["Strict-Transport-Security", "max-age=15552000; includeSubDomains"],
];

/** A caller's own `X-Request-Id` is kept when it is a short, plain token (as hono/request-id does). */
const PLAIN_TOKEN = /^[\w\-=]{1,255}$/;

export function responseEnvelope(): MiddlewareHandler<AppEnv> {
  return async function responseEnvelope(c, next) {
    const started = Date.now();
    const incoming = c.req.header("X-Request-Id");
    const requestId = incoming && PLAIN_TOKEN.test(incoming) ? incoming : crypto.randomUUID();
    c.set("requestId", requestId);
    await next();

    // On the final response (not via c.header), so errors carry them too and hits copy nothing.
    const headers = c.res.headers;
    for (const [name, value] of SECURITY_HEADERS) headers.set(name, value);
    headers.set("X-Request-Id", requestId);

    const upstream = c.var.upstream;
    console.log(
      JSON.stringify({
        method: c.req.method,
        path: c.req.path.slice(0, 200),
        status: c.res.status,
        cache: headers.get("X-Cache"),
        upstream: upstream?.role ?? null,
        upstream_status: upstream?.status ?? null,
        upstream_ms: upstream?.durationMs ?? null,
        duration_ms: Date.now() - started,
        request_id: requestId,
      }),
    );
  };
}
