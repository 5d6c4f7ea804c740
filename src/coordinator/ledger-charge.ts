/**
 * Asking the credit ledger before a KeyAPI call is sent, from wherever the
 * call is made (a coordinator, or a location falling back to a direct call).
 */
import { ProblemError } from "../domain/problems";
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
 * could break it) and is only logged when there is none.
 */
export async function chargeOneCall(
  ledger: DurableObjectStub<CreditLedger>,
  now: number,
  budget: number,
): Promise<void> {
  let charge: Awaited<ReturnType<CreditLedger["charge"]>>;
  try {
    charge = await ledger.charge(now, budget);
  } catch (error) {
    console.warn(
      JSON.stringify({
        level: "warn",
        message: "credit ledger unreachable",
        budget,
        error: String(error).slice(0, 200),
      }),
    );
    if (budget === 0) return;
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
      "Today's KeyAPI credit budget is spent. Sounds already cached are still served; others can be fetched after the next UTC midnight.",
      { retryAfter: charge.retryAfter },
    );
  }
}
