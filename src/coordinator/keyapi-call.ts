/**
 * The one ledgered, traced KeyAPI call, wherever it is made: by a key's
 * coordinator, or by a location that cannot reach the coordinator (and keeps
 * no budget). Each attempt is charged to the credit ledger before it is sent
 * and its outcome reported after it; the exchange is traced for the request
 * log; the answer becomes what every tier stores. Failures come back as data
 * (`Obtained`), so the coordinator can hand them across RPC as they are.
 */
import { cacheKey, type Endpoint } from "../domain/endpoint";
import { answerFrom } from "../domain/freshness";
import { ProblemError } from "../domain/problems";
import type { UpstreamExchange, UpstreamTrace } from "../domain/upstream";
import { fetchFromKeyApi, type KeyApiSettings } from "../keyapi/client";
import { ledgered } from "../ledger/client";
import type { CreditLedger } from "../ledger/credit-ledger";
import type { Obtained } from "./contract";

export type CallContext = {
  /** The ledger to charge, and the day's budget in credits (0: count, but never refuse). */
  ledger: DurableObjectStub<CreditLedger>;
  budget: number;
  /** Stamps the answer's `fetched_at` and the ledger's day. */
  now: () => number;
  random?: () => number;
  requestId: string;
  /** Where the ledger's outcome reports run, after the answer. */
  waitUntil: (work: Promise<unknown>) => void;
  /** False: one attempt only, no quick retry (see FetchOptions.retry). */
  retry?: boolean;
};

/**
 * @example const obtained = await callKeyApi(detailEndpoint, query, settings, { ledger, budget, now, requestId, waitUntil })
 */
export async function callKeyApi<Q>(
  endpoint: Endpoint<Q>,
  query: Q,
  settings: KeyApiSettings,
  context: CallContext,
): Promise<Obtained> {
  const call = ledgered(
    context.ledger,
    context.now(),
    context.budget,
    { endpoint: endpoint.name, key: endpoint.key(query) },
    context.waitUntil,
  );
  let exchange: UpstreamExchange = { status: null, durationMs: 0 };
  let attempts = 0;
  // No trace when nothing was sent (the ledger refused the first attempt): the request log then shows no call.
  const trace = (): UpstreamTrace | null => (attempts > 0 ? { ...exchange, role: "called" } : null);
  try {
    const result = await fetchFromKeyApi(settings, endpoint, query, {
      now: context.now,
      random: context.random,
      requestId: context.requestId,
      retry: context.retry,
      onExchange: (done) => {
        exchange = done;
      },
      beforeAttempt: async () => {
        await call.beforeAttempt();
        attempts += 1;
      },
      afterAttempt: call.afterAttempt,
    });
    return { ok: true, answer: await answerFrom(result, context.now()), upstream: trace() };
  } catch (error) {
    const problem = error instanceof ProblemError ? error : unexpected(cacheKey(endpoint, query), error);
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

function unexpected(key: string, error: unknown): ProblemError {
  console.error(
    JSON.stringify({ level: "error", message: "KeyAPI call failed unexpectedly", key, error: String(error) }),
  );
  return new ProblemError("internal", "Something went wrong on our side.");
}
