/**
 * The chart scenarios (issues 16 and 17): chart hits against detail hits,
 * chart-card hits against chart hits, and what a mix of chart windows costs in
 * KeyAPI calls against the distinct upstream pages the worker's canonical
 * paging says they need (its own `upstreamPages`, not a copy).
 */
import { CHART_SIZE } from "../../mock/charts.ts";
import { importBundled } from "../../scripts/bundled-import.ts";
import { CHART_CARD_PATH, type ChartWindow, chartCardPath, chartPath, chartWindows, pickCharts } from "./load.ts";
import type { Sizes } from "./options.ts";
import {
  get,
  HIT_PATH,
  type Measurement,
  measurement,
  type PairedHitFigures,
  pairedHit,
  type ScenarioContext,
  sendPaths,
  worker,
} from "./scenarios.ts";

type WorkerRules = typeof import("./worker-rules.ts");
let rules: Promise<WorkerRules> | undefined;

/** The worker's rules, bundled on first use (Node cannot load src/ as it is). */
export function workerRules(): Promise<WorkerRules> {
  rules ??= importBundled<WorkerRules>(new URL("./worker-rules.ts", import.meta.url));
  return rules;
}

/** One upstream page of a chart, as the hit scenarios warm it: the US top 20 of the last 7 days. */
const HIT_CHART = { region: "US", period: 7, page: 1, limit: 20 } as const;
export const CHART_HIT_PATH = chartPath(HIT_CHART);
/** The largest chart card (top 10), drawn from the same upstream page. */
export const CHART_CARD_HIT_PATH = chartCardPath(HIT_CHART.region, HIT_CHART.period, 10);

/** Chart hits against detail hits, both warm: what a chart window costs over the detail payload. */
export const chartHit = (context: ScenarioContext) =>
  pairedHit(context, {
    scenario: "chart-hit",
    subject: { name: "chart", path: CHART_HIT_PATH },
    base: { name: "detail", path: HIT_PATH },
    shared: "same warm state",
  });

export type ChartCardHitFigures = ({ available: true } & PairedHitFigures) | { available: false; reason: string };

/**
 * Chart-card hits against chart JSON hits, same warm chart. Until the chart
 * card's route exists (it answers 404), the figure is not available rather
 * than a failed run.
 */
export async function chartCardHit(context: ScenarioContext): Promise<ChartCardHitFigures> {
  const probe = await get(context, `${worker(context, "ours").url}${CHART_CARD_HIT_PATH}`);
  if (probe.status === 404) {
    return { available: false, reason: `GET ${CHART_CARD_PATH} answered 404` };
  }
  const figures = await pairedHit(context, {
    scenario: "chart-card-hit",
    subject: { name: "chart card", path: CHART_CARD_HIT_PATH },
    base: { name: "chart JSON", path: CHART_HIT_PATH },
    shared: "same warm chart",
  });
  return { available: true, ...figures };
}

/** Most windows lie within a chart's top 100 (what widgets show); the rest go down to `page × limit` = 200. */
const TOP = 100;
const TOP_SHARE = 0.8;
/** Hard stop for the paging mix, whatever it has done by then (reported as truncated). */
const PAGING_MAX_SECONDS = 90;

export type ChartPagingPlan = {
  charts: { region: string; period: number }[];
  windows: ChartWindow[];
  pageSize: number;
  /** The distinct upstream pages the windows need, as `REGION:PERIOD:PAGE:SIZE`. */
  expectedPages: Set<string>;
  /** Distinct (chart, page, limit): what a cache keyed on the client's window would pay. */
  distinctWindows: number;
};

/**
 * The paging mix: `chartPagingCharts` charts drawn from the worker's regions
 * and periods (US left out: the hit scenarios warm its 7-day chart), windows
 * with a random `limit` and `page`, and the pages they need by the worker's
 * own canonical paging, at its default page size (bench/wrangler/ours.toml sets
 * none), in the mock's charts of `CHART_SIZE` sounds.
 */
export function chartPagingPlan(sizes: Sizes, worker: WorkerRules): ChartPagingPlan {
  const regions = [...worker.REGION_CODES].filter((region) => region !== HIT_CHART.region);
  const charts = pickCharts(sizes.chartPagingCharts, regions, worker.PERIODS);
  const windows = chartWindows(sizes.chartPagingRequests, charts, {
    maxLimit: worker.MAX_CHART_LIMIT,
    maxDepth: worker.MAX_CHART_DEPTH,
    top: TOP,
    topShare: TOP_SHARE,
  });
  const pageSize = worker.DEFAULT_LIST_PAGE_SIZE;
  const expectedPages = new Set(
    windows.flatMap((window) =>
      worker
        .upstreamPages(window, pageSize)
        // The worker reads a window's first page, then skips the pages after it that start past the chart's end.
        .filter((page, index) => index === 0 || (page - 1) * pageSize < CHART_SIZE)
        .map((page) => pageName(window.region, window.period, page, pageSize)),
    ),
  );
  return { charts, windows, pageSize, expectedPages, distinctWindows: new Set(windows.map(chartPath)).size };
}

const pageName = (region: string, period: number | string, page: number | string, size: number | string) =>
  `${region}:${period}:${page}:${size}`;

/**
 * The upstream pages the mock was asked for, named as `chartPagingPlan` names
 * them (the mock counts a list call per query string); any filter or search
 * marks a page the bench never asks for.
 */
function pagesAsked(byKey: Record<string, number>): string[] {
  const pages: string[] = [];
  for (const key of Object.keys(byKey)) {
    if (!key.startsWith("list?")) continue;
    const query = new URLSearchParams(key.slice("list?".length));
    const filtered =
      query.get("search_keyword") !== "FALSE" ||
      query.get("new_to_top_100") !== "false" ||
      query.get("commercial_music") !== "false";
    const name = pageName(
      query.get("region") ?? "?",
      query.get("period") ?? "?",
      query.get("page") ?? "?",
      query.get("limit") ?? "?",
    );
    pages.push(filtered ? `${name}:filtered` : name);
  }
  return pages;
}

export type ChartPagingFigures = Measurement & {
  requested: number;
  charts: number;
  pageSize: number;
  expectedPages: number;
  distinctWindows: number;
  /** Pages the mock was asked for that the windows do not need (should be none). */
  unexpectedPages: string[];
  /** Pages the windows need that the mock was never asked for (should be none). */
  missingPages: string[];
};

/** The paging mix at `connections`, cold: each distinct upstream page should cost one KeyAPI call. */
export async function chartPaging(context: ScenarioContext): Promise<ChartPagingFigures> {
  const { sizes } = context.options;
  const plan = chartPagingPlan(sizes, await workerRules());
  const paths = plan.windows.map(chartPath);
  context.progress(
    `chart-paging: ${paths.length} windows over ${plan.charts.length} charts, ${plan.expectedPages.size} upstream pages`,
  );
  const result = await sendPaths(context, paths, PAGING_MAX_SECONDS);
  const { stats } = context.mock.mock;
  const asked = new Set(pagesAsked(stats.byKey));
  return {
    ...measurement(result, stats.calls),
    requested: paths.length,
    charts: plan.charts.length,
    pageSize: plan.pageSize,
    expectedPages: plan.expectedPages.size,
    distinctWindows: plan.distinctWindows,
    unexpectedPages: [...asked].filter((page) => !plan.expectedPages.has(page)),
    missingPages: [...plan.expectedPages].filter((page) => !asked.has(page)),
  };
}
