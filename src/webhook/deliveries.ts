/**
 * The record of webhook requests already processed, so that a sender's retry,
 * or a captured request sent again, costs no KeyAPI credits: one Durable
 * Object per record id (`idFromName`: the `webhook-id` of a Standard Webhooks
 * delivery, a digest of the signed material of an original-scheme request),
 * reached from every location, holding one row.
 *
 * A delivery is *claimed* before any KeyAPI call and *completed* with the exact
 * response body sent to the copy that processed it, plus, when part of the work
 * is worth doing again (items that failed for a retryable reason), what a later
 * copy needs to resume it. A later copy gets the stored body back, or, when
 * something is left to resume, claims the record again, does that part and
 * stores the new body. A copy that arrives while another is being processed (a
 * retry racing a slow first attempt, possibly in another location) waits here
 * for that answer and takes it as it is; past `waitMs` it is told to come back
 * (409 + Retry-After), never processed twice at once. The row expires
 * `DELIVERY_TTL_MS` after the last completion; an alarm then deletes the
 * object's storage, so nothing outlives the window. A claim whose worker
 * vanished (its lease passed without a `complete`) expires the same way and
 * may be claimed again.
 */
import { DurableObject } from "cloudflare:workers";
import { DELIVERY_TTL_MS } from "./signature";

export { DELIVERY_TTL_MS };

/** What `claim` answers; plain data, since it crosses the RPC boundary. */
export type Claim =
  /** Process it now, then call `complete`; `resume` is what an earlier copy left to do again. */
  | { state: "claimed"; resume?: string }
  /** Processed before: `response` is the body the last processing answered. */
  | { state: "done"; response: string }
  /** Another copy is being processed and did not finish within `waitMs`. */
  | { state: "in-progress"; retryAfterSeconds: number }
  /** The id was used for a different body. */
  | { state: "conflict" };

/** A delivery as stored (for tests and operators). */
export type DeliveryRecord = {
  id: string;
  fingerprint: string;
  /** `null` until the first processing answers. */
  response: string | null;
  /** What a later copy needs to redo the part worth redoing; `null` when everything is settled. */
  resume: string | null;
  /** Whether a copy is processing it right now. */
  inProgress: boolean;
  /** Epoch ms: the end of the window (done) or of the processing lease (in progress). */
  expiresAt: number;
};

type Row = {
  id: string;
  fingerprint: string;
  response: string | null;
  resume: string | null;
  /** 1 while a later copy processes what `resume` left. */
  resuming: number;
  expires_at: number;
};

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
    let waited = false;
    for (;;) {
      const now = Date.now();
      const row = this.#current(now);
      if (!row) {
        this.#sql().exec(
          "INSERT INTO delivery (id, fingerprint, response, resume, resuming, expires_at) VALUES (?, ?, NULL, NULL, 0, ?)",
          id,
          fingerprint,
          now + options.leaseMs,
        );
        await this.ctx.storage.setAlarm(now + options.leaseMs);
        return { state: "claimed" };
      }
      if (row.fingerprint !== fingerprint) return { state: "conflict" };
      if (row.response !== null && row.resuming === 0) {
        // A copy that waited for another one's processing takes its answer as it is, whatever it left unsettled.
        if (row.resume === null || waited) return { state: "done", response: row.response };
        this.#sql().exec("UPDATE delivery SET resuming = 1, expires_at = ?", now + options.leaseMs);
        await this.ctx.storage.setAlarm(now + options.leaseMs);
        return { state: "claimed", resume: row.resume };
      }
      if (now >= deadline) {
        return { state: "in-progress", retryAfterSeconds: Math.max(1, Math.ceil((row.expires_at - now) / 1000)) };
      }
      waited = true;
      await this.#settled(Math.min(deadline, row.expires_at) - now);
    }
  }

  /**
   * Stores the answer of a claimed delivery for `DELIVERY_TTL_MS`, with what a
   * later copy may resume (`null`: nothing), and hands it to any copy waiting for it.
   */
  async complete(id: string, fingerprint: string, response: string, resume: string | null): Promise<void> {
    const expiresAt = Date.now() + DELIVERY_TTL_MS;
    this.#sql().exec(
      `INSERT INTO delivery (id, fingerprint, response, resume, resuming, expires_at) VALUES (?, ?, ?, ?, 0, ?)
       ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint, response = excluded.response,
         resume = excluded.resume, resuming = 0, expires_at = excluded.expires_at`,
      id,
      fingerprint,
      response,
      resume,
      expiresAt,
    );
    await this.ctx.storage.setAlarm(expiresAt);
    this.#wake();
  }

  /**
   * Gives a claim up (processing failed before it produced an answer): the next
   * copy is processed. A record that already had an answer keeps it, for a new window.
   */
  async release(id: string): Promise<void> {
    const expiresAt = Date.now() + DELIVERY_TTL_MS;
    this.#sql().exec("DELETE FROM delivery WHERE id = ? AND response IS NULL", id);
    this.#sql().exec("UPDATE delivery SET resuming = 0, expires_at = ? WHERE id = ? AND resuming = 1", expiresAt, id);
    if (this.#row()) await this.ctx.storage.setAlarm(expiresAt);
    this.#wake();
  }

  /** The stored record, if it is still within its window. */
  async lookup(): Promise<DeliveryRecord | null> {
    const row = this.#current(Date.now());
    if (!row) return null;
    const { id, fingerprint, response, resume } = row;
    return {
      id,
      fingerprint,
      response,
      resume,
      inProgress: response === null || row.resuming === 1,
      expiresAt: row.expires_at,
    };
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
    return this.#sql()
      .exec<Row>("SELECT id, fingerprint, response, resume, resuming, expires_at FROM delivery LIMIT 1")
      .toArray()[0];
  }

  #sql(): SqlStorage {
    const sql = this.ctx.storage.sql;
    if (!this.#schemaReady) {
      sql.exec(`CREATE TABLE IF NOT EXISTS delivery (
        id TEXT PRIMARY KEY,
        fingerprint TEXT NOT NULL,
        response TEXT,
        expires_at INTEGER NOT NULL,
        resume TEXT,
        resuming INTEGER NOT NULL DEFAULT 0
      )`);
      // An object whose row was written by the previous release (at most 10 minutes old) lacks the last two.
      const columns = new Set(
        sql
          .exec<{ name: string }>("SELECT name FROM pragma_table_info('delivery')")
          .toArray()
          .map((column) => column.name),
      );
      if (!columns.has("resume")) sql.exec("ALTER TABLE delivery ADD COLUMN resume TEXT");
      if (!columns.has("resuming")) sql.exec("ALTER TABLE delivery ADD COLUMN resuming INTEGER NOT NULL DEFAULT 0");
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
