/**
 * The webhook's work: each item fetched from KeyAPI now (through the cache, so
 * concurrent calls for a key are shared), six at a time, and one result per
 * item, in order. Items that failed for a reason worth retrying are left
 * unsettled, so that a later copy of the same request processes them again
 * while the others are answered as first sent.
 */
import type { LookupScope, TieredCache } from "../cache/tiered-cache";
import { isRetryable, ProblemError, problemBody } from "../domain/problems";
import type { SoundQuery } from "../domain/sound";
import { detailEndpoint } from "../endpoints/detail";
import { mapWithConcurrency, UPSTREAM_CONCURRENCY } from "../util/concurrency";
import type { Outcome } from "./deliveries-client";

export type WebhookResult = {
  clip_id: string;
  period: number;
  region: string;
  status: number;
  data?: unknown;
  error?: ReturnType<typeof problemBody>;
};

/**
 * What a later copy needs to resume: each item's result as JSON text, `null`
 * for an item to process again. Text, so settled results go out byte for byte.
 */
type Settled = (string | null)[];

/** The worst-case time to refresh `items`: one deadline per wave of six, plus a margin. */
export function processingLeaseMs(items: number, upstreamTimeoutMs: number): number {
  return Math.ceil(items / UPSTREAM_CONCURRENCY) * upstreamTimeoutMs + 5_000;
}

/**
 * Refreshes every item, or, with `resume` from an earlier copy, only the items
 * it left unsettled. The response is `{"results":[…]}`, as `JSON.stringify`
 * would write it.
 */
export async function refreshItems(
  cache: TieredCache,
  queries: SoundQuery[],
  scope: LookupScope,
  requestId: string,
  resume?: string,
): Promise<Outcome> {
  const earlier = resume === undefined ? undefined : settledFrom(resume, queries.length);
  const items = await mapWithConcurrency(queries, UPSTREAM_CONCURRENCY, async (query, index) => {
    const kept = earlier?.[index];
    if (kept) return { text: kept, settled: true };
    const { result, settled } = await refreshOne(cache, query, scope, requestId);
    return { text: JSON.stringify(result), settled };
  });
  const response = `{"results":[${items.map((item) => item.text).join(",")}]}`;
  if (items.every((item) => item.settled)) return { response };
  const settled: Settled = items.map((item) => (item.settled ? item.text : null));
  return { response, resume: JSON.stringify(settled) };
}

/**
 * One item's result, and whether it is settled: a sound, `sound not found`, or
 * KeyAPI refusing this input are final; any other failure (5xx, 429, a
 * timeout, calls paused, the budget) is worth another try on a later copy.
 */
async function refreshOne(
  cache: TieredCache,
  query: SoundQuery,
  scope: LookupScope,
  requestId: string,
): Promise<{ result: WebhookResult; settled: boolean }> {
  const item = { clip_id: query.clipId, period: query.period, region: query.region };
  try {
    const { answer } = await cache.refresh(detailEndpoint, query, scope, "webhook");
    if (answer.status === 404) {
      const error = new ProblemError("sound-not-found", `KeyAPI has no trending sound with clip_id ${query.clipId}.`);
      return { result: { ...item, status: 404, error: problemBody(error, requestId) }, settled: true };
    }
    return { result: { ...item, status: 200, data: JSON.parse(answer.body) }, settled: true };
  } catch (error) {
    if (!(error instanceof ProblemError)) {
      console.error(
        JSON.stringify({ level: "error", message: "webhook item failed unexpectedly", error: String(error) }),
      );
    }
    const problem =
      error instanceof ProblemError ? error : new ProblemError("internal", "Something went wrong on our side.");
    return {
      result: { ...item, status: problem.status, error: problemBody(problem, requestId) },
      settled: !isRetryable(problem),
    };
  }
}

/** The record's `resume`, checked (it is stored text); anything unexpected resumes nothing, so every item is redone. */
function settledFrom(resume: string, items: number): Settled | undefined {
  try {
    const parsed: unknown = JSON.parse(resume);
    const valid = (entry: unknown) => entry === null || typeof entry === "string";
    if (Array.isArray(parsed) && parsed.length === items && parsed.every(valid)) return parsed;
  } catch {
    // Not JSON: as if nothing were settled.
  }
  return undefined;
}
