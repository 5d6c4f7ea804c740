/**
 * What crosses the boundary between the credit ledger (credit-ledger.ts) and
 * its callers (client.ts, the admin routes): plain data, both sides
 * import it. The answers are the admin API's bodies as they are sent.
 */
import type { EndpointName } from "../domain/endpoint";
import type { CallOutcome } from "../domain/upstream";

/** Days the ledger keeps, today included: per day, and per day and key. */
export const KEEP_DAYS = 400;
/** Hours of per-hour spend kept: today and yesterday, whatever the time of day. */
export const KEEP_HOURS = 48;

/**
 * One KeyAPI call to charge: its endpoint, and the answer it fetches as the
 * `upstream_call` log line names it (`6703723351497508865:7:US`).
 */
export type CallFor = { endpoint: EndpointName; key: string };

/** `callId` names the call when its outcome is reported. */
export type Charge = { allowed: true; callId: number } | { allowed: false; retryAfter: number };

/** A call's outcome, or `unknown` while (or if ever) its report is missing. */
export type CountedOutcome = CallOutcome | "unknown";

/** `GET /v1/admin/usage`'s body. */
export type Usage = {
  date: string;
  credits_spent: number;
  credit_budget: number | null;
  credits_left: number | null;
  upstream_calls: number;
  resets_at: string;
};

export type Spend = { calls: number; credits: number };

export type DaySpend = {
  date: string;
  credits_spent: number;
  upstream_calls: number;
  outcomes: Record<CountedOutcome, number>;
  by_endpoint: Record<EndpointName, Spend>;
};

/** `GET /v1/admin/usage/history`'s body: oldest day first, days without calls included. */
export type History = { credit_budget: number | null; days: DaySpend[] };

/** One row of `GET /v1/admin/usage/keys`'s body (an array, most credits first). */
export type KeySpend = Spend & { endpoint: EndpointName; key: string; last_outcome: CountedOutcome };

/** `GET /v1/admin/usage/hours`'s body: oldest hour first, hours without calls included. */
export type Hours = { hours: { hour: string; credits_spent: number; upstream_calls: number }[] };
