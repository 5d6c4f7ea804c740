/**
 * The caller's side of the delivery record (src/webhook/deliveries.ts): runs a
 * webhook request's work at most once per record across all locations, and
 * turns the record's answers into this API's problems.
 */
import { ProblemError } from "../domain/problems";
import { sha256Hex } from "../util/sha256";
import type { WebhookDeliveries } from "./deliveries";
import { DELIVERY_TTL_MS } from "./signature";

/** How long a second copy of a delivery waits for the first copy's answer before it is told to come back. */
export const REDELIVERY_WAIT_MS = 10_000;
/** `Retry-After` when the delivery record cannot be reached. */
export const DELIVERIES_RETRY_AFTER_SECONDS = 30;

/**
 * What processing produced: the body answered, and, when some of the work is
 * worth doing again on a later copy, what that copy needs to resume it.
 */
export type Outcome = { response: string; resume?: string };

export type ProcessOnce = {
  deliveries: DurableObjectNamespace<WebhookDeliveries>;
  recordId: string;
  rawBody: string;
  /** The worst-case processing time: past it, the claim counts as abandoned. */
  leaseMs: number;
  waitUntil: (work: Promise<unknown>) => void;
  requestId: string;
  /** The work; `resume` is what an earlier copy left unsettled. */
  process: (resume: string | undefined) => Promise<Outcome>;
};

/**
 * Runs `process` at most once per record across all locations. The first copy
 * claims the record, processes and stores the exact body it answers with; a
 * later copy gets that body back (`replayed`), unless the first left work
 * worth doing again, which the later copy then does and stores. A copy that
 * arrives while another is processing waits for its answer (up to
 * REDELIVERY_WAIT_MS), else 409 + Retry-After. Without the record nothing is
 * processed (503 + Retry-After), so no copy ever costs credits twice.
 */
export async function processOnce(options: ProcessOnce): Promise<{ response: string; replayed: boolean }> {
  const { deliveries, recordId, requestId } = options;
  const fingerprint = await sha256Hex(options.rawBody);
  let record: DurableObjectStub<WebhookDeliveries>;
  let claim: Awaited<ReturnType<WebhookDeliveries["claim"]>>;
  try {
    record = deliveries.get(deliveries.idFromName(recordId));
    claim = await record.claim(recordId, fingerprint, { leaseMs: options.leaseMs, waitMs: REDELIVERY_WAIT_MS });
  } catch (error) {
    warn("webhook delivery record unavailable", requestId, error);
    throw new ProblemError(
      "webhook-deliveries-unavailable",
      "The record of processed deliveries cannot be reached, so nothing was refreshed. Send it again later.",
      { retryAfter: DELIVERIES_RETRY_AFTER_SECONDS },
    );
  }
  if (claim.state === "done") return { response: claim.response, replayed: true };
  if (claim.state === "conflict") {
    throw new ProblemError(
      "webhook-id-reused",
      `This webhook-id was delivered within the last ${DELIVERY_TTL_MS / 60_000} minutes with a different body. Use a new id per message.`,
    );
  }
  if (claim.state === "in-progress") {
    throw new ProblemError(
      "webhook-delivery-in-progress",
      "Another copy of this delivery is still being processed. Send it again later to get its results.",
      { retryAfter: claim.retryAfterSeconds },
    );
  }

  const { resume } = claim;
  // Under waitUntil, so the answer is stored even when the sender hangs up before it arrives.
  const processing = (async () => {
    let outcome: Outcome;
    try {
      outcome = await options.process(resume);
    } catch (error) {
      await record.release(recordId).catch(() => {});
      throw error;
    }
    try {
      await record.complete(recordId, fingerprint, outcome.response, outcome.resume ?? null);
    } catch (error) {
      // The credits are spent and the caller gets its answer; a retry after the claim's lease may refresh again.
      warn("webhook delivery not recorded", requestId, error);
    }
    return outcome.response;
  })();
  options.waitUntil(processing.catch(() => {}));
  return { response: await processing, replayed: false };
}

function warn(message: string, requestId: string, error: unknown): void {
  console.warn(JSON.stringify({ level: "warn", message, error: String(error), request_id: requestId }));
}
