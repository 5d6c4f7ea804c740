/**
 * Facts about KeyAPI that every layer shares: what a call
 * costs, what one exchange looked like and how it ended, and the UTC day the
 * credit budget counts in.
 */

/** KeyAPI's price for one HTTP request to any of its trending music endpoints, whatever it answers. */
export const CREDITS_PER_CALL = 2;

/**
 * How a call ended, as the ledger counts it: KeyAPI's HTTP status class, or
 * `none` when no answer came (timeout, network error). A call whose outcome
 * was never reported counts as `unknown`.
 */
export const CALL_OUTCOMES = ["2xx", "4xx", "5xx", "none"] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

/**
 * The class of KeyAPI's HTTP status (an error `code` inside a 200 is a `2xx`:
 * KeyAPI answered, and billed). Redirects are followed, so a 3xx never
 * arrives; anything below 500 that is not a success counts as `4xx`.
 */
export function outcomeOf(status: number | null): CallOutcome {
  if (status === null) return "none";
  if (status < 300) return "2xx";
  return status < 500 ? "4xx" : "5xx";
}

/** What one exchange with KeyAPI looked like, for the request log and Server-Timing. */
export type UpstreamExchange = { status: number | null; durationMs: number };

/** How a request took part in a KeyAPI call: it caused it, or it waited for one someone else started. */
export type UpstreamRole = "called" | "joined";

export type UpstreamTrace = UpstreamExchange & { role: UpstreamRole };

/** A call's trace as one who waited for it (someone else's call) sees it. */
export function joined(trace: UpstreamTrace): UpstreamTrace {
  return { ...trace, role: "joined" };
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** The UTC day of `now`, as `2026-11-25`: the budget's accounting period. */
export function utcDay(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

/** The next UTC midnight after `now` (ms since epoch): when the budget starts again. */
export function nextUtcMidnight(now: number): number {
  return (Math.floor(now / DAY_MS) + 1) * DAY_MS;
}

/** When the budget resets, as the admin answers say it: `2026-11-26T00:00:00Z`. */
export function resetsAt(now: number): string {
  return new Date(nextUtcMidnight(now)).toISOString().replace(".000Z", "Z");
}

/** Whole seconds until the next UTC midnight, at least 1: the `Retry-After` of an exhausted budget. */
export function secondsUntilNextUtcMidnight(now: number): number {
  return Math.max(1, Math.ceil((nextUtcMidnight(now) - now) / 1000));
}

/**
 * Whether one more call fits a daily budget of `budget` credits after `spent`
 * (`0`: no limit). With B credits, floor(B/2) calls fit, and the whole budget is usable.
 */
export function callFits(spent: number, budget: number): boolean {
  return budget === 0 || spent + CREDITS_PER_CALL <= budget;
}
