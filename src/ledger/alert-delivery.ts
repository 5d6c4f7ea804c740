/**
 * Delivering the credit ledger's budget alerts, from its alarm: one Standard
 * Webhooks POST per queued alert (`webhook-id` fixed when it was queued, the
 * same body every time), retried with backoff until a 2xx or 24 hours. The
 * queue is the ledger's SQLite table `budget_alert`, so a restart or a deploy
 * loses nothing, and an alert delivered is never sent again.
 */

import { nextAttemptAt } from "../domain/budget-alerts";
import { signStandard } from "../webhook/standard";
import type { AlertTarget } from "./alert-target";

/** How long a receiver has to answer one attempt. */
export const ALERT_TIMEOUT_MS = 10_000;

type QueuedAlert = {
  webhook_id: string;
  day: string;
  threshold: number;
  body: string;
  queued_at: number;
  attempts: number;
};

/**
 * Sends every alert whose time has come, one at a time, then sets the alarm
 * for the next one. Without a target (`ALERT_WEBHOOK_URL` removed since the
 * alert was queued) the alerts are dropped, and the log says so.
 */
export async function deliverDueAlerts(storage: DurableObjectStorage, target: AlertTarget | undefined): Promise<void> {
  const sql = storage.sql;
  for (;;) {
    const now = Date.now();
    const alert = sql
      .exec<QueuedAlert>(
        `SELECT webhook_id, day, threshold, body, queued_at, attempts FROM budget_alert
WHERE next_attempt_at <= ? ORDER BY next_attempt_at LIMIT 1`,
        now,
      )
      .toArray()[0];
    if (!alert) break;
    const attempt = alert.attempts + 1;
    const retryAt = target && nextAttemptAt(alert.queued_at, attempt, now);
    // Written before sending: an attempt cut short by a restart still counts, and its retry stays scheduled.
    sql.exec(
      "UPDATE budget_alert SET attempts = ?, next_attempt_at = ? WHERE webhook_id = ?",
      attempt,
      retryAt ?? null,
      alert.webhook_id,
    );
    const status = target ? await send(target, alert, now) : null;
    const delivered = status !== null && status >= 200 && status < 300;
    if (delivered) {
      sql.exec(
        "UPDATE budget_alert SET next_attempt_at = NULL, delivered_at = ? WHERE webhook_id = ?",
        Date.now(),
        alert.webhook_id,
      );
    }
    console.log(
      JSON.stringify({
        event: "alert_delivery",
        webhook_id: alert.webhook_id,
        date: alert.day,
        threshold: alert.threshold,
        attempt,
        status,
        result: !target ? "dropped" : delivered ? "delivered" : retryAt ? "retry" : "gave-up",
        next_attempt_at: !delivered && retryAt ? new Date(retryAt).toISOString() : null,
      }),
    );
  }
  const { next } = sql.exec<{ next: number | null }>("SELECT MIN(next_attempt_at) AS next FROM budget_alert").one();
  if (next !== null) await storage.setAlarm(next);
}

/** One attempt: KeyAPI-free, never throws; the receiver's status, or `null` when it did not answer in time. */
async function send(target: AlertTarget, alert: QueuedAlert, now: number): Promise<number | null> {
  const timestamp = String(Math.floor(now / 1000));
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "webhook-id": alert.webhook_id,
    "webhook-timestamp": timestamp,
  };
  if (target.key)
    headers["webhook-signature"] = await signStandard(target.key, alert.webhook_id, timestamp, alert.body);
  try {
    const response = await fetch(target.url, {
      method: "POST",
      headers,
      body: alert.body,
      // A redirect is not a delivery: the receiver's address is what the operator configured.
      redirect: "manual",
      signal: AbortSignal.timeout(ALERT_TIMEOUT_MS),
    });
    await response.body?.cancel();
    return response.status;
  } catch {
    return null;
  }
}
