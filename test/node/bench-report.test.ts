/** The bench's verdicts: pure functions from figures to the rows, table-driven. */
import { describe, expect, it } from "vitest";
import type { ChartPagingFigures } from "../../bench/lib/charts.ts";
import { SCENARIOS } from "../../bench/lib/options.ts";
import { BUNDLE_BUDGET_KIB, type Figures, markdown, rows, warnings } from "../../bench/lib/report.ts";
import type { Measurement, PairedHitFigures } from "../../bench/lib/scenarios.ts";

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

/** A paired hit: `[name, req/s, p99 ms, body bytes]` of the subject and of the base. */
type Side = [name: string, reqPerSec: number, p99Ms: number, bodyBytes: number];
function paired(subject: Side, base: Side, shared: string): PairedHitFigures {
  const side = ([name, reqPerSec, p99Ms, bodyBytes]: Side) => ({
    name,
    path: `/${name}`,
    bodyBytes,
    median: measured(reqPerSec, p99Ms),
    rounds: [measured(reqPerSec, p99Ms)],
  });
  return { subject: side(subject), base: side(base), shared };
}

/** 1,000 windows over 20 charts needing 140 upstream pages, all answered 200. */
const chartPaging = (calls: number): ChartPagingFigures => ({
  ...measured(200, 300, calls),
  requests: 1000,
  statuses: { 200: 1000 },
  requested: 1000,
  charts: 20,
  pageSize: 20,
  expectedPages: 140,
  distinctWindows: 700,
  unexpectedPages: [],
  missingPages: [],
});

const quietMachine = {
  nproc: 2,
  cpuModel: "cpu",
  node: "v22",
  os: "linux",
  wrangler: "4",
  loadAverage: { before: 0, after: 0 },
};

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
    const figures: Figures = { "card-hit": paired(["card", card, 44, 3220], ["JSON", json, 40, 1396], "same key") };
    expect(verdictOf(figures, "card hit", "card hit req/s ÷ JSON hit req/s, same key")).toBe(verdict);
    const tail = rows(figures).find((row) => row.figure.includes("p99"));
    expect(tail?.value).toBeCloseTo(1.1);
    expect(tail?.figure).toContain("bodies 3220 / 1396 bytes");
  });

  it.each([
    { chart: 900, detail: 1000, verdict: "pass" },
    { chart: 899, detail: 1000, verdict: "fail" },
  ])("chart hit at $chart req/s against detail hit at $detail: $verdict", ({ chart, detail, verdict }) => {
    const figures: Figures = {
      "chart-hit": paired(["chart", chart, 50, 11_431], ["detail", detail, 40, 1417], "same warm state"),
    };
    expect(verdictOf(figures, "chart hit", "chart hit req/s ÷ detail hit req/s, same warm state")).toBe(verdict);
    expect(rows(figures).map((row) => row.scenario)).toEqual(["chart hit", "chart hit"]);
  });

  it.each([
    { card: 900, chart: 1000, verdict: "pass" },
    { card: 899, chart: 1000, verdict: "fail" },
  ])("chart card hit at $card req/s against chart hit at $chart: $verdict", ({ card, chart, verdict }) => {
    const figures: Figures = {
      "chart-card-hit": {
        available: true,
        ...paired(["chart card", card, 50, 4000], ["chart JSON", chart, 40, 11_431], "same warm chart"),
      },
    };
    expect(verdictOf(figures, "chart card hit", "chart card hit req/s ÷ chart JSON hit req/s")).toBe(verdict);
  });

  it("reports the chart card as not available, not failed, while its route answers 404", () => {
    const figures: Figures = { "chart-card-hit": { available: false, reason: "GET …/chart.svg answered 404" } };
    expect(rows(figures)).toEqual([
      expect.objectContaining({ scenario: "chart card hit", value: null, shown: "not available", verdict: "pending" }),
    ]);
    expect(rows(figures)[0]?.figure).toContain("answered 404");
    expect(warnings(figures, quietMachine)).toEqual([]);
  });

  it.each([
    { case: "one call per page", calls: 140, change: {}, verdict: "pass" },
    { case: "a page paid twice", calls: 141, change: {}, verdict: "fail" },
    { case: "a page not expected", calls: 140, change: { unexpectedPages: ["GB:7:3:10"] }, verdict: "fail" },
    { case: "a page never asked", calls: 140, change: { missingPages: ["GB:7:3:20"] }, verdict: "fail" },
    { case: "a failed answer", calls: 140, change: { statuses: { 200: 999, 502: 1 } }, verdict: "fail" },
    { case: "a truncated run", calls: 140, change: { truncated: true }, verdict: "fail" },
  ])("chart paging, $case: $verdict", ({ calls, change, verdict }) => {
    const figures: Figures = { "chart-paging": { ...chartPaging(calls), ...change } };
    expect(verdictOf(figures, "chart paging", "upstream calls ÷ distinct upstream pages of 20 (")).toBe(verdict);
    expect(rows(figures)[0]?.value).toBeCloseTo(calls / 140);
  });

  it("warns about non-200 answers in paired hits and pages other than expected", () => {
    const failing = { ...measured(1000, 40), statuses: { 200: 4990, 503: 10 } };
    const pair = paired(["chart", 1000, 40, 11_431], ["detail", 1000, 40, 1417], "same warm state");
    pair.subject.rounds = [failing];
    const figures: Figures = {
      "chart-hit": pair,
      "chart-paging": { ...chartPaging(140), unexpectedPages: ["GB:7:3:10"], missingPages: ["GB:7:3:20"] },
    };
    expect(warnings(figures, quietMachine)).toEqual([
      'chart hit chart: 10 answers were not 200 ({"200":4990,"503":10}), 0 errors',
      "chart paging: upstream pages other than the expected ones: GB:7:3:10, GB:7:3:20 (never asked)",
    ]);
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
      machine: quietMachine,
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
