/**
 * KeyAPI's failures and what every endpoint answers for them: one table for
 * the detail endpoint (test/routes/sound.error.test.ts) and the list endpoint
 * (test/routes/chart.error.test.ts), which must map them alike.
 */
import { expect } from "vitest";
import type { MockBehaviour } from "../../mock/keyapi";
import { type ProblemKind, problemType } from "../../src/domain/problems";
import { describe } from "./worker";

export { problemType };

export type KeyApiOutcome = {
  name: string;
  behaviour?: MockBehaviour;
  status: number;
  kind: ProblemKind;
  retryAfter?: string;
  /** 502/503/504 from KeyAPI are tried once more. */
  calls?: number;
};

/** Failures the mock KeyAPI can act out, whatever the endpoint. */
export const KEYAPI_FAILURES: KeyApiOutcome[] = [
  { name: "data of an odd shape", behaviour: { mode: "odd-shape" }, status: 502, kind: "upstream-error" },
  {
    name: "HTTP 401",
    behaviour: { mode: "status", status: 401 },
    status: 502,
    kind: "upstream-credentials-rejected",
  },
  {
    name: "HTTP 402",
    behaviour: { mode: "status", status: 402 },
    status: 503,
    kind: "upstream-quota-exhausted",
    retryAfter: "600",
  },
  {
    name: "HTTP 402 with Retry-After",
    behaviour: { mode: "status", status: 402, retryAfter: 120 },
    status: 503,
    kind: "upstream-quota-exhausted",
    retryAfter: "120",
  },
  {
    name: "HTTP 429",
    behaviour: { mode: "status", status: 429 },
    status: 503,
    kind: "upstream-rate-limited",
    retryAfter: "30",
  },
  {
    name: "HTTP 429 with Retry-After",
    behaviour: { mode: "status", status: 429, retryAfter: 7 },
    status: 503,
    kind: "upstream-rate-limited",
    retryAfter: "7",
  },
  { name: "HTTP 400", behaviour: { mode: "status", status: 400 }, status: 502, kind: "upstream-error" },
  { name: "HTTP 500", behaviour: { mode: "status", status: 500 }, status: 502, kind: "upstream-error" },
  { name: "HTTP 502", behaviour: { mode: "status", status: 502 }, status: 502, kind: "upstream-error", calls: 2 },
  { name: "HTTP 503", behaviour: { mode: "status", status: 503 }, status: 502, kind: "upstream-error", calls: 2 },
  { name: "HTTP 504", behaviour: { mode: "status", status: 504 }, status: 502, kind: "upstream-error", calls: 2 },
  {
    name: "code 401 in a 200",
    behaviour: { mode: "envelope-error", status: 401 },
    status: 502,
    kind: "upstream-credentials-rejected",
  },
  {
    name: "code 402 in a 200",
    behaviour: { mode: "envelope-error", status: 402 },
    status: 503,
    kind: "upstream-quota-exhausted",
    retryAfter: "600",
  },
  {
    name: "code 429 in a 200",
    behaviour: { mode: "envelope-error", status: 429, retryAfter: 3 },
    status: 503,
    kind: "upstream-rate-limited",
    retryAfter: "3",
  },
  {
    name: "code 500 in a 200",
    behaviour: { mode: "envelope-error", status: 500 },
    status: 502,
    kind: "upstream-error",
  },
  { name: "a body that is not JSON", behaviour: { mode: "garbage" }, status: 502, kind: "upstream-error" },
];

/** Bodies of a 200 that are not KeyAPI's envelope, whatever the endpoint: each is a 502. */
export const BROKEN_ENVELOPES: [name: string, body: string][] = [
  ["an envelope without code", '{"message":"ok","data":{}}'],
  ["a JSON array", "[]"],
  ["data that is a string", '{"code":0,"data":"x"}'],
  ["an empty body", ""],
];

/**
 * Checks a response is the problem `outcome` names, with its Retry-After; and, given the KeyAPI calls the
 * test saw, that they were the outcome's `calls`.
 */
export async function expectOutcome(res: Response, outcome: KeyApiOutcome, upstreamCalls?: number): Promise<void> {
  const { status, kind, retryAfter, calls = 1 } = outcome;
  expect(res.status, await describe(res)).toBe(status);
  expect(res.headers.get("Content-Type")).toBe("application/problem+json");
  expect(res.headers.get("Retry-After")).toBe(retryAfter ?? null);
  const body = (await res.json()) as { type: string; status: number; detail: string; request_id: string };
  expect(body).toMatchObject({ type: problemType(kind), status });
  expect(body.detail.length).toBeGreaterThan(0);
  expect(body.request_id).toBe(res.headers.get("X-Request-Id"));
  if (upstreamCalls !== undefined) expect(upstreamCalls).toBe(calls);
}
