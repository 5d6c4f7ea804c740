/**
 * Bench baseline "platform floor" (never shipped): per request, exactly the
 * platform work a cache hit of the production worker cannot avoid, then the
 * static body. That work is one `RATE_LIMITER.limit()` call keyed on
 * `CF-Connecting-IP` and one structured JSON log line shaped like ours.
 *
 * Each feature can be switched off to price it (see bench/README.md): a config
 * without the `[[ratelimits]]` binding skips the call, `LOG_LINE=off` skips the
 * log line.
 */
import { UNKNOWN_CLIENT } from "../../src/http/client-key";
import { JSON_HEADERS, STATIC_BODY } from "./static-body";

type PlatformFloorEnv = {
  RATE_LIMITER?: RateLimit;
  LOG_LINE?: string;
};

export default {
  async fetch(request, env) {
    const started = Date.now();
    let status = 200;
    if (env.RATE_LIMITER) {
      const { success } = await env.RATE_LIMITER.limit({
        // The header as it comes (the bench sends one distinct /64 per request); absent, the production worker's shared key.
        key: request.headers.get("CF-Connecting-IP") ?? UNKNOWN_CLIENT,
      });
      // The bench sends a distinct client address per request, so this should never trip.
      if (!success) status = 429;
    }
    if (env.LOG_LINE !== "off") {
      console.log(
        JSON.stringify({
          method: request.method,
          path: new URL(request.url).pathname,
          status,
          cache: "HIT",
          upstream_status: null,
          upstream_ms: null,
          duration_ms: Date.now() - started,
          request_id: crypto.randomUUID(),
        }),
      );
    }
    if (status !== 200) return new Response(null, { status });
    return new Response(STATIC_BODY, { headers: JSON_HEADERS });
  },
} satisfies ExportedHandler<PlatformFloorEnv>;
