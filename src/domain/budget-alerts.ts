/**
 * Budget alerts as domain facts: which thresholds a day's spend reaches, what
 * the alert says, and when a failed delivery is tried again. Pure: the ledger
 * object queues, signs and sends them (src/ledger/alert-delivery.ts).
 */
import { callFits, DAY_MS, HOUR_MS, resetsAt, utcDay } from "./upstream";

/** Shares of `CREDIT_BUDGET_PER_DAY` announced once per day each. */
export const BUDGET_THRESHOLDS = [0.5, 0.8, 1] as const;

/** The Standard Webhooks event type of every alert. */
export const ALERT_EVENT_TYPE = "credit_budget.threshold_reached";

/**
 * The thresholds `spent` has reached on a budget of `budget` credits: its
 * share, or no further call fits (an odd budget, 7 credits, is spent at 6).
 */
function reached(spent: number, budget: number): number[] {
  const full = !callFits(spent, budget);
  return BUDGET_THRESHOLDS.filter((threshold) => full || spent >= threshold * budget);
}

/**
 * The thresholds one charge took the day's spend across, from `before` to
 * `after` credits: usually none. Without a budget (`0`) there are none.
 *
 * @example crossedThresholds(8, 10, 20) // [0.5]
 */
export function crossedThresholds(before: number, after: number, budget: number): number[] {
  if (budget === 0) return [];
  const already = reached(before, budget);
  return reached(after, budget).filter((threshold) => !already.includes(threshold));
}

/** The alert's JSON body, fixed when it is queued so that every retry sends the same bytes. */
export function alertBody(now: number, threshold: number, spent: number, budget: number): string {
  return JSON.stringify({
    type: ALERT_EVENT_TYPE,
    timestamp: new Date(now).toISOString(),
    data: {
      date: utcDay(now),
      threshold,
      credits_spent: spent,
      credit_budget: budget,
      resets_at: resetsAt(now),
    },
  });
}

/** Waits after the 1st, 2nd, … failed attempt; the last one repeats. */
export const ALERT_RETRY_DELAYS_MS = [5_000, 30_000, 120_000, 600_000, HOUR_MS] as const;
/** An alert not delivered this long after it was queued is given up. */
export const ALERT_GIVE_UP_MS = DAY_MS;

/**
 * When to try again after `failures` failed attempts of an alert queued at
 * `queuedAt`, or `undefined` when that would be past the 24 hours.
 */
export function nextAttemptAt(queuedAt: number, failures: number, now: number): number | undefined {
  const delays = ALERT_RETRY_DELAYS_MS;
  const next = now + (delays[Math.min(failures, delays.length) - 1] ?? delays[0]);
  return next <= queuedAt + ALERT_GIVE_UP_MS ? next : undefined;
}
