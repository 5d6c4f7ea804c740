/**
 * Facts about KeyAPI that every layer shares: what a call costs, what one
 * exchange looked like, and the UTC day the credit budget counts in.
 */

/** KeyAPI's price for one HTTP request to the trending music detail endpoint, whatever it answers. */
export const CREDITS_PER_CALL = 2;

/** What one exchange with KeyAPI looked like, for the request log and Server-Timing. */
export type UpstreamExchange = { status: number | null; durationMs: number };

/** How a request took part in a KeyAPI call: it caused it, or it waited for one someone else started. */
export type UpstreamRole = "called" | "joined";

export type UpstreamTrace = UpstreamExchange & { role: UpstreamRole };

const DAY_MS = 86_400_000;

/** The UTC day of `now`, as `2026-11-25`: the budget's accounting period. */
export function utcDay(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

/** The next UTC midnight after `now` (ms since epoch): when the budget starts again. */
export function nextUtcMidnight(now: number): number {
  return (Math.floor(now / DAY_MS) + 1) * DAY_MS;
}

/** Whole seconds until the next UTC midnight, at least 1: the `Retry-After` of an exhausted budget. */
export function secondsUntilNextUtcMidnight(now: number): number {
  return Math.max(1, Math.ceil((nextUtcMidnight(now) - now) / 1000));
}

/** Calls a budget of `credits` allows per day: floor(B/2); `0` means no limit. */
export function callsAllowed(credits: number): number {
  return credits === 0 ? Number.POSITIVE_INFINITY : Math.floor(credits / CREDITS_PER_CALL);
}
