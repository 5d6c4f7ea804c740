/**
 * The askers' side of a key's coordinator (sound-coordinator.ts): which object
 * to ask, how long to wait for it, the problems its answers stand for, and
 * what to do when it cannot be reached.
 */
import { ProblemError } from "../domain/problems";
import type { Ask, Obtained } from "./contract";
import type { SoundCoordinator } from "./sound-coordinator";

/** Seconds to wait when the coordinator cannot be reached and a budget must be kept. */
export const COORDINATOR_RETRY_AFTER_SECONDS = 30;

/** The coordinator did not answer within the deadline: it may be mid-call, so a direct call could pay twice. */
export class CoordinatorTimeout extends Error {}

/**
 * Asks the coordinator of `key` (one object per cache key), waiting at most
 * `deadlineMs`. Throws `CoordinatorTimeout` past the deadline, and the RPC's own
 * error when the object cannot be reached.
 */
export async function askCoordinator(
  namespace: DurableObjectNamespace<SoundCoordinator>,
  key: string,
  ask: Ask,
  deadlineMs: number,
): Promise<Obtained> {
  const coordinator = namespace.get(namespace.idFromName(key));
  // RPC typing turns the union into a union of promises; the value is an `Obtained`.
  return withDeadline(coordinator.obtain(ask) as Promise<Obtained>, deadlineMs);
}

/** The problem a failed answer stands for, with its KeyAPI exchange for the request log. */
export function problemOf(failure: Extract<Obtained, { ok: false }>): ProblemError {
  const { retryAfter, blame } = failure;
  const problem = new ProblemError(failure.kind, failure.detail, { retryAfter, blame });
  problem.upstream = failure.upstream ?? undefined;
  return problem;
}

/** What a caller gets when the coordinator did not answer in time. */
export function coordinatorTimedOut(): ProblemError {
  return new ProblemError("upstream-timeout", "KeyAPI did not answer in time.", { blame: "upstream" });
}

/**
 * The coordinator cannot be reached. With a credit budget the answer is to fail
 * closed (this problem): an unledgered call could break the budget. Without one
 * (`undefined`), the caller may call KeyAPI itself, ledgered when the ledger is up.
 */
export function whenUnreachable(key: string, budget: number, error: unknown): ProblemError | undefined {
  console.warn(
    JSON.stringify({
      level: "warn",
      message: "coordinator unreachable",
      key,
      budget,
      error: error instanceof Error ? error.name : "unknown",
    }),
  );
  if (budget === 0) return undefined;
  return new ProblemError(
    "upstream-unavailable",
    "The service cannot reach its KeyAPI coordinator; try again shortly.",
    {
      retryAfter: COORDINATOR_RETRY_AFTER_SECONDS,
    },
  );
}

async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CoordinatorTimeout()), ms);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}
