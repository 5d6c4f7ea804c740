/**
 * A cached answer and the rules for how long it may be served. Pure: the clock
 * and the TTLs are arguments, so the rules are tested with a table.
 */
import type { Trimmed } from "./endpoint";

/** What every tier stores: the serialised body, never re-serialised on a hit. */
export type CachedAnswer = {
  /** 200: `body` is the payload. 404: KeyAPI has nothing there, e.g. no such sound (negative entry, empty body). */
  status: 200 | 404;
  body: string;
  /** Strong ETag of `body`, quoted; empty for 404. */
  etag: string;
  /** When KeyAPI answered (ms since epoch); the payload's `fetched_at`. */
  storedAt: number;
};

export type Ttls = { freshSeconds: number; staleSeconds: number; negativeSeconds: number };

export type Freshness = "fresh" | "stale" | "expired";

export function freshUntil(answer: CachedAnswer, ttls: Ttls): number {
  const seconds = answer.status === 404 ? ttls.negativeSeconds : ttls.freshSeconds;
  return answer.storedAt + seconds * 1000;
}

/** After this, nothing may be served: fresh + stale for answers, just the negative TTL for 404s. */
export function servableUntil(answer: CachedAnswer, ttls: Ttls): number {
  return answer.status === 404 ? freshUntil(answer, ttls) : freshUntil(answer, ttls) + ttls.staleSeconds * 1000;
}

export function freshness(answer: CachedAnswer, ttls: Ttls, now: number): Freshness {
  if (now < freshUntil(answer, ttls)) return "fresh";
  if (now < servableUntil(answer, ttls)) return "stale";
  return "expired";
}

/** Picks the better of two candidates from different tiers: the one fetched last. */
export function newest(a: CachedAnswer | undefined, b: CachedAnswer | undefined): CachedAnswer | undefined {
  if (!a) return b;
  if (!b) return a;
  return b.storedAt > a.storedAt ? b : a;
}

/** What every tier stores for KeyAPI's answer: the payload serialised once, or a negative entry. */
export async function answerFrom(result: Trimmed, storedAt: number): Promise<CachedAnswer> {
  if (!result.found) return { status: 404, body: "", etag: "", storedAt };
  const body = JSON.stringify(result.payload);
  return { status: 200, body, etag: await etagOf(body), storedAt };
}

/** A strong ETag from the body: SHA-256, first 16 bytes, base64url. */
export async function etagOf(body: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body));
  const bytes = new Uint8Array(digest, 0, 16);
  const base64 = btoa(String.fromCharCode(...bytes));
  return `"${base64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}"`;
}

/**
 * Why a copy is wanted, which decides whether a copy held elsewhere (the key's
 * coordinator) will do or KeyAPI must be asked:
 * - `lookup`: a cold request; any servable copy (a stale one is served and revalidated).
 * - `revalidate`: stale-while-revalidate; only a fresh copy newer than the one the asker has.
 * - `webhook`: a forced refresh; only a copy fetched in the last WEBHOOK_RECENT_MS,
 *   so webhooks arriving at once in many locations share one call.
 * - `warm-up`: the cron; a copy that stays fresh until the next run, or a
 *   `not found` younger than NOT_FOUND_RECHECK_SECONDS (asking again cannot improve on it).
 */
export const PURPOSES = ["lookup", "revalidate", "webhook", "warm-up"] as const;
export type Purpose = (typeof PURPOSES)[number];

export const WEBHOOK_RECENT_MS = 5000;

/** How often the cron runs: wrangler.toml's `crons` says the same (test/node/wrangler.test.ts). */
export const CRON_INTERVAL_SECONDS = 300;

/**
 * The cron asks KeyAPI again about something it does not know (a `not found`)
 * at most this often. The negative TTL is usually one cron interval, so "still
 * within its TTL" would never hold at the next run and such an entry would cost a
 * call every run (288 a day); clients asking after the TTL still get a fresh check.
 */
export const NOT_FOUND_RECHECK_SECONDS = 3600;

/** How long a `not found` is remembered for the cron: its negative TTL, or the recheck period if longer. */
function notFoundRememberedMs(ttls: Ttls): number {
  return Math.max(ttls.negativeSeconds, NOT_FOUND_RECHECK_SECONDS) * 1000;
}

/**
 * Until when a copy is kept where it is stored (the coordinator's row, KV): as
 * long as it may be served, and a `not found` as long as the cron remembers it.
 */
export function keptUntil(answer: CachedAnswer, ttls: Ttls): number {
  return answer.status === 404 ? answer.storedAt + notFoundRememberedMs(ttls) : servableUntil(answer, ttls);
}

/**
 * Background work (stale-while-revalidate, the cron) that waits out
 * `refreshRetryMs` after a failed call for the key instead of calling again;
 * a caller who is waiting for the answer (a cold lookup, a webhook) does not.
 */
export function backsOffAfterFailure(purpose: Purpose): boolean {
  return purpose === "revalidate" || purpose === "warm-up";
}

/** Does `copy` do for `purpose`? `haveStoredAt`: the asker's own copy (revalidate). */
export function satisfies(
  copy: CachedAnswer,
  purpose: Purpose,
  ttls: Ttls,
  now: number,
  haveStoredAt = Number.NEGATIVE_INFINITY,
): boolean {
  switch (purpose) {
    case "lookup":
      return freshness(copy, ttls, now) !== "expired";
    case "revalidate":
      return freshness(copy, ttls, now) === "fresh" && copy.storedAt > haveStoredAt;
    case "webhook":
      return now - copy.storedAt < WEBHOOK_RECENT_MS && freshness(copy, ttls, now) !== "expired";
    case "warm-up":
      return copy.status === 404
        ? now - copy.storedAt < notFoundRememberedMs(ttls)
        : freshUntil(copy, ttls) - now >= CRON_INTERVAL_SECONDS * 1000;
  }
}
