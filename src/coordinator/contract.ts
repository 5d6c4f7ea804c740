/**
 * What crosses the boundary between a key's coordinator (sound-coordinator.ts)
 * and its askers (client.ts, from every location): plain data, since class
 * instances do not survive RPC. Both sides import it.
 */
import type { EndpointName } from "../domain/endpoint";
import type { CachedAnswer, Purpose, Ttls } from "../domain/freshness";
import type { Blame, ProblemKind } from "../domain/problems";
import { joined, type UpstreamTrace } from "../domain/upstream";

/** The asker's settings the object decides by (the same bundle and vars everywhere). */
export type CoordinatorSettings = {
  keyapiBaseUrl: string;
  upstreamTimeoutMs: number;
  ttls: Ttls;
  creditBudgetPerDay: number;
  /** After a failed call for the key, background work (`backsOffAfterFailure`) waits this long before the next. */
  refreshRetryMs: number;
};

export type Ask = {
  endpoint: EndpointName;
  /** The endpoint's query, validated by the asker (plain data). */
  query: unknown;
  purpose: Purpose;
  /** `revalidate`: when the asker's own copy was fetched. */
  haveStoredAt?: number;
  /** The asker's clock (ms since epoch), so one freshness rule holds in the location and here (and tests control time). */
  now: number;
  settings: CoordinatorSettings;
  /** Set while the asker's circuit breaker is open: hand back a copy, but make no call. */
  callsPausedForSeconds?: number;
  requestId: string;
};

/**
 * A copy, or why there is none: what the coordinator answers and what one
 * ledgered KeyAPI call (keyapi-call.ts) comes to. `upstream` is the KeyAPI
 * exchange behind it (null: none was sent).
 */
export type Obtained =
  | { ok: true; answer: CachedAnswer; upstream: UpstreamTrace | null }
  | {
      ok: false;
      kind: ProblemKind;
      detail: string;
      retryAfter?: number;
      /** Decided where KeyAPI's answer was read: the breaker and the webhook go by it. */
      blame?: Blame;
      upstream: UpstreamTrace | null;
    };

/** Someone else's call, as seen by an asker who waited for it. */
export function asJoined(outcome: Obtained): Obtained {
  return outcome.upstream ? { ...outcome, upstream: joined(outcome.upstream) } : outcome;
}

/** The object's KeyAPI exchange ends this much before the asker stops waiting for the object. */
export function objectDeadlineMs(upstreamTimeoutMs: number): number {
  return upstreamTimeoutMs - Math.min(500, Math.floor(upstreamTimeoutMs / 10));
}
