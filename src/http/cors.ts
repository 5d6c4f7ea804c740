/**
 * CORS for browsers on other people's sites. Unlike `hono/cors`, a request from
 * an origin that is not allowed is refused outright (403), before any cache or
 * upstream work, and the allow-list comes from runtime configuration.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { ProblemError } from "../domain/problems";

/** Response headers a widget may read. */
export const CORS_EXPOSED_HEADERS = ["ETag", "X-Cache", "Age", "Retry-After", "X-Request-Id"];
/** Request headers a widget may send. */
export const CORS_ALLOWED_HEADERS = ["If-None-Match", "Content-Type"];
export const CORS_ALLOWED_METHODS = ["GET", "OPTIONS"];
export const CORS_MAX_AGE_SECONDS = 86_400;

const exposed = CORS_EXPOSED_HEADERS.join(", ");
const allowedHeaders = CORS_ALLOWED_HEADERS.join(", ");
const allowedMethods = CORS_ALLOWED_METHODS.join(", ");

/**
 * @example app.use(corsPolicy())  // after the config middleware
 */
export function corsPolicy(): MiddlewareHandler<AppEnv> {
  return async function corsPolicy(c, next) {
    const { allowedOrigins } = c.get("config");
    const origin = c.req.header("Origin");
    const allowed =
      origin === undefined ||
      allowedOrigins.any ||
      allowedOrigins.origins.has(origin) ||
      origin === new URL(c.req.url).origin;
    if (!allowed) {
      throw new ProblemError("origin-not-allowed", "This origin may not use the API.");
    }

    const isPreflight =
      origin !== undefined && c.req.method === "OPTIONS" && c.req.header("Access-Control-Request-Method");
    if (isPreflight) {
      c.res = new Response(null, {
        status: 204,
        headers: {
          "Access-Control-Allow-Methods": allowedMethods,
          "Access-Control-Allow-Headers": allowedHeaders,
          "Access-Control-Max-Age": String(CORS_MAX_AGE_SECONDS),
        },
      });
    } else {
      await next();
    }

    // Every response passes here, errors and 304s included.
    const headers = c.res.headers;
    if (allowedOrigins.any) {
      headers.set("Access-Control-Allow-Origin", "*");
    } else {
      headers.append("Vary", "Origin");
      if (origin !== undefined) headers.set("Access-Control-Allow-Origin", origin);
    }
    if (origin !== undefined) headers.set("Access-Control-Expose-Headers", exposed);
  };
}
