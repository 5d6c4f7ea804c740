/**
 * The cache of record for one answer of one KeyAPI endpoint (one object per
 * cache key, `idFromName(cacheKey(endpoint, query))`: a sound, or one page of
 * a chart), between the locations' tiers and KeyAPI. A location that misses
 * tiers 0–2, or whose copy went stale, asks here instead of KeyAPI: the object
 * hands back its copy when it is good enough for the asker's purpose, otherwise
 * it makes the one KeyAPI call (concurrent askers join it in memory;
 * `blockConcurrencyWhile` is never held across the fetch), stores the answer
 * and hands it back. So all locations together cause one KeyAPI call per key
 * per freshness window.
 *
 * Errors cross the RPC boundary as data (contract.ts), never as thrown
 * objects: a thrown error means the object could not be reached, and the asker
 * decides what to do (client.ts). The class keeps the name it had when it held
 * sounds only: renaming a Durable Object class takes a migration.
 */
import { DurableObject } from "cloudflare:workers";
import { backsOffAfterFailure, type CachedAnswer, keptUntil, satisfies, type Ttls } from "../domain/freshness";
import { endpointNamed } from "../endpoints";
import { blameFor } from "../keyapi/client";
import { ledgerOf } from "../ledger/client";
import { type Ask, asJoined, type Obtained, objectDeadlineMs } from "./contract";
import { callKeyApi } from "./keyapi-call";

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
  /**
   * The last call's failure when KeyAPI's answer refused this input (a 4xx or
   * a refusing `code`, an answer too large to read, a list with no data),
   * handed to every asker but a signed webhook instead of a new call until the
   * negative TTL has passed: asking again would buy the same refusal. In
   * memory, like `#failedAt`.
   */
  #refused: { until: number; failure: Obtained } | undefined;
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
    if (this.#call) return asJoined(await this.#call);
    // A signed webhook is the one way to make KeyAPI be asked again on demand.
    if (this.#refused && ask.now < this.#refused.until && ask.purpose !== "webhook") {
      return { ...this.#refused.failure, upstream: null };
    }
    const backoffMs = this.#backoffLeftMs(ask);
    if (backoffMs > 0) {
      return {
        ok: false,
        kind: "upstream-unavailable",
        detail: "KeyAPI failed for this key moments ago; it is not asked again before the failure backoff.",
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
    const apiKey = this.env.KEYAPI_API_KEY;
    if (!apiKey) {
      return { ok: false, kind: "service-misconfigured", detail: "The service is misconfigured.", upstream: null };
    }
    const endpoint = endpointNamed(ask.endpoint);
    const obtained = await callKeyApi(
      endpoint,
      ask.query,
      {
        keyapiBaseUrl: settings.keyapiBaseUrl,
        keyapiApiKey: apiKey,
        upstreamTimeoutMs: objectDeadlineMs(settings.upstreamTimeoutMs),
      },
      {
        ledger: ledgerOf(this.env.CREDIT_LEDGER),
        budget: settings.creditBudgetPerDay,
        now: () => now,
        requestId: ask.requestId,
        // Reports go out after the answer, without holding it up.
        waitUntil: (work) => this.ctx.waitUntil(work),
        // The cron's next run is a warm-up's retry: a failing entry costs one call a run, not two.
        retry: ask.purpose !== "warm-up",
      },
    );
    this.#refused = undefined;
    if (obtained.ok) {
      this.#store(obtained.answer, settings.ttls, now);
      this.#failedAt = undefined;
    } else if (obtained.upstream) {
      this.#failedAt = now;
      if (refusedInput(obtained, endpoint.freeInput?.(ask.query) === true)) {
        this.#refused = { until: now + settings.ttls.negativeSeconds * 1000, failure: obtained };
      }
    }
    return obtained;
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
    void this.ctx.storage.setAlarm(Date.now() + Math.max(0, keptUntil(answer, ttls) - now));
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

/**
 * KeyAPI answered, and the answer refused this input: a refusing 4xx (or
 * `code`), or an answer that cannot be used for it (too large, a list of
 * `data: null`). For free input (a search) only an HTTP 4xx refusal: there any
 * failure is blamed on the request, and a 5xx in an envelope, a timeout or a
 * network error may pass, so the next asker tries again.
 */
function refusedInput(obtained: Obtained, freeInput: boolean): boolean {
  const status = obtained.upstream?.status;
  if (obtained.ok || obtained.blame !== "request" || status == null) return false;
  return freeInput ? status >= 400 && blameFor(status) === "request" : true;
}
