/** Whose fault a failed KeyAPI call is: decided by the status (or the `code` of the same number) alone. */
import { expect, it } from "vitest";
import { isRetryable, ProblemError } from "../../src/domain/problems";
import { blameFor } from "../../src/keyapi/client";

it.each([
  // Refusals of the input: any client can cause them, so they never open the breaker, and a retry repeats them.
  [400, "request"],
  [404, "request"],
  [405, "request"],
  [409, "request"],
  [410, "request"],
  [413, "request"],
  [422, "request"],
  [499, "request"],
  // About the service: our key, our quota, our rate, a gateway's timing. No input chooses them.
  [401, "upstream"],
  [408, "upstream"],
  [425, "upstream"],
  [402, "upstream"],
  [403, "upstream"],
  [429, "upstream"],
  // KeyAPI unwell, or a status (or code) its documentation does not describe.
  [500, "upstream"],
  [502, "upstream"],
  [503, "upstream"],
  [504, "upstream"],
  [599, "upstream"],
  [204, "upstream"],
  [302, "upstream"],
  [1, "upstream"],
  [10001, "upstream"],
] as const)("status or code %i → %s", (status, blame) => {
  expect(blameFor(status)).toBe(blame);
});

it("calls every failure but a refusal of the input worth retrying, including those that made no call", () => {
  expect(isRetryable(new ProblemError("upstream-error", "x", { blame: "request" }))).toBe(false);
  expect(isRetryable(new ProblemError("upstream-error", "x", { blame: "upstream" }))).toBe(true);
  expect(isRetryable(new ProblemError("upstream-unavailable", "paused"))).toBe(true);
  expect(isRetryable(new ProblemError("credit-budget-exhausted", "spent"))).toBe(true);
});
