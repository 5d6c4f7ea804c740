/** The bench's verdicts: pure functions from figures to the rows, table-driven. */
import { describe, expect, it } from "vitest";
import { SCENARIOS } from "../../bench/lib/options.ts";
import { BUNDLE_BUDGET_KIB, type Figures, markdown, rows } from "../../bench/lib/report.ts";
import type { Measurement } from "../../bench/lib/scenarios.ts";

function measured(reqPerSec: number, p99Ms: number, upstreamCalls = 0): Measurement & { rounds: number } {
  return {
    requests: reqPerSec * 5,
    seconds: 5,
    reqPerSec,
    p50Ms: p99Ms / 2,
    p99Ms,
    statuses: { 200: reqPerSec * 5 },
    xCache: {},
    errors: 0,
    timeouts: 0,
    truncated: false,
    meanBodyBytes: 1396,
    upstreamCalls,
    rounds: 1,
  };
}

const warmHit = (ours: number, oursP99: number): Figures["warm-hit"] => ({
  targets: {
    ours: measured(ours, oursP99),
    "platform-floor": measured(1000, 40),
    floor: measured(2000, 20),
    "pf-no-ratelimit": measured(1500, 30),
  },
  rounds: {},
  oursBodyBytes: 1396,
  floorBodyBytes: 1396,
});

const verdictOf = (figures: Figures, scenario: string, figure = "") =>
  rows(figures).find((row) => row.scenario.startsWith(scenario) && row.figure.includes(figure))?.verdict;

describe("bench verdicts", () => {
  it.each([
    { ours: 950, p99: 45, throughput: "pass", tail: "pass" },
    { ours: 899, p99: 50, throughput: "fail", tail: "pass" },
    { ours: 1000, p99: 51, throughput: "pass", tail: "fail" },
  ])("warm hit at $ours req/s, p99 $p99 ms: $throughput / $tail", ({ ours, p99, throughput, tail }) => {
    const figures = { "warm-hit": warmHit(ours, p99) };
    expect(verdictOf(figures, "warm hit", "hit req/s ÷ platform-floor")).toBe(throughput);
    expect(verdictOf(figures, "warm hit", "hit p99")).toBe(tail);
    expect(verdictOf(figures, "warm hit", "rate-limit")).toBe("reported");
    const cost = rows(figures).find((row) => row.figure.includes("rate-limit"));
    expect(cost?.value).toBeCloseTo(1 - 1000 / 1500);
  });

  it.each([
    { card: 950, json: 1000, verdict: "pass" },
    { card: 900, json: 1000, verdict: "pass" },
    { card: 899, json: 1000, verdict: "fail" },
  ])("card hit at $card req/s against JSON hit at $json: $verdict", ({ card, json, verdict }) => {
    const figures: Figures = {
      "card-hit": {
        targets: { json: measured(json, 40), card: measured(card, 44) },
        rounds: { json: [], card: [] },
        jsonBodyBytes: 1396,
        cardBodyBytes: 3220,
      },
    };
    expect(verdictOf(figures, "card hit", "card hit req/s ÷ JSON hit req/s")).toBe(verdict);
    expect(rows(figures).find((row) => row.figure.includes("p99"))?.value).toBeCloseTo(1.1);
  });

  it.each([
    { ours: 1, naive: 200, verdict: "pass" },
    { ours: 2, naive: 200, verdict: "fail" },
    { ours: 1, naive: 199, verdict: "fail" },
  ])("cold burst ours $ours / naive $naive: $verdict", ({ ours, naive, verdict }) => {
    const burst = (calls: number) => ({ ...measured(200, 200, calls), bodiesIdentical: true });
    const figures: Figures = {
      "cold-burst": { burst: 200, targets: { ours: burst(ours), naive: burst(naive), "hono-cache": burst(150) } },
    };
    expect(verdictOf(figures, "cold burst")).toBe(verdict);
  });

  it.each([
    { calls: 640, distinct: 640, truncated: false, verdict: "pass" },
    { calls: 641, distinct: 640, truncated: false, verdict: "fail" },
    { calls: 300, distinct: 300, truncated: true, verdict: "fail" },
  ])(
    "Zipf $calls calls for $distinct keys (truncated: $truncated): $verdict",
    ({ calls, distinct, truncated, verdict }) => {
      const figures: Figures = {
        zipf: {
          ...measured(1000, 50, calls),
          truncated,
          requested: 10_000,
          keys: 1_000,
          exponent: 1.1,
          distinctKeysRequested: distinct,
        },
      };
      expect(verdictOf(figures, "Zipf")).toBe(verdict);
    },
  );

  it("stale window, outage, bundle and a memory row without its hook", () => {
    const figures: Figures = {
      "stale-window": {
        freshTtlSeconds: 5,
        windowSeconds: 7,
        requests: 350,
        statuses: { 200: 350 },
        xCache: {},
        refreshesPerKey: [1, 1, 2],
      },
      "upstream-down": { ...measured(100, 10), requests: 1000, statuses: { 200: 1000 }, keys: 20 },
      bundle: { ours: { files: ["index.js"], rawBytes: 90_000, gzipBytes: BUNDLE_BUDGET_KIB * 1024 + 1 } },
      memory: { hooked: false, reason: "404", distinctKeys: 640, unboundedEstimateBytes: 640 * 1396 },
    };
    expect(verdictOf(figures, "stale window")).toBe("fail");
    expect(verdictOf(figures, "upstream down")).toBe("pass");
    expect(verdictOf(figures, "bundle")).toBe("fail");
    expect(verdictOf(figures, "memory")).toBe("pending");
  });

  it("escapes pipes in the Markdown table", () => {
    const report = {
      rows: [{ scenario: "a|b", figure: "f", value: 1, shown: "1", target: "t", verdict: "pass" as const }],
      machine: {
        nproc: 2,
        cpuModel: "cpu",
        node: "v22",
        os: "linux",
        wrangler: "4",
        loadAverage: { before: 0, after: 0 },
      },
      settings: { upstreamLatencyMs: 150 },
      warnings: [],
      failed: [],
      scenarios: [...SCENARIOS],
      mode: "full",
      runSeconds: 1,
      startedAt: "now",
    } as unknown as Parameters<typeof markdown>[0];
    expect(markdown(report)).toContain("| a\\|b | f | 1 | t | pass |");
  });
});
