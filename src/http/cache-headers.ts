/**
 * Response headers for cached answers (RFC 9111 / RFC 9110): what a browser,
 * a CDN and a curious human each need to know about the copy they got.
 */

import type { Lookup } from "../cache/tiered-cache";
import { type CachedAnswer, freshUntil, servableUntil, type Ttls } from "../domain/freshness";

/** Browsers and CDNs may reuse an answer this long at most, so a refresh here reaches them soon. */
export const MAX_CLIENT_MAX_AGE_SECONDS = 300;

/**
 * Seconds a browser or CDN may reuse this answer from now: its freshness left, at most
 * `MAX_CLIENT_MAX_AGE_SECONDS` (oEmbed's `cache_age`). 0 for a stale answer.
 */
export function clientMaxAge(answer: CachedAnswer, ttls: Ttls, now: number): number {
  return Math.min(MAX_CLIENT_MAX_AGE_SECONDS, secondsUntil(freshUntil(answer, ttls), now));
}

/**
 * `Cache-Control`, `Age`, `X-Cache` and `Server-Timing` for an answer served at `now`. No `ETag`: each
 * surface validates its own representation (the JSON route sends the answer's).
 *
 * RFC 9111 §4.2: a downstream cache compares `max-age` with `Age` plus the time it has held the copy, so every
 * directive counts from KeyAPI's answer, not from now: `max-age` is `Age` + the seconds it may reuse the copy
 * (`Age: 378` and 300 s to go → `max-age=678`). A stale answer says `max-age=0`, and its stale window ends
 * when the copy can no longer be served here (`max-age` + `stale-while-revalidate` = `Age` + servable time left).
 *
 * @example cacheHeaders(lookup, config.ttls, clock())["Cache-Control"]
 *   // → "public, max-age=678, stale-while-revalidate=175722, stale-if-error=175722"
 */
export function cacheHeaders(lookup: Lookup, ttls: Ttls, now: number): Record<string, string> {
  const { answer } = lookup;
  const age = Math.max(0, Math.floor((now - answer.storedAt) / 1000));
  const reusableFor = clientMaxAge(answer, ttls, now);
  const maxAge = reusableFor > 0 ? age + reusableFor : 0;
  let cacheControl = `public, max-age=${maxAge}`;
  if (answer.status !== 404) {
    // Serving stale while revalidating or when we fail is what this worker does itself, for as long.
    const staleWindow = Math.max(0, age + secondsUntil(servableUntil(answer, ttls), now) - maxAge);
    cacheControl += `, stale-while-revalidate=${staleWindow}, stale-if-error=${staleWindow}`;
  }
  return {
    "Cache-Control": cacheControl,
    Age: String(age),
    "X-Cache": lookup.status,
    "Server-Timing": serverTiming(lookup),
  };
}

function serverTiming(lookup: Lookup): string {
  const tier = `cache;desc="${lookup.tier}"`;
  return lookup.upstream ? `${tier}, upstream;dur=${lookup.upstream.durationMs}` : tier;
}

function secondsUntil(time: number, now: number): number {
  return Math.max(0, Math.floor((time - now) / 1000));
}

/**
 * `If-None-Match` against the current ETag (an answer's, or a rendering's of it), with the weak comparison RFC 9110
 * §13.1.2 prescribes for it; `*` matches any current answer.
 */
export function isNotModified(ifNoneMatch: string | undefined, answer: Pick<CachedAnswer, "etag">): boolean {
  if (!ifNoneMatch || !answer.etag) return false;
  if (ifNoneMatch.trim() === "*") return true;
  const current = answer.etag.replace(/^W\//, "");
  return ifNoneMatch.split(",").some((tag) => tag.trim().replace(/^W\//, "") === current);
}
