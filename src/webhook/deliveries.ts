/**
 * The record of Standard Webhooks deliveries already processed, so that a
 * sender's retry costs no KeyAPI credits: one Durable Object per `webhook-id`
 * (`idFromName`), reached from every location, holding one row.
 *
 * A delivery is *claimed* before any KeyAPI call and *completed* with the exact
 * response body sent to the first copy. A copy that arrives while the first is
 * still being processed (a retry racing a slow first attempt, possibly in
 * another location) waits here for the stored answer; past `waitMs` it is told
 * to come back (409 + Retry-After), never processed twice. The row expires
 * `DELIVERY_TTL_MS` after completion; an alarm then deletes the object's
 * storage, so nothing outlives the window. A claim whose worker vanished (its
 * lease passed without a `complete`) expires the same way and may be claimed
 * again.
 */
import { DurableObject } from "cloudflare:workers";
import { DELIVERY_TTL_MS } from "./standard";

export { DELIVERY_TTL_MS };

/** What `claim` answers; plain data, since it crosses the RPC boundary. */
export type Claim =
  /** Process it now, then call `complete`. */
  | { state: "claimed" }
  /** Processed before: `response` is the body the first copy got. */
  | { state: "done"; response: string }
  /** Another copy is being processed and did not finish within `waitMs`. */
  | { state: "in-progress"; retryAfterSeconds: number }
  /** The id was used for a different body. */
  | { state: "conflict" };

/** A delivery as stored (for tests and operators). */
export type DeliveryRecord = {
  id: string;
  fingerprint: string;
  /** `null` while it is being processed. */
  response: string | null;
  /** Epoch ms: the end of the window (done) or of the processing lease (in progress). */
  expiresAt: number;
};

type Row = { id: string; fingerprint: string; response: string | null; expires_at: number };

export class WebhookDeliveries extends DurableObject<Env> {
  #schemaReady = false;
  /** Copies waiting for the first one's answer; woken by `complete` and `release`. */
  readonly #waiting = new Set<() => void>();

  /**
   * Takes the delivery for processing, or says why not. `fingerprint` identifies
   * the body (SHA-256); `leaseMs` bounds how long processing may take before the
   * claim counts as abandoned; `waitMs` is how long a second copy waits for the first.
   */
  async claim(id: string, fingerprint: string, options: { leaseMs: number; waitMs: number }): Promise<Claim> {
    const deadline = Date.now() + options.waitMs;
    for (;;) {
      const now = Date.now();
      const row = this.#current(now);
      if (!row) {
        this.#sql().exec(
          "INSERT INTO delivery (id, fingerprint, response, expires_at) VALUES (?, ?, NULL, ?)",
          id,
          fingerprint,
          now + options.leaseMs,
        );
        await this.ctx.storage.setAlarm(now + options.leaseMs);
        return { state: "claimed" };
      }
      if (row.fingerprint !== fingerprint) return { state: "conflict" };
      if (row.response !== null) return { state: "done", response: row.response };
      if (now >= deadline) {
        return { state: "in-progress", retryAfterSeconds: Math.max(1, Math.ceil((row.expires_at - now) / 1000)) };
      }
      await this.#settled(Math.min(deadline, row.expires_at) - now);
    }
  }

  /** Stores the answer of a claimed delivery for `DELIVERY_TTL_MS`, and hands it to any copy waiting for it. */
  async complete(id: string, fingerprint: string, response: string): Promise<void> {
    const expiresAt = Date.now() + DELIVERY_TTL_MS;
    this.#sql().exec(
      `INSERT INTO delivery (id, fingerprint, response, expires_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint, response = excluded.response,
         expires_at = excluded.expires_at`,
      id,
      fingerprint,
      response,
      expiresAt,
    );
    await this.ctx.storage.setAlarm(expiresAt);
    this.#wake();
  }

  /** Gives a claim up (processing failed before it produced an answer): the next copy is processed. */
  async release(id: string): Promise<void> {
    this.#sql().exec("DELETE FROM delivery WHERE id = ? AND response IS NULL", id);
    this.#wake();
  }

  /** The stored record, if it is still within its window. */
  async lookup(): Promise<DeliveryRecord | null> {
    const row = this.#current(Date.now());
    return row ? { id: row.id, fingerprint: row.fingerprint, response: row.response, expiresAt: row.expires_at } : null;
  }

  /** At the end of the window: delete everything, so the object leaves no storage behind. */
  override async alarm(): Promise<void> {
    const row = this.#row();
    if (row && row.expires_at > Date.now()) {
      await this.ctx.storage.setAlarm(row.expires_at);
      return;
    }
    await this.ctx.storage.deleteAll();
    this.#schemaReady = false;
    this.#wake();
  }

  /** The row unless its window has passed (an alarm can run late). */
  #current(now: number): Row | undefined {
    const row = this.#row();
    if (row && row.expires_at <= now) {
      this.#sql().exec("DELETE FROM delivery");
      return undefined;
    }
    return row;
  }

  #row(): Row | undefined {
    return this.#sql().exec<Row>("SELECT id, fingerprint, response, expires_at FROM delivery LIMIT 1").toArray()[0];
  }

  #sql(): SqlStorage {
    const sql = this.ctx.storage.sql;
    if (!this.#schemaReady) {
      sql.exec(`CREATE TABLE IF NOT EXISTS delivery (
        id TEXT PRIMARY KEY,
        fingerprint TEXT NOT NULL,
        response TEXT,
        expires_at INTEGER NOT NULL
      )`);
      this.#schemaReady = true;
    }
    return sql;
  }

  #settled(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiting.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.#waiting.add(done);
    });
  }

  #wake(): void {
    for (const done of [...this.#waiting]) done();
  }
}
