/**
 * Response headers for cached answers (RFC 9111 / RFC 9110): what a browser,
 * a CDN and a curious human each need to know about the copy they got.
 */
import { type CachedAnswer, freshUntil, servableUntil, type Ttls } from "../cache/answer";
import type { Lookup } from "../cache/sound-cache";

/** Browsers and CDNs may reuse an answer this long at most, so a refresh here reaches them soon. */
export const MAX_CLIENT_MAX_AGE_SECONDS = 300;

/** Seconds a browser or CDN may reuse this answer: its freshness left, at most `MAX_CLIENT_MAX_AGE_SECONDS`. */
export function clientMaxAge(answer: CachedAnswer, ttls: Ttls, now: number): number {
  return Math.min(MAX_CLIENT_MAX_AGE_SECONDS, secondsUntil(freshUntil(answer, ttls), now));
}

export function cacheHeaders(lookup: Lookup, ttls: Ttls, now: number): Record<string, string> {
  const { answer } = lookup;
  const maxAge = clientMaxAge(answer, ttls, now);
  const cacheControl =
    answer.status === 404
      ? `public, max-age=${maxAge}`
      : `public, max-age=${maxAge}, stale-while-revalidate=${Math.max(0, secondsUntil(servableUntil(answer, ttls), now) - maxAge)}`;
  const headers: Record<string, string> = {
    "Cache-Control": cacheControl,
    Age: String(Math.max(0, Math.floor((now - answer.storedAt) / 1000))),
    "X-Cache": lookup.status,
    "Server-Timing": serverTiming(lookup),
  };
  if (answer.etag) headers.ETag = answer.etag;
  return headers;
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
