/**
 * The one ledger of KeyAPI credits, shared by every location: a single
 * SQLite-backed Durable Object (`idFromName("global")`) asked before each call
 * is sent. Each method reads and writes in one synchronous step, so the input
 * gate makes concurrent charges exact: with a budget of B credits, at most
 * floor(B/2) calls are allowed per UTC day, never more.
 */
import { DurableObject } from "cloudflare:workers";
import {
  CREDITS_PER_CALL,
  callsAllowed,
  nextUtcMidnight,
  secondsUntilNextUtcMidnight,
  utcDay,
} from "../domain/upstream";

/** Days of history kept (for the usage endpoint and a month's reconciliation). */
const KEEP_DAYS = 40;

export type Charge = { allowed: true } | { allowed: false; retryAfter: number };

/** `GET /v1/admin/usage`'s body. */
export type Usage = {
  date: string;
  credits_spent: number;
  credit_budget: number | null;
  credits_left: number | null;
  upstream_calls: number;
  resets_at: string;
};

export class CreditLedger extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS calls_per_day (day TEXT PRIMARY KEY, calls INTEGER NOT NULL)");
  }

  /**
   * Counts one call on `now`'s UTC day if `budget` credits allow it (`0`: no
   * limit, still counted). `now` is the asker's clock (Cloudflare's, in production).
   */
  charge(now: number, budget: number): Charge {
    const day = utcDay(now);
    if (this.#calls(day) + 1 > callsAllowed(budget)) {
      return { allowed: false, retryAfter: secondsUntilNextUtcMidnight(now) };
    }
    const sql = this.ctx.storage.sql;
    sql.exec(
      "INSERT INTO calls_per_day (day, calls) VALUES (?, 1) ON CONFLICT (day) DO UPDATE SET calls = calls + 1",
      day,
    );
    sql.exec("DELETE FROM calls_per_day WHERE day < ?", utcDay(now - KEEP_DAYS * 86_400_000));
    return { allowed: true };
  }

  usage(now: number, budget: number): Usage {
    const day = utcDay(now);
    const calls = this.#calls(day);
    const spent = calls * CREDITS_PER_CALL;
    return {
      date: day,
      credits_spent: spent,
      credit_budget: budget === 0 ? null : budget,
      credits_left: budget === 0 ? null : Math.max(0, budget - spent),
      upstream_calls: calls,
      resets_at: new Date(nextUtcMidnight(now)).toISOString().replace(".000Z", "Z"),
    };
  }

  #calls(day: string): number {
    const row = this.ctx.storage.sql
      .exec<{ calls: number }>("SELECT calls FROM calls_per_day WHERE day = ?", day)
      .toArray()[0];
    return row?.calls ?? 0;
  }
}
