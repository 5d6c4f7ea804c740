/**
 * What every response gets, in one place and one pass over its headers: the
 * request id, the security headers, one structured JSON log line (Workers
 * Logs indexes the fields) and, with the `ANALYTICS` binding, one Analytics
 * Engine data point. The log holds only facts about the exchange: never
 * headers, query values or configuration.
 *
 * The security headers are a constant list rather than `hono/secure-headers`:
 * the same headers, but measured ~8% of a cache hit's throughput locally,
 * because that middleware walks `c.res.headers` once per header. The embeds
 * (card, embed page, oEmbed) get their own CSP, framing and cross-origin
 * rules, decided here too.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv, Surface } from "../app-env";
import type { AllowedOrigins, Config } from "../config";
import type { NoticeSubject } from "../embed/notice";
import { dataPoint, type RequestDimensions } from "./analytics";

type HeaderList = readonly (readonly [string, string])[];

export const SECURITY_HEADERS: HeaderList = [
  ["X-Content-Type-Options", "nosniff"],
  // The API sends only JSON: nothing in it may load or frame anything.
  ["Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"],
  ["Referrer-Policy", "no-referrer"],
  ["X-Frame-Options", "DENY"],
  ["Strict-Transport-Security", "max-age=15552000; includeSubDomains"],
];

const withCsp = (csp: string, list: HeaderList = SECURITY_HEADERS): HeaderList =>
  list.map(([name, value]) => [name, name === "Content-Security-Policy" ? csp : value] as const);

/**
 * Every embed may be shown by pages that isolate themselves with
 * `Cross-Origin-Embedder-Policy: require-corp`: such a page loads an image or
 * frame from another origin only when it says so (the widget's script says so
 * in public/_headers).
 */
const CROSS_ORIGIN: HeaderList = [["Cross-Origin-Resource-Policy", "cross-origin"]];

export const CARD_SECURITY_HEADERS: HeaderList = [
  ...withCsp("default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"),
  ...CROSS_ORIGIN,
];

const OEMBED_SECURITY_HEADERS: HeaderList = [...SECURITY_HEADERS, ...CROSS_ORIGIN];

const embedHeaders = new WeakMap<AllowedOrigins, HeaderList>();

/**
 * The embed page's headers: its own CSP, whose `frame-ancestors` names this
 * origin and the allowed ones (`*`: any site), and no `X-Frame-Options`,
 * which could only say DENY or SAMEORIGIN; images from its own origin only (its
 * favicon). A frame in a `require-corp` page must itself require CORP of what
 * it loads (it loads nothing from elsewhere).
 * Built once per configuration. Without a configuration (it failed to load)
 * the page may frame only itself.
 */
export function embedSecurityHeaders(allowed: AllowedOrigins | undefined): HeaderList {
  const known = allowed && embedHeaders.get(allowed);
  if (known) return known;
  const ancestors = !allowed ? "'self'" : allowed.any ? "*" : ["'self'", ...allowed.origins].join(" ");
  const csp =
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; form-action 'none'; " +
    `frame-ancestors ${ancestors}`;
  const list: HeaderList = [
    ...withCsp(csp).filter(([name]) => name !== "X-Frame-Options"),
    ...CROSS_ORIGIN,
    ["Cross-Origin-Embedder-Policy", "require-corp"],
  ];
  if (allowed) embedHeaders.set(allowed, list);
  return list;
}

/**
 * Marks the paths below it as one of the embed surfaces, for the headers here and the error renderer, and
 * says what they show (a chart's errors speak of the chart).
 *
 * @example app.use(CHART_CARD_PATH, surface("card", "chart"))
 */
export function surface(name: Surface, subject?: NoticeSubject): MiddlewareHandler<AppEnv> {
  return async function surface(c, next) {
    c.set("surface", name);
    if (subject) c.set("subject", subject);
    await next();
  };
}

/** The one place that decides a response's security headers, by surface (the API's: none set). */
function securityHeaders(surface: Surface, config: Config | undefined): HeaderList {
  if (surface === "card") return CARD_SECURITY_HEADERS;
  if (surface === "oembed") return OEMBED_SECURITY_HEADERS;
  return embedSecurityHeaders(config?.allowedOrigins);
}

/** A caller's own `X-Request-Id` is kept when it is a short, plain token (as hono/request-id does). */
const PLAIN_TOKEN = /^[\w\-=]{1,255}$/;

/**
 * @param dimensions what the app knows of a request (surface, route, key), asked only when the
 *   `ANALYTICS` binding is there: without it, a request costs nothing more.
 */
export function responseEnvelope(dimensions?: (c: Context<AppEnv>) => RequestDimensions): MiddlewareHandler<AppEnv> {
  return async function responseEnvelope(c, next) {
    const started = Date.now();
    const incoming = c.req.header("X-Request-Id");
    const requestId = incoming && PLAIN_TOKEN.test(incoming) ? incoming : crypto.randomUUID();
    c.set("requestId", requestId);
    await next();

    // On the final response (not via c.header), so errors carry them too and hits copy nothing.
    const headers = c.res.headers;
    // c.get, not c.var: the latter copies every variable into a new object.
    const surface = c.get("surface");
    const list = surface === undefined ? SECURITY_HEADERS : securityHeaders(surface, c.get("config"));
    for (const [name, value] of list) headers.set(name, value);
    headers.set("X-Request-Id", requestId);

    const upstream = c.get("upstream");
    const cache = headers.get("X-Cache");
    const durationMs = Date.now() - started;
    console.log(
      JSON.stringify({
        method: c.req.method,
        path: c.req.path.slice(0, 200),
        status: c.res.status,
        cache,
        upstream: upstream?.role ?? null,
        upstream_status: upstream?.status ?? null,
        upstream_ms: upstream?.durationMs ?? null,
        duration_ms: durationMs,
        request_id: requestId,
      }),
    );

    const analytics: AnalyticsEngineDataset | undefined = c.env?.ANALYTICS;
    if (analytics && dimensions) {
      try {
        const colo = c.req.raw.cf?.colo;
        analytics.writeDataPoint(
          dataPoint(dimensions(c), {
            status: c.res.status,
            cache,
            upstream,
            durationMs,
            colo: typeof colo === "string" ? colo : "",
          }),
        );
      } catch (error) {
        // A broken binding costs the data point, never the response.
        console.warn(
          JSON.stringify({ level: "warn", message: "analytics data point not written", error: String(error) }),
        );
      }
    }
  };
}
