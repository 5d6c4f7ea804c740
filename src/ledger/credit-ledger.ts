/**
 * The one ledger of KeyAPI credits, shared by every location: a single
 * SQLite-backed Durable Object (`idFromName("global")`) asked before each call
 * is sent. Each method reads and writes in one synchronous step, so the input
 * gate makes concurrent charges exact: with a budget of B credits, at most
 * floor(B/2) calls are allowed per UTC day, never more.
 *
 * It keeps what the operator asks about: spend per UTC day and endpoint (with
 * each call's outcome, reported after the exchange), per day and key, and per
 * hour, for `KEEP_DAYS` (hours: `KEEP_HOURS`). A call is counted when it is
 * charged; its outcome fills in later, and a lost report leaves it `unknown`.
 * When a day's spend reaches a budget threshold it queues an alert, which its
 * alarm delivers (alert-delivery.ts).
 */
import { DurableObject } from "cloudflare:workers";
import { alertBody, crossedThresholds } from "../domain/budget-alerts";
import { ENDPOINT_NAMES, type EndpointName } from "../domain/endpoint";
import {
  CALL_OUTCOMES,
  type CallOutcome,
  CREDITS_PER_CALL,
  callFits,
  DAY_MS,
  HOUR_MS,
  resetsAt,
  secondsUntilNextUtcMidnight,
  utcDay,
} from "../domain/upstream";
import { deliverDueAlerts } from "./alert-delivery";
import { type AlertTarget, alertTarget } from "./alert-target";
import {
  type CallFor,
  type Charge,
  type DaySpend,
  type History,
  type Hours,
  KEEP_DAYS,
  KEEP_HOURS,
  type KeySpend,
  type Spend,
  type Usage,
} from "./contract";

/** Keys are built from validated queries; this only bounds a row if that ever changes. */
const MAX_KEY_LENGTH = 200;

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS spend_per_day (day TEXT NOT NULL, endpoint TEXT NOT NULL, calls INTEGER NOT NULL,
credits INTEGER NOT NULL, "2xx" INTEGER NOT NULL DEFAULT 0, "4xx" INTEGER NOT NULL DEFAULT 0,
"5xx" INTEGER NOT NULL DEFAULT 0, "none" INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (day, endpoint))`,
  `CREATE TABLE IF NOT EXISTS spend_per_key (day TEXT NOT NULL, endpoint TEXT NOT NULL, key TEXT NOT NULL,
calls INTEGER NOT NULL, credits INTEGER NOT NULL, last_call INTEGER NOT NULL, last_outcome TEXT NOT NULL,
PRIMARY KEY (day, endpoint, key))`,
  "CREATE TABLE IF NOT EXISTS spend_per_hour (hour INTEGER PRIMARY KEY, calls INTEGER NOT NULL, credits INTEGER NOT NULL)",
  `CREATE TABLE IF NOT EXISTS unreported_call (id INTEGER PRIMARY KEY AUTOINCREMENT, day TEXT NOT NULL,
endpoint TEXT NOT NULL, key TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS budget_alert (webhook_id TEXT PRIMARY KEY, day TEXT NOT NULL, threshold REAL NOT NULL,
body TEXT NOT NULL, queued_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER,
delivered_at INTEGER, UNIQUE (day, threshold))`,
].join(";");

/**
 * Before history, the ledger kept calls per day only (all of them `detail` calls, 2 credits each). `WHERE true`:
 * SQLite's parser needs a WHERE before ON CONFLICT in an INSERT … SELECT.
 */
const FROM_CALLS_PER_DAY = `INSERT INTO spend_per_day (day, endpoint, calls, credits)
SELECT day, 'detail', calls, calls * ${CREDITS_PER_CALL} FROM calls_per_day WHERE true ON CONFLICT DO NOTHING;
DROP TABLE calls_per_day`;

/** The same upsert for every counter: one more call, its credits added. */
const ADD_CALL = "ON CONFLICT DO UPDATE SET calls = calls + 1, credits = credits + excluded.credits";

type DayRow = { day: string; endpoint: string; calls: number; credits: number } & Record<CallOutcome, number>;

export class CreditLedger extends DurableObject<Env> {
  /** The UTC day rows were last pruned for: pruning runs on the first charge of a day. */
  #prunedFor: string | undefined;
  /** One delivery run at a time (an alarm run by hand in a test may meet the scheduled one). */
  #deliveries: Promise<void> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    ctx.storage.transactionSync(() => {
      sql.exec(SCHEMA);
      const legacy = sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'calls_per_day'");
      if (legacy.toArray().length > 0) sql.exec(FROM_CALLS_PER_DAY);
    });
  }

  /**
   * Counts one call on `now`'s UTC day if `budget` credits allow it (`0`: no
   * limit, still counted). `now` is the asker's clock (Cloudflare's, in production).
   * A caller still running the code from before history (during a deploy) names
   * no call: it is counted all the same, as a detail call without a key.
   */
  charge(now: number, budget: number, call: CallFor = { endpoint: "detail", key: "" }): Charge {
    const day = utcDay(now);
    if (day !== this.#prunedFor) this.#prune(now);
    const spent = this.#spent(day);
    if (!callFits(spent, budget)) return { allowed: false, retryAfter: secondsUntilNextUtcMidnight(now) };

    const sql = this.ctx.storage.sql;
    const key = call.key.slice(0, MAX_KEY_LENGTH);
    const credits = CREDITS_PER_CALL;
    const { id } = sql
      .exec<{ id: number }>(
        "INSERT INTO unreported_call (day, endpoint, key) VALUES (?, ?, ?) RETURNING id",
        day,
        call.endpoint,
        key,
      )
      .one();
    sql.exec(
      `INSERT INTO spend_per_day (day, endpoint, calls, credits) VALUES (?, ?, 1, ?) ${ADD_CALL}`,
      day,
      call.endpoint,
      credits,
    );
    sql.exec(
      `INSERT INTO spend_per_key (day, endpoint, key, calls, credits, last_call, last_outcome)
VALUES (?, ?, ?, 1, ?, ?, 'unknown') ${ADD_CALL}, last_call = excluded.last_call, last_outcome = 'unknown'`,
      day,
      call.endpoint,
      key,
      credits,
      id,
    );
    sql.exec(
      `INSERT INTO spend_per_hour (hour, calls, credits) VALUES (?, 1, ?) ${ADD_CALL}`,
      Math.floor(now / HOUR_MS),
      credits,
    );
    const crossed = crossedThresholds(spent, spent + credits, budget);
    if (crossed.length > 0) this.#queueAlerts(now, crossed, spent + credits, budget);
    return { allowed: true, callId: id };
  }

  /** How a charged call ended. Once per call: a repeated or late report changes nothing. */
  report(callId: number, outcome: CallOutcome): void {
    if (!CALL_OUTCOMES.includes(outcome)) return;
    const sql = this.ctx.storage.sql;
    const call = sql
      .exec<CallFor & { day: string }>("DELETE FROM unreported_call WHERE id = ? RETURNING day, endpoint, key", callId)
      .toArray()[0];
    if (!call) return;
    sql.exec(
      `UPDATE spend_per_day SET "${outcome}" = "${outcome}" + 1 WHERE day = ? AND endpoint = ?`,
      call.day,
      call.endpoint,
    );
    sql.exec(
      "UPDATE spend_per_key SET last_outcome = ? WHERE day = ? AND endpoint = ? AND key = ? AND last_call = ?",
      outcome,
      call.day,
      call.endpoint,
      call.key,
      callId,
    );
  }

  usage(now: number, budget: number): Usage {
    const day = utcDay(now);
    const { calls, credits } = this.ctx.storage.sql
      .exec<{ calls: number; credits: number }>(
        "SELECT COALESCE(SUM(calls), 0) AS calls, COALESCE(SUM(credits), 0) AS credits FROM spend_per_day WHERE day = ?",
        day,
      )
      .one();
    return {
      date: day,
      credits_spent: credits,
      credit_budget: budget === 0 ? null : budget,
      credits_left: budget === 0 ? null : Math.max(0, budget - credits),
      upstream_calls: calls,
      resets_at: resetsAt(now),
    };
  }

  /** The last `days` UTC days up to `now`'s, oldest first. */
  history(now: number, budget: number, days: number): History {
    const dates = Array.from({ length: days }, (_, i) => utcDay(now - (days - 1 - i) * DAY_MS));
    const byDay = new Map(dates.map((date) => [date, emptyDay(date)]));
    const rows = this.ctx.storage.sql
      .exec<DayRow>("SELECT * FROM spend_per_day WHERE day >= ? AND day <= ?", dates[0], dates[dates.length - 1])
      .toArray();
    for (const row of rows) {
      const day = byDay.get(row.day);
      if (!day) continue;
      day.credits_spent += row.credits;
      day.upstream_calls += row.calls;
      let reported = 0;
      for (const outcome of CALL_OUTCOMES) {
        day.outcomes[outcome] += row[outcome];
        reported += row[outcome];
      }
      day.outcomes.unknown += row.calls - reported;
      const endpoint = day.by_endpoint[row.endpoint as EndpointName];
      if (endpoint) {
        endpoint.calls += row.calls;
        endpoint.credits += row.credits;
      }
    }
    return { credit_budget: budget === 0 ? null : budget, days: [...byDay.values()] };
  }

  /** The `limit` keys that cost most on `date`, most credits first. */
  keys(date: string, limit: number): KeySpend[] {
    return this.ctx.storage.sql
      .exec<KeySpend>(
        `SELECT endpoint, key, calls, credits, last_outcome FROM spend_per_key WHERE day = ?
ORDER BY credits DESC, calls DESC, endpoint, key LIMIT ?`,
        date,
        limit,
      )
      .toArray();
  }

  /** The last `hours` hours up to `now`'s, oldest first. */
  hours(now: number, hours: number): Hours {
    const last = Math.floor(now / HOUR_MS);
    const first = last - hours + 1;
    const rows = this.ctx.storage.sql
      .exec<{ hour: number; calls: number; credits: number }>(
        "SELECT hour, calls, credits FROM spend_per_hour WHERE hour >= ? AND hour <= ?",
        first,
        last,
      )
      .toArray();
    const byHour = new Map(rows.map((row) => [row.hour, row]));
    return {
      hours: Array.from({ length: hours }, (_, i) => {
        const row = byHour.get(first + i);
        return {
          hour: new Date((first + i) * HOUR_MS).toISOString().replace(".000Z", "Z"),
          credits_spent: row?.credits ?? 0,
          upstream_calls: row?.calls ?? 0,
        };
      }),
    };
  }

  /** Delivers the budget alerts that are due, then sleeps until the next one is. */
  override alarm(): Promise<void> {
    this.#deliveries = this.#deliveries
      .catch(() => {})
      .then(() => deliverDueAlerts(this.ctx.storage, this.#alertTarget()));
    return this.#deliveries;
  }

  #spent(day: string): number {
    return this.ctx.storage.sql
      .exec<{ spent: number }>("SELECT COALESCE(SUM(credits), 0) AS spent FROM spend_per_day WHERE day = ?", day)
      .one().spent;
  }

  /** One alert per threshold per day (the UNIQUE constraint), only when there is somewhere to send it. */
  #queueAlerts(now: number, thresholds: number[], spent: number, budget: number): void {
    if (!this.#alertTarget()) return;
    const queuedAt = Date.now();
    for (const threshold of thresholds) {
      this.ctx.storage.sql.exec(
        `INSERT OR IGNORE INTO budget_alert (webhook_id, day, threshold, body, queued_at, next_attempt_at)
VALUES (?, ?, ?, ?, ?, ?)`,
        `msg_${crypto.randomUUID().replaceAll("-", "")}`,
        utcDay(now),
        threshold,
        alertBody(now, threshold, spent, budget),
        queuedAt,
        queuedAt,
      );
    }
    // In the object's own time: delivery never waits on a request.
    void this.ctx.storage.setAlarm(queuedAt);
  }

  /** Read on use, not at construction: the same settings the worker validates, from this object's env. */
  #alertTarget(): AlertTarget | undefined {
    return alertTarget(this.env);
  }

  #prune(now: number): void {
    const sql = this.ctx.storage.sql;
    const oldest = utcDay(now - (KEEP_DAYS - 1) * DAY_MS);
    sql.exec("DELETE FROM spend_per_day WHERE day < ?", oldest);
    sql.exec("DELETE FROM spend_per_key WHERE day < ?", oldest);
    sql.exec("DELETE FROM budget_alert WHERE day < ?", oldest);
    // A report comes within seconds of its call; one that has not come by yesterday will not.
    sql.exec("DELETE FROM unreported_call WHERE day < ?", utcDay(now - DAY_MS));
    sql.exec("DELETE FROM spend_per_hour WHERE hour <= ?", Math.floor(now / HOUR_MS) - KEEP_HOURS);
    this.#prunedFor = utcDay(now);
  }
}

function emptyDay(date: string): DaySpend {
  return {
    date,
    credits_spent: 0,
    upstream_calls: 0,
    outcomes: { "2xx": 0, "4xx": 0, "5xx": 0, none: 0, unknown: 0 },
    by_endpoint: Object.fromEntries(ENDPOINT_NAMES.map((endpoint) => [endpoint, { calls: 0, credits: 0 }])) as Record<
      EndpointName,
      Spend
    >,
  };
}
