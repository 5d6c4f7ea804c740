/**
 * The credit ledger's callers' side: charging each KeyAPI call before it is
 * sent, and reporting how it ended after, from wherever the call is made (a
 * coordinator, or a location falling back to a direct call).
 */
import { ProblemError } from "../domain/problems";
import { outcomeOf } from "../domain/upstream";
import type { CallFor } from "./contract";
import type { CreditLedger } from "./credit-ledger";

/** The name of the one ledger object. */
export const LEDGER_NAME = "global";

/** What a caller is told to wait when the ledger cannot be reached and a budget must be kept. */
export const LEDGER_UNREACHABLE_RETRY_AFTER_SECONDS = 30;

export function ledgerOf(namespace: DurableObjectNamespace<CreditLedger>): DurableObjectStub<CreditLedger> {
  return namespace.get(namespace.idFromName(LEDGER_NAME));
}

/**
 * Charges one call or throws: `credit-budget-exhausted` past the budget. An
 * unreachable ledger fails closed when there is a budget (an unledgered call
 * could break it) and is only logged when there is none (the call then has no id).
 */
export async function chargeOneCall(
  ledger: DurableObjectStub<CreditLedger>,
  now: number,
  budget: number,
  call: CallFor,
): Promise<number | undefined> {
  let charge: Awaited<ReturnType<CreditLedger["charge"]>>;
  try {
    charge = await ledger.charge(now, budget, call);
  } catch (error) {
    warn("credit ledger unreachable", budget, error);
    if (budget === 0) return undefined;
    throw new ProblemError(
      "upstream-unavailable",
      "KeyAPI calls cannot be accounted for right now; try again shortly.",
      {
        retryAfter: LEDGER_UNREACHABLE_RETRY_AFTER_SECONDS,
      },
    );
  }
  if (!charge.allowed) {
    throw new ProblemError(
      "credit-budget-exhausted",
      "Today's KeyAPI credit budget is spent. Answers already cached are still served; others can be fetched after the next UTC midnight.",
      { retryAfter: charge.retryAfter },
    );
  }
  return charge.callId;
}

/**
 * The ledger's part in one ledgered KeyAPI call, as the client's hooks: each
 * attempt is charged before it is sent, and its outcome reported after it,
 * through `waitUntil`, so the caller never waits for the report. A lost report
 * leaves the call counted as `unknown`.
 *
 * @example fetchFromKeyApi(settings, endpoint, query, { ...ledgered(ledger, now, budget, call, waitUntil) })
 */
export function ledgered(
  ledger: DurableObjectStub<CreditLedger>,
  now: number,
  budget: number,
  call: CallFor,
  waitUntil: (work: Promise<unknown>) => void,
) {
  let callId: number | undefined;
  return {
    beforeAttempt: async (): Promise<void> => {
      callId = await chargeOneCall(ledger, now, budget, call);
    },
    afterAttempt: (status: number | null): void => {
      if (callId === undefined) return;
      const reported = callId;
      callId = undefined;
      const report = Promise.resolve().then(() => ledger.report(reported, outcomeOf(status)));
      waitUntil(report.catch((error: unknown) => warn("call outcome not reported", budget, error)));
    },
  };
}

function warn(message: string, budget: number, error: unknown): void {
  console.warn(JSON.stringify({ level: "warn", message, budget, error: String(error).slice(0, 200) }));
}
