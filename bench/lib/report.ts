/**
 * From raw figures to the issue's table: one row per figure, with its target
 * and verdict, printed as Markdown and written as JSON with the raw figures.
 */
import { availableParallelism, cpus, loadavg, release } from "node:os";
import type { ChartCardHitFigures, ChartPagingFigures } from "./charts.ts";
import type { MultiLocationFigures } from "./multi-location.ts";
import { type BenchOptions, SCENARIOS } from "./options.ts";
import type {
  BundleFigures,
  ColdBurstFigures,
  Measurement,
  MemoryFigures,
  PairedHitFigures,
  StaleWindowFigures,
  UpstreamDownFigures,
  WarmHitFigures,
  ZipfFigures,
} from "./scenarios.ts";
import { LOCAL_EMULATION_ENV, WRANGLER_VERSION } from "./workers.ts";

export type Figures = {
  "warm-hit"?: WarmHitFigures;
  "card-hit"?: PairedHitFigures;
  "chart-hit"?: PairedHitFigures;
  "chart-card-hit"?: ChartCardHitFigures;
  "chart-paging"?: ChartPagingFigures;
  "cold-burst"?: ColdBurstFigures;
  zipf?: ZipfFigures;
  "stale-window"?: StaleWindowFigures;
  "upstream-down"?: UpstreamDownFigures;
  bundle?: BundleFigures;
  memory?: MemoryFigures;
  "multi-location"?: MultiLocationFigures;
};

/** pass/fail against a target; `reported` rows have none; `pending` cannot be measured yet. */
export type Verdict = "pass" | "fail" | "reported" | "pending";

export type Row = {
  scenario: string;
  figure: string;
  /** The number the verdict is about (null when there is none yet). */
  value: number | null;
  /** Human-readable value, as in the table. */
  shown: string;
  target: string;
  verdict: Verdict;
};

export type BenchReport = {
  schema: 1;
  startedAt: string;
  runSeconds: number;
  mode: BenchOptions["mode"];
  scenarios: string[];
  machine: {
    nproc: number;
    cpuModel: string;
    node: string;
    os: string;
    wrangler: string;
    /** 1-minute load average before and after the run: other work on the machine makes figures noisy. */
    loadAverage: { before: number; after: number };
  };
  settings: {
    upstreamLatencyMs: number;
    sizes: BenchOptions["sizes"];
    runtime: string;
    localEmulation: Record<string, string>;
    clientAddresses: string;
  };
  rows: Row[];
  figures: Figures;
  /** Scenarios that threw instead of producing figures (also listed as failing rows). */
  failed: { scenario: string; error: string }[];
  warnings: string[];
};

const fixed = (value: number, digits = 2) => value.toFixed(digits);

/**
 * The production bundle's budget, gzipped. 40 KiB when the worker was one endpoint; 48 KiB when the embeds, the
 * coordinator, the credit ledger and Standard Webhooks landed (42.1 KiB then); 64 KiB when the operator console, the
 * trending charts and their embeds landed (55.7 KiB then; local start-up 31–40 ms against 26–30 ms at 42.1 KiB,
 * `wrangler check startup`), again with room for the next endpoint. The README argues it.
 */
export const BUNDLE_BUDGET_KIB = 64;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const percent = (share: number) => `${(share * 100).toFixed(1)} %`;

export function machine(loadBefore: number): BenchReport["machine"] {
  return {
    loadAverage: { before: loadBefore, after: loadavg()[0] ?? 0 },
    nproc: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? "unknown",
    node: process.version,
    os: `${process.platform} ${release()}`,
    wrangler: WRANGLER_VERSION,
  };
}

export function settings(options: BenchOptions): BenchReport["settings"] {
  return {
    upstreamLatencyMs: options.latencyMs,
    sizes: options.sizes,
    runtime: "workerd via `wrangler dev` (one process per worker; local mode, ProxyWorker in front of each)",
    localEmulation: { ...LOCAL_EMULATION_ENV, "wrangler --log-level": "warn" },
    clientAddresses:
      "a distinct CF-Connecting-IP per request (2001:db8::/32); production rate limits in bench/wrangler/*.toml",
  };
}

export function rows(figures: Figures): Row[] {
  const out: Row[] = [];
  const hit = figures["warm-hit"];
  if (hit) {
    const { targets } = hit;
    const ours = targets.ours;
    const pf = targets["platform-floor"];
    const floor = targets.floor;
    if (ours && pf && floor) {
      const throughput = ours.reqPerSec / pf.reqPerSec;
      out.push({
        scenario: "warm hit",
        figure: `hit req/s ÷ platform-floor req/s (${fixed(ours.reqPerSec, 0)} / ${fixed(pf.reqPerSec, 0)})`,
        value: throughput,
        shown: fixed(throughput),
        target: ">= 0.90",
        verdict: throughput >= 0.9 ? "pass" : "fail",
      });
      const tail = ours.p99Ms / pf.p99Ms;
      out.push({
        scenario: "warm hit",
        figure: `hit p99 ÷ platform-floor p99 (${ours.p99Ms} ms / ${pf.p99Ms} ms)`,
        value: tail,
        shown: fixed(tail),
        target: "<= 1.25",
        verdict: tail <= 1.25 ? "pass" : "fail",
      });
      const bare = ours.reqPerSec / floor.reqPerSec;
      out.push({
        scenario: "warm hit",
        figure: `hit req/s ÷ bare-floor req/s (${fixed(ours.reqPerSec, 0)} / ${fixed(floor.reqPerSec, 0)})`,
        value: bare,
        shown: fixed(bare),
        target: "reported",
        verdict: "reported",
      });
      const platform = pf.reqPerSec / floor.reqPerSec;
      out.push({
        scenario: "warm hit",
        figure: "platform-floor req/s ÷ bare-floor req/s (all platform features together)",
        value: platform,
        shown: fixed(platform),
        target: "reported",
        verdict: "reported",
      });
      // A feature's cost: the share of platform-floor throughput it takes locally, measured by a
      // variant with the feature switched off (or, for features off by default, on).
      const featureCost = (id: string, feature: string, variantHasIt: boolean) => {
        const variant = targets[id];
        if (!variant) return;
        const [withIt, without] = variantHasIt ? [variant, pf] : [pf, variant];
        const cost = 1 - withIt.reqPerSec / without.reqPerSec;
        const comparison = `platform floor ${fixed(pf.reqPerSec, 0)} vs ${fixed(variant.reqPerSec, 0)} req/s ${variantHasIt ? "with" : "without"} it`;
        out.push({
          scenario: "warm hit",
          figure: `cost of ${feature} (${comparison})`,
          value: cost,
          shown: percent(cost),
          target: "reported",
          verdict: "reported",
        });
      };
      const switchedOff = (id: string, feature: string) => featureCost(id, feature, false);
      const switchedOn = (id: string, feature: string) => featureCost(id, feature, true);
      switchedOff("pf-no-ratelimit", "the rate-limit binding call");
      switchedOff("pf-no-log", "one console.log JSON line");
      switchedOn("pf-observability", "local observability capture (X_LOCAL_OBSERVABILITY=true)");
      switchedOff(
        "pf-no-assets",
        "[assets] routing in front of the worker (run_worker_first for /v1/*, as in production)",
      );
      switchedOn("pf-request-log", "wrangler dev's request log (default --log-level)");
    }
    for (const id of ["hono-cache", "naive"]) {
      const target = targets[id];
      if (!target || !ours) continue;
      out.push({
        scenario: "warm hit",
        figure: `${id}: req/s, p99, upstream calls (ours: ${fixed(ours.reqPerSec, 0)} req/s, ${ours.p99Ms} ms, ${ours.upstreamCalls} calls)`,
        value: target.reqPerSec,
        shown: `${fixed(target.reqPerSec, 0)} req/s, ${target.p99Ms} ms, ${target.upstreamCalls} calls`,
        target: "reported",
        verdict: "reported",
      });
    }
  }

  for (const [scenario, pair] of pairedHits(figures)) out.push(...pairedRows(scenario, pair));
  const chartCard = figures["chart-card-hit"];
  if (chartCard && !chartCard.available) {
    out.push({
      scenario: "chart card hit",
      figure: `chart card hit req/s ÷ chart JSON hit req/s, same warm chart (not available: ${chartCard.reason})`,
      value: null,
      shown: "not available",
      target: ">= 0.90",
      verdict: "pending",
    });
  }

  const paging = figures["chart-paging"];
  if (paging) {
    const ratio = paging.upstreamCalls / paging.expectedPages;
    const ok = paging.statuses[200] ?? 0;
    const stray = paging.unexpectedPages.length + paging.missingPages.length;
    out.push({
      scenario: `chart paging (${paging.requests}${paging.truncated ? " (truncated)" : ""} requests over ${paging.charts} charts, random page and limit)`,
      figure:
        `upstream calls ÷ distinct upstream pages of ${paging.pageSize} (${paging.upstreamCalls} / ${paging.expectedPages}; ` +
        `${stray} pages other than expected; ${ok} answered 200; keyed on the client's window: ${paging.distinctWindows} calls)`,
      value: ratio,
      shown: fixed(ratio),
      target: "= 1.00",
      verdict:
        paging.upstreamCalls === paging.expectedPages && stray === 0 && ok === paging.requested && !paging.truncated
          ? "pass"
          : "fail",
    });
  }

  const burst = figures["cold-burst"];
  if (burst) {
    const calls = (id: string) => burst.targets[id]?.upstreamCalls ?? Number.NaN;
    out.push({
      scenario: `cold burst (${burst.burst} simultaneous, one key)`,
      figure: "upstream calls ours / naive / hono-cache",
      value: calls("ours"),
      shown: `${calls("ours")} / ${calls("naive")} / ${calls("hono-cache")}`,
      target: `1 / ${burst.burst} / reported`,
      verdict: calls("ours") === 1 && calls("naive") === burst.burst ? "pass" : "fail",
    });
  }

  const zipf = figures.zipf;
  if (zipf) {
    const ratio = zipf.upstreamCalls / zipf.distinctKeysRequested;
    out.push({
      scenario: `Zipf(s=${zipf.exponent}) ${zipf.requests}${zipf.truncated ? " (truncated)" : ""} requests over ${zipf.keys} keys`,
      figure: `upstream calls ÷ distinct keys requested (${zipf.upstreamCalls} / ${zipf.distinctKeysRequested}); ${fixed(zipf.reqPerSec, 0)} req/s, p99 ${zipf.p99Ms} ms`,
      value: ratio,
      shown: fixed(ratio),
      target: "1.00",
      verdict: zipf.upstreamCalls <= zipf.distinctKeysRequested && !zipf.truncated ? "pass" : "fail",
    });
  }

  const stale = figures["stale-window"];
  if (stale) {
    const worst = Math.max(...stale.refreshesPerKey);
    out.push({
      scenario: `stale window (FRESH_TTL_SECONDS=${stale.freshTtlSeconds}, ${stale.requests} requests over ${stale.windowSeconds} s)`,
      figure: `background refreshes per key (${stale.refreshesPerKey.join(", ")})`,
      value: worst,
      shown: stale.refreshesPerKey.every((n) => n === worst) ? String(worst) : `up to ${worst}`,
      target: "1",
      verdict: stale.refreshesPerKey.every((n) => n === 1) ? "pass" : "fail",
    });
  }

  const down = figures["upstream-down"];
  if (down) {
    const ok = down.statuses[200] ?? 0;
    const share = down.requests > 0 ? ok / down.requests : 0;
    out.push({
      scenario: `upstream down (503), warm cache (${down.keys} keys)`,
      figure: `share of requests answered 200 (${ok} / ${down.requests}; ${down.upstreamCalls} upstream calls)`,
      value: share,
      shown: percent(share),
      target: "100 %",
      verdict: down.requests > 0 && ok === down.requests ? "pass" : "fail",
    });
  }

  const bundle = figures.bundle;
  if (bundle?.ours) {
    const comparison = bundle["hono-cache"] ? `; naive + hono/cache: ${kib(bundle["hono-cache"].gzipBytes)}` : "";
    out.push({
      scenario: "bundle",
      figure: `wrangler deploy --dry-run --minify, gzipped (${kib(bundle.ours.rawBytes)} minified${comparison})`,
      value: bundle.ours.gzipBytes,
      shown: kib(bundle.ours.gzipBytes),
      target: `<= ${BUNDLE_BUDGET_KIB} KiB`,
      verdict: bundle.ours.gzipBytes <= BUNDLE_BUDGET_KIB * 1024 ? "pass" : "fail",
    });
  }

  const memory = figures.memory;
  if (memory) {
    if (memory.hooked) {
      const bound = memory.maxEntries === null ? "" : ` of max ${memory.maxEntries}`;
      const bounded =
        (memory.maxEntries === null || memory.entries <= memory.maxEntries) &&
        (memory.maxBytes === null || memory.bytes <= memory.maxBytes);
      out.push({
        scenario: "memory (tier 0 after Zipf)",
        figure: `entries${bound}, approximate bytes`,
        value: memory.bytes,
        shown: `${memory.entries} entries, ${kib(memory.bytes)}`,
        target: "bounded, reported",
        verdict: bounded ? "pass" : "fail",
      });
    } else {
      const estimate =
        memory.unboundedEstimateBytes === null
          ? "n/a"
          : `unbounded would hold ${memory.distinctKeys} entries ≈ ${kib(memory.unboundedEstimateBytes)}`;
      out.push({
        scenario: "memory (tier 0 after Zipf)",
        figure: "entries, approximate bytes (pending hook: GET /__bench/memory)",
        value: null,
        shown: estimate,
        target: "bounded, reported",
        verdict: "pending",
      });
    }
  }

  const spread = figures["multi-location"];
  if (spread) {
    const perKey = spread.upstreamCalls / spread.distinctKeys;
    out.push({
      scenario: `multi-location (${spread.locations} locations)`,
      figure: `KeyAPI calls ÷ distinct keys, Zipf mix of ${spread.requests} requests (${spread.upstreamCalls} / ${spread.distinctKeys})`,
      value: perKey,
      shown: fixed(perKey),
      target: "= 1.00",
      verdict: spread.upstreamCalls === spread.distinctKeys ? "pass" : "fail",
    });
    const hop = spread.coordinatorMs - spread.memoryHitMs;
    out.push({
      scenario: `multi-location (${spread.locations} locations)`,
      figure: `coordinator hop: a key only the coordinator holds vs a tier-0 hit (${fixed(spread.coordinatorMs, 1)} ms vs ${fixed(spread.memoryHitMs, 1)} ms; cold miss ${fixed(spread.coldMissMs, 1)} ms)`,
      value: hop,
      shown: `+${fixed(hop, 1)} ms`,
      target: "reported",
      verdict: "reported",
    });
  }
  return out;
}

/** The paired hits that were measured, each with the name of its rows. */
function pairedHits(figures: Figures): [string, PairedHitFigures][] {
  const chartCard = figures["chart-card-hit"];
  const pairs: [string, PairedHitFigures | undefined][] = [
    ["card hit", figures["card-hit"]],
    ["chart hit", figures["chart-hit"]],
    ["chart card hit", chartCard?.available ? chartCard : undefined],
  ];
  return pairs.filter((pair): pair is [string, PairedHitFigures] => pair[1] !== undefined);
}

/** `subject` hits against `base` hits: the throughput target and the tails and bodies, reported. */
function pairedRows(scenario: string, { subject, base, shared }: PairedHitFigures): Row[] {
  const throughput = subject.median.reqPerSec / base.median.reqPerSec;
  const tail = subject.median.p99Ms / base.median.p99Ms;
  return [
    {
      scenario,
      figure: `${subject.name} hit req/s ÷ ${base.name} hit req/s, ${shared} (${fixed(subject.median.reqPerSec, 0)} / ${fixed(base.median.reqPerSec, 0)})`,
      value: throughput,
      shown: fixed(throughput),
      target: ">= 0.90",
      verdict: throughput >= 0.9 ? "pass" : "fail",
    },
    {
      scenario,
      figure: `${subject.name} hit p99 ÷ ${base.name} hit p99 (${subject.median.p99Ms} ms / ${base.median.p99Ms} ms; bodies ${subject.bodyBytes} / ${base.bodyBytes} bytes)`,
      value: tail,
      shown: fixed(tail),
      target: "reported",
      verdict: "reported",
    },
  ];
}

/** A warning per measured load where some answers were not 200 or the connection failed. */
function notAll200(label: string, results: readonly Measurement[]): string[] {
  return results.flatMap((result) => {
    const failed = result.requests - (result.statuses[200] ?? 0);
    return failed > 0 || result.errors > 0
      ? [`${label}: ${failed} answers were not 200 (${JSON.stringify(result.statuses)}), ${result.errors} errors`]
      : [];
  });
}

/** The sanity checks a reader would otherwise have to do by hand. */
export function warnings(figures: Figures, machine: BenchReport["machine"]): string[] {
  const out: string[] = [];
  // Only the load before the run: during it, the load average counts the bench itself.
  if (machine.loadAverage.before > machine.nproc / 2) {
    out.push(
      `the machine was busy before the run (1-min load average ${machine.loadAverage.before.toFixed(1)} on ${machine.nproc} cores): speed figures are noisy; re-run on a quiet machine`,
    );
  }
  const hit = figures["warm-hit"];
  if (hit) {
    const drift = Math.abs(hit.oursBodyBytes - hit.floorBodyBytes) / hit.floorBodyBytes;
    if (drift > 0.05) {
      out.push(
        `ours answers ${hit.oursBodyBytes} bytes for the hit key but the floors send ${hit.floorBodyBytes}: update test/fixtures/example-payload.json`,
      );
    }
    for (const [id, results] of Object.entries(hit.rounds)) out.push(...notAll200(`warm hit ${id}`, results));
  }
  for (const [scenario, { base, subject }] of pairedHits(figures)) {
    for (const side of [base, subject]) out.push(...notAll200(`${scenario} ${side.name}`, side.rounds));
  }
  const paging = figures["chart-paging"];
  if (paging) out.push(...notAll200("chart paging", [paging]));
  const stray = paging
    ? [...paging.unexpectedPages, ...paging.missingPages.map((page) => `${page} (never asked)`)]
    : [];
  if (stray.length > 0) {
    out.push(`chart paging: upstream pages other than the expected ones: ${stray.slice(0, 10).join(", ")}`);
  }
  return out;
}

const VERDICT_MARK: Record<Verdict, string> = { pass: "pass", fail: "**FAIL**", reported: "—", pending: "pending" };

export function markdown(report: BenchReport): string {
  const cell = (text: string) => text.replaceAll("|", "\\|");
  const lines = [
    "| scenario | figure | value | target | result |",
    "|---|---|---|---|---|",
    ...report.rows.map(
      (row) =>
        `| ${cell(row.scenario)} | ${cell(row.figure)} | ${cell(row.shown)} | ${cell(row.target)} | ${VERDICT_MARK[row.verdict]} |`,
    ),
  ];
  const { machine: m } = report;
  lines.push(
    "",
    `${report.mode} run${report.scenarios.length < SCENARIOS.length ? ` (${report.scenarios.join(", ")})` : ""}, ${report.runSeconds.toFixed(0)} s, ${report.startedAt}; upstream latency ${report.settings.upstreamLatencyMs} ms; ` +
      `${m.nproc} cores, ${m.cpuModel}, Node ${m.node}, wrangler ${m.wrangler}, ${m.os}; ` +
      `load average ${m.loadAverage.before.toFixed(1)} before, ${m.loadAverage.after.toFixed(1)} after.`,
  );
  for (const warning of report.warnings) lines.push(`Warning: ${warning}`);
  return lines.join("\n");
}
