/**
 * One Workers Analytics Engine data point per request, when the `ANALYTICS`
 * binding is there: written by the response envelope after the response is
 * made, without waiting (`writeDataPoint` returns nothing to wait for). The
 * layout below is what the README's SQL reads; change them together.
 *
 * | field   | holds                                                                 |
 * | ------- | --------------------------------------------------------------------- |
 * | blob1   | surface: json, widget, card, embed, oembed, webhook, admin, other     |
 * | blob2   | route: the matched route's pattern (`/embed/sound/:clip_id`), or ""   |
 * | blob3   | `X-Cache`: HIT, MISS, STALE, or "" (no cached answer involved)        |
 * | blob4   | region asked (normalised, `US`), or ""                                 |
 * | blob5   | the Cloudflare location (`request.cf.colo`, `FRA`), or ""              |
 * | blob6   | how the request took part in a KeyAPI call: called, joined, or ""    |
 * | double1 | duration, ms (as the request log line)                                |
 * | double2 | KeyAPI time, ms (0 without a call)                                    |
 * | double3 | HTTP status                                                           |
 * | index1  | the cache key (`v1:6703723351497508865:7:US`), or "": the sampling key |
 */
import type { UpstreamTrace } from "../domain/upstream";

export const ANALYTICS_SURFACES = ["json", "widget", "card", "embed", "oembed", "webhook", "admin", "other"] as const;
export type AnalyticsSurface = (typeof ANALYTICS_SURFACES)[number];

/** What the app knows of a request (its surface, route and key), told to the envelope by app.ts. */
export type RequestDimensions = { surface: AnalyticsSurface; route: string; key: string; region: string };

/** What the envelope knows of a request once its response is made. */
export type RequestFacts = {
  status: number;
  cache: string | null;
  upstream: UpstreamTrace | undefined;
  durationMs: number;
  colo: string;
};

/** Analytics Engine keeps at most 96 bytes of an index. */
export const MAX_INDEX_BYTES = 96;

/**
 * @example dataPoint({ surface: "json", route: "/v1/…/detail", key: "v1:1:7:US", region: "US" },
 *   { status: 200, cache: "HIT", upstream: undefined, durationMs: 1, colo: "FRA" })
 */
export function dataPoint(dimensions: RequestDimensions, facts: RequestFacts): AnalyticsEngineDataPoint {
  return {
    blobs: [
      dimensions.surface,
      dimensions.route,
      facts.cache ?? "",
      dimensions.region,
      facts.colo,
      facts.upstream?.role ?? "",
    ],
    doubles: [facts.durationMs, facts.upstream?.durationMs ?? 0, facts.status],
    indexes: [fitIndex(dimensions.key)],
  };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** `key` cut to `MAX_INDEX_BYTES` of UTF-8, never inside a character. */
export function fitIndex(key: string): string {
  // Three bytes at most per UTF-16 unit: a short key cannot be too long.
  if (key.length * 3 <= MAX_INDEX_BYTES) return key;
  const bytes = encoder.encode(key);
  if (bytes.length <= MAX_INDEX_BYTES) return key;
  let end = MAX_INDEX_BYTES;
  // Back off continuation bytes (10xxxxxx) to the start of the character that does not fit.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return decoder.decode(bytes.subarray(0, end));
}
