/**
 * The cache of record for one sound (one object per cache key,
 * `idFromName(cacheKey(query))`), between the locations' tiers and KeyAPI.
 * A location that misses tiers 0–2, or whose copy went stale, asks here
 * instead of KeyAPI: the object hands back its copy when it is good enough for
 * the asker's purpose, otherwise it makes the one KeyAPI call (concurrent
 * askers join it in memory; `blockConcurrencyWhile` is never held across the
 * fetch), stores the answer and hands it back. So all locations together cause
 * one KeyAPI call per key per freshness window.
 *
 * Errors cross the RPC boundary as data, never as thrown objects: a thrown
 * error means the object could not be reached, and the asker falls back.
 */
import { DurableObject } from "cloudflare:workers";
import {
  answerFrom,
  backsOffAfterFailure,
  type CachedAnswer,
  type Purpose,
  satisfies,
  servableUntil,
  type Ttls,
} from "../cache/answer";
import { type Blame, ProblemError, type ProblemKind } from "../domain/problems";
import type { UpstreamExchange, UpstreamTrace } from "../domain/upstream";
import { fetchSoundFromKeyApi, upstreamCallKey } from "../keyapi/client";
import type { SoundQuery } from "../sound/query";
import { ledgered, ledgerOf } from "./ledger-charge";

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
  query: SoundQuery;
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

/** The object's KeyAPI exchange ends this much before the asker stops waiting for the object. */
export function objectDeadlineMs(upstreamTimeoutMs: number): number {
  return upstreamTimeoutMs - Math.min(500, Math.floor(upstreamTimeoutMs / 10));
}

type CopyRow = { status: number; body: string; etag: string; stored_at: number };

export class SoundCoordinator extends DurableObject<Env> {
  /** The KeyAPI call in flight, if any: every asker who needs one joins it. */
  #call: Promise<Obtained> | undefined;
  /**
   * When the last call for this key failed (the asker's clock), so that no
   * location's background work tries again within `refreshRetryMs`. In memory:
   * an object evicted after a quiet spell forgets it, which allows one more try at most.
   */
  #failedAt: number | undefined;
  #schemaReady = false;
  /**
   * The copy held, as last stored or read. Also what keeps an answer the row
   * could not take (storage refused it): it is still handed out, so such an
   * answer never costs a KeyAPI call per asker.
   */
  #copy: CachedAnswer | undefined;

  async obtain(ask: Ask): Promise<Obtained> {
    const held = this.#held();
    if (held && satisfies(held, ask.purpose, ask.settings.ttls, ask.now, ask.haveStoredAt)) {
      return { ok: true, answer: held, upstream: null };
    }
    if (this.#call) return joined(await this.#call);
    const backoffMs = this.#backoffLeftMs(ask);
    if (backoffMs > 0) {
      return {
        ok: false,
        kind: "upstream-unavailable",
        detail: "KeyAPI failed for this sound moments ago; it is not asked again before the failure backoff.",
        retryAfter: Math.ceil(backoffMs / 1000),
        upstream: null,
      };
    }
    if (ask.callsPausedForSeconds !== undefined) {
      return {
        ok: false,
        kind: "upstream-unavailable",
        detail: "KeyAPI is failing; calls are paused for a moment.",
        retryAfter: ask.callsPausedForSeconds,
        upstream: null,
      };
    }
    // Set before the first await: the input gate lets no other asker in between.
    this.#call = this.#callKeyApi(ask).finally(() => {
      this.#call = undefined;
    });
    return this.#call;
  }

  #backoffLeftMs(ask: Ask): number {
    if (this.#failedAt === undefined || !backsOffAfterFailure(ask.purpose)) return 0;
    const { refreshRetryMs } = ask.settings;
    return Math.min(refreshRetryMs, this.#failedAt + refreshRetryMs - ask.now);
  }

  /** The copy's lifetime is over: free the object's storage. */
  override async alarm(): Promise<void> {
    this.#copy = undefined;
    await this.ctx.storage.deleteAll();
    this.#schemaReady = false;
  }

  /**
   * The one KeyAPI call. Time is the asker's `now` throughout: the copy is
   * stamped with the moment it was asked for (at most UPSTREAM_TIMEOUT_MS
   * early, which only shortens its life) and the ledger counts it on that day.
   */
  async #callKeyApi(ask: Ask): Promise<Obtained> {
    const { settings, now } = ask;
    const clock = () => now;
    const apiKey = this.env.KEYAPI_API_KEY;
    if (!apiKey) {
      return { ok: false, kind: "service-misconfigured", detail: "The service is misconfigured.", upstream: null };
    }
    const ledger = ledgered(
      ledgerOf(this.env.CREDIT_LEDGER),
      now,
      settings.creditBudgetPerDay,
      { endpoint: "detail", key: upstreamCallKey(ask.query) },
      // Reports go out after the answer, without holding it up.
      (work) => this.ctx.waitUntil(work),
    );
    let exchange: UpstreamExchange = { status: null, durationMs: 0 };
    let attempts = 0;
    const trace = (): UpstreamTrace | null => (attempts > 0 ? { ...exchange, role: "called" } : null);
    try {
      const result = await fetchSoundFromKeyApi(
        {
          keyapiBaseUrl: settings.keyapiBaseUrl,
          keyapiApiKey: apiKey,
          upstreamTimeoutMs: objectDeadlineMs(settings.upstreamTimeoutMs),
        },
        ask.query,
        {
          now: clock,
          requestId: ask.requestId,
          onExchange: (done) => {
            exchange = done;
          },
          beforeAttempt: async () => {
            await ledger.beforeAttempt();
            attempts += 1;
          },
          afterAttempt: ledger.afterAttempt,
        },
      );
      const answer = await answerFrom(result, now);
      this.#store(answer, settings.ttls, now);
      this.#failedAt = undefined;
      return { ok: true, answer, upstream: trace() };
    } catch (error) {
      const problem =
        error instanceof ProblemError ? error : new ProblemError("internal", "Something went wrong on our side.");
      if (attempts > 0) this.#failedAt = now;
      return {
        ok: false,
        kind: problem.kind,
        detail: problem.detail,
        retryAfter: problem.retryAfter,
        blame: problem.blame,
        upstream: trace(),
      };
    }
  }

  #held(): CachedAnswer | undefined {
    if (this.#copy) return this.#copy;
    this.#schema();
    const row = this.ctx.storage.sql.exec<CopyRow>("SELECT status, body, etag, stored_at FROM copy").toArray()[0];
    if (!row || (row.status !== 200 && row.status !== 404)) return undefined;
    this.#copy = { status: row.status, body: row.body, etag: row.etag, storedAt: row.stored_at };
    return this.#copy;
  }

  /** Never throws: an answer the row cannot take is still served from memory (see `#copy`). */
  #store(answer: CachedAnswer, ttls: Ttls, now: number): void {
    this.#copy = answer;
    // In the object's own time: the asker's clock may be a test's. Also ends the copy kept only in memory.
    void this.ctx.storage.setAlarm(Date.now() + Math.max(0, servableUntil(answer, ttls) - now));
    try {
      this.#schema();
      this.ctx.storage.sql.exec(
        "INSERT OR REPLACE INTO copy (id, status, body, etag, stored_at) VALUES (1, ?, ?, ?, ?)",
        answer.status,
        answer.body,
        answer.etag,
        answer.storedAt,
      );
    } catch (error) {
      // A previous row may stay behind: an older copy, which freshness rules judge like any other.
      console.warn(
        JSON.stringify({
          level: "warn",
          message: "coordinator could not store its copy",
          body_length: answer.body.length,
          error: error instanceof Error ? error.message.slice(0, 200) : "unknown",
        }),
      );
    }
  }

  #schema(): void {
    if (this.#schemaReady) return;
    this.ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS copy (id INTEGER PRIMARY KEY CHECK (id = 1), status INTEGER NOT NULL, body TEXT NOT NULL, etag TEXT NOT NULL, stored_at INTEGER NOT NULL)",
    );
    this.#schemaReady = true;
  }
}

/** Someone else's call, as seen by an asker who waited for it. */
function joined(outcome: Obtained): Obtained {
  return outcome.upstream ? { ...outcome, upstream: { ...outcome.upstream, role: "joined" } } : outcome;
}
