/**
 * The benchmark harness in smoke mode (`npm run bench -- --smoke`): every
 * scenario, tiny counts, real wrangler dev processes and the mock KeyAPI. It
 * asserts that the harness runs and reports well-formed results, plus the
 * counts that are deterministic; never speed (that is the bench's job).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chartPagingPlan } from "../../bench/lib/charts.ts";
import { zipfRanks } from "../../bench/lib/load.ts";
import { SCENARIOS } from "../../bench/lib/options.ts";
import type { BenchReport } from "../../bench/lib/report.ts";
import * as rules from "../../bench/lib/worker-rules.ts";

const outDir = mkdtempSync(join(tmpdir(), "bench-smoke-test-"));
let report: BenchReport;
let table: string;

beforeAll(async () => {
  const out = join(outDir, "smoke.json");
  const { stdout } = await promisify(execFile)(process.execPath, ["bench/run.ts", "--smoke", "--out", out], {
    maxBuffer: 16 * 1024 * 1024,
    timeout: 170_000,
  });
  table = stdout;
  report = JSON.parse(readFileSync(out, "utf8")) as BenchReport;
}, 180_000);

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe("npm run bench -- --smoke", () => {
  it("prints the Markdown table it writes as JSON", () => {
    expect(table).toContain("| scenario | figure | value | target | result |");
    for (const row of report.rows) expect(table).toContain(row.shown.replaceAll("|", "\\|"));
    expect(report.schema).toBe(1);
    expect(report.mode).toBe("smoke");
    expect(new Set(report.scenarios)).toEqual(new Set(SCENARIOS));
    expect(report.machine.nproc).toBeGreaterThan(0);
  });

  it("has one well-formed row per figure of the issue's table", () => {
    const scenarios = report.rows.map((row) => row.scenario);
    for (const prefix of [
      "warm hit",
      "card hit",
      "chart hit",
      "chart card hit",
      "chart paging",
      "cold burst",
      "Zipf",
      "stale window",
      "upstream down",
      "bundle",
      "memory",
    ]) {
      expect(
        scenarios.some((name) => name.startsWith(prefix)),
        `${prefix} in ${JSON.stringify(scenarios)}`,
      ).toBe(true);
    }
    for (const row of report.rows) {
      expect(["pass", "fail", "reported", "pending"], JSON.stringify(row)).toContain(row.verdict);
      if (row.verdict !== "pending") expect(Number.isFinite(row.value), JSON.stringify(row)).toBe(true);
      expect(row.target.length).toBeGreaterThan(0);
    }
  });

  it("answers every warm-hit request with 200, the floors without any upstream call", () => {
    const hit = report.figures["warm-hit"];
    expect(hit).toBeDefined();
    for (const id of ["ours", "platform-floor", "floor"]) {
      const target = hit?.targets[id];
      expect(target?.requests, id).toBeGreaterThan(0);
      expect(target?.statuses[200], `${id}: ${JSON.stringify(target?.statuses)}`).toBe(target?.requests);
    }
    expect(hit?.targets.floor?.upstreamCalls).toBe(0);
    expect(hit?.targets["platform-floor"]?.upstreamCalls).toBe(0);
    // The floors are a fair comparison only while they send as many bytes as ours.
    expect(Math.abs((hit?.oursBodyBytes ?? 0) - (hit?.floorBodyBytes ?? 0))).toBeLessThan(
      0.05 * (hit?.floorBodyBytes ?? 0),
    );
  });

  it.each([
    ["card-hit", "card", "JSON"],
    ["chart-hit", "chart", "detail"],
  ] as const)("answers every %s request with 200 from the cache, %s and %s alike", (scenario, subject, base) => {
    const pair = report.figures[scenario];
    expect([pair?.subject.name, pair?.base.name]).toEqual([subject, base]);
    for (const side of [pair?.subject, pair?.base]) {
      expect(side?.median.requests, side?.name).toBeGreaterThan(0);
      expect(side?.median.statuses[200], `${side?.name}: ${JSON.stringify(side?.median.statuses)}`).toBe(
        side?.median.requests,
      );
      expect(side?.median.upstreamCalls, side?.name).toBe(0);
    }
    // The card and a top-20 window each send more than the detail payload.
    expect(pair?.subject.bodyBytes).toBeGreaterThan(pair?.base.bodyBytes ?? Number.POSITIVE_INFINITY);
  });

  it("measures chart-card hits from the cache, or says the chart card is not available yet", () => {
    const chartCard = report.figures["chart-card-hit"];
    const row = report.rows.find((candidate) => candidate.scenario === "chart card hit");
    if (chartCard?.available === false) {
      expect(chartCard.reason).toContain("answered 404");
      expect(row).toMatchObject({ shown: "not available", verdict: "pending", value: null });
      return;
    }
    for (const side of [chartCard?.subject, chartCard?.base]) {
      expect(side?.median.statuses[200], `${side?.name}: ${JSON.stringify(side?.median.statuses)}`).toBe(
        side?.median.requests,
      );
      expect(side?.median.upstreamCalls, side?.name).toBe(0);
    }
    expect(row?.verdict).toMatch(/^(pass|fail)$/);
  });

  it("asks KeyAPI for exactly the upstream pages the chart windows need", () => {
    const paging = report.figures["chart-paging"];
    const plan = chartPagingPlan(report.settings.sizes, rules);
    expect(paging?.requests).toBe(paging?.requested);
    expect(paging?.statuses[200], JSON.stringify(paging?.statuses)).toBe(paging?.requested);
    expect(paging?.expectedPages).toBe(plan.expectedPages.size);
    expect(paging?.charts).toBe(report.settings.sizes.chartPagingCharts);
    // Which pages is deterministic; how many calls each costs is the bench's target, not asserted here.
    expect(paging?.unexpectedPages).toEqual([]);
    expect(paging?.missingPages).toEqual([]);
    expect(paging?.upstreamCalls).toBeGreaterThanOrEqual(plan.expectedPages.size);
    expect(paging?.upstreamCalls).toBeLessThanOrEqual(paging?.requests ?? 0);
  });

  it("counts upstream calls exactly where they are deterministic", () => {
    const burst = report.figures["cold-burst"];
    expect(burst?.targets.naive?.upstreamCalls).toBe(burst?.burst);
    expect(burst?.targets.ours?.upstreamCalls).toBeGreaterThanOrEqual(1);
    expect(burst?.targets.ours?.upstreamCalls).toBeLessThanOrEqual(burst?.burst ?? 0);

    const zipf = report.figures.zipf;
    const ranks = zipfRanks(zipf?.requested ?? 0, zipf?.keys ?? 0, zipf?.exponent ?? 0);
    expect(zipf?.requests).toBe(zipf?.requested);
    expect(zipf?.distinctKeysRequested).toBe(new Set(ranks).size);
    // A cold start pays at least once per key, and never more than once per request.
    expect(zipf?.upstreamCalls).toBeGreaterThanOrEqual(zipf?.distinctKeysRequested ?? 0);
    expect(zipf?.upstreamCalls).toBeLessThanOrEqual(zipf?.requests ?? 0);
  });

  it("runs the stale window, the outage and the bundle", () => {
    const stale = report.figures["stale-window"];
    expect(stale?.refreshesPerKey.length).toBe(report.settings.sizes.staleKeys);
    expect(stale?.statuses[200]).toBe(stale?.requests);

    const down = report.figures["upstream-down"];
    expect(down?.requests).toBe(report.settings.sizes.downRequests);

    expect(report.figures.bundle?.ours?.gzipBytes).toBeGreaterThan(1024);
  });
});
