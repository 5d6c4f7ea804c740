/**
 * `npm run bench`: the production worker and its baselines in workerd, against
 * the mock KeyAPI, under bounded loopback load. Prints the table and
 * writes the same figures as JSON. See bench/README.md.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { startMockServer } from "../mock/server.ts";
import { chartCardHit, chartHit, chartPaging } from "./lib/charts.ts";
import { ClientAddresses } from "./lib/load.ts";
import { multiLocation } from "./lib/multi-location.ts";
import { type BenchOptions, parseOptions, type ScenarioName, USAGE } from "./lib/options.ts";
import { type BenchReport, type Figures, machine, markdown, rows, settings, warnings } from "./lib/report.ts";
import {
  bundle,
  cardHit,
  coldBurst,
  memory,
  SCENARIO_WORKERS,
  type ScenarioContext,
  staleWindow,
  upstreamDown,
  type WorkerId,
  warmHit,
  workerSpecs,
  zipf,
} from "./lib/scenarios.ts";
import { ROOT_DIR, WorkerFleet, WRANGLER_CONFIG_DIR } from "./lib/workers.ts";

/** Names of the bindings a wrangler config declares (`binding = "X"` / `name = "X"` in upper case). */
function bindingNames(configPath: string): Set<string> {
  const text = readFileSync(configPath, "utf8");
  return new Set(
    [...text.matchAll(/^\s*(?:binding|name)\s*=\s*"([A-Z][A-Z0-9_]*)"/gm)].map((match) => match[1] as string),
  );
}

/** ours.toml is a copy of the production settings; say so when production has moved on. */
function configDrift(): string[] {
  const production = bindingNames(join(ROOT_DIR, "wrangler.toml"));
  const ours = bindingNames(join(WRANGLER_CONFIG_DIR, "ours.toml"));
  const missing = [...production].filter((name) => !ours.has(name));
  const warnings = missing.map(
    (name) =>
      `wrangler.toml declares binding ${name} that bench/wrangler/ours.toml lacks: ours is not measured as shipped`,
  );
  const hasAssets = (path: string) => /^\[assets\]/m.test(readFileSync(path, "utf8"));
  if (hasAssets(join(ROOT_DIR, "wrangler.toml")) && !hasAssets(join(WRANGLER_CONFIG_DIR, "ours.toml"))) {
    warnings.push("wrangler.toml has [assets]: mirror it (and run_worker_first) in bench/wrangler/ours.toml");
  }
  return warnings;
}

export async function runBench(options: BenchOptions, progress: (message: string) => void): Promise<BenchReport> {
  const started = Date.now();
  const loadBefore = loadavg()[0] ?? 0;
  const selected = new Set<ScenarioName>(options.scenarios);
  // Tier 0 is measured after the Zipf run.
  if (selected.has("memory")) selected.add("zipf");

  const tmpDir = mkdtempSync(join(tmpdir(), "tiktok-sound-bench-"));
  const mock = await startMockServer({ latencyMs: options.latencyMs });
  const problems: string[] = [];
  const fleet = new WorkerFleet({
    tmpDir,
    mockUrl: mock.url,
    onUnexpectedExit: (id, logFile, code, signal) => {
      const message = `worker ${id} exited during the run (code ${code}, signal ${signal}); its log: ${logFile}`;
      problems.push(message);
      progress(message);
    },
  });
  const onSignal = () => {
    void fleet.stopAll().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  const figures: Figures = {};
  const failed: { scenario: string; error: string }[] = [];
  try {
    progress(`mock KeyAPI on ${mock.url}, latency ${options.latencyMs} ms; temporary files in ${tmpDir}`);
    const specs = workerSpecs(options);
    const needed = new Set<WorkerId>([...selected].flatMap((name) => SCENARIO_WORKERS[name]));
    if (selected.has("warm-hit")) for (const variant of options.featureVariants) needed.add(variant);
    const bundling = selected.has("bundle")
      ? bundle({ options, mock, workers: new Map(), clients: new ClientAddresses(), progress }, tmpDir)
      : undefined;
    progress(`starting ${needed.size} workers under wrangler dev: ${[...needed].join(", ")}`);
    const workers = await fleet.startAll([...needed].map((id) => specs[id]));
    const context: ScenarioContext = { options, mock, workers, clients: new ClientAddresses(), progress };
    if (bundling) figures.bundle = await bundling;
    progress(`workers serving after ${((Date.now() - started) / 1000).toFixed(1)} s`);

    // One failing scenario must not cost the figures of the others.
    const attempt = async <T>(name: ScenarioName, run: () => Promise<T>): Promise<T | undefined> => {
      if (!selected.has(name)) return undefined;
      try {
        return await run();
      } catch (error) {
        failed.push({ scenario: name, error: error instanceof Error ? error.message : String(error) });
        progress(`${name} failed: ${error instanceof Error ? error.message : error}`);
        return undefined;
      }
    };
    figures["warm-hit"] = await attempt("warm-hit", () => warmHit(context));
    figures["card-hit"] = await attempt("card-hit", () => cardHit(context));
    figures["chart-hit"] = await attempt("chart-hit", () => chartHit(context));
    figures["chart-card-hit"] = await attempt("chart-card-hit", () => chartCardHit(context));
    figures["chart-paging"] = await attempt("chart-paging", () => chartPaging(context));
    figures["cold-burst"] = await attempt("cold-burst", () => coldBurst(context));
    figures.zipf = await attempt("zipf", () => zipf(context));
    figures.memory = await attempt("memory", () => memory(context, figures.zipf));
    figures["stale-window"] = await attempt("stale-window", () => staleWindow(context));
    figures["upstream-down"] = await attempt("upstream-down", () => upstreamDown(context));
    figures["multi-location"] = await attempt("multi-location", () => multiLocation(context));
  } catch (error) {
    failed.push({ scenario: "harness", error: error instanceof Error ? error.message : String(error) });
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await fleet.stopAll();
    await mock.close();
    // Logs and state stay for inspection when something went wrong.
    if (options.keep || failed.length > 0) problems.push(`temporary files kept in ${tmpDir}`);
    else rmSync(tmpDir, { recursive: true, force: true });
  }

  const host = machine(loadBefore);
  return {
    schema: 1,
    startedAt: new Date(started).toISOString(),
    runSeconds: (Date.now() - started) / 1000,
    mode: options.mode,
    scenarios: [...selected],
    machine: host,
    settings: settings(options),
    rows: [
      ...rows(figures),
      ...failed.map(({ scenario, error }) => ({
        scenario,
        figure: "did not complete",
        value: null,
        shown: `error: ${error.split("\n")[0]?.slice(0, 200)}`,
        target: "runs",
        verdict: "fail" as const,
      })),
    ],
    figures,
    failed,
    warnings: [...problems, ...configDrift(), ...warnings(figures, host)],
  };
}

if (import.meta.main) {
  let options: ReturnType<typeof parseOptions>;
  try {
    options = parseOptions(process.argv.slice(2), process.env);
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : error}\n\n${USAGE}`);
    process.exit(2);
  }
  if (options === "help") {
    console.log(USAGE);
    process.exit(0);
  }
  // Whatever happens, the run stops by itself: a watchdog well past the expected run time.
  const watchdogSeconds = options.mode === "smoke" ? 240 : 900;
  const watchdog = setTimeout(() => {
    console.error(`[bench] still running after ${watchdogSeconds} s: giving up`);
    process.exit(1); // the fleet's exit hook kills every wrangler process group
  }, watchdogSeconds * 1000);
  const report = await runBench(options, (message) => console.error(`[bench] ${message}`));
  clearTimeout(watchdog);
  const out = resolve(ROOT_DIR, options.out);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(markdown(report));
  console.error(`[bench] figures written to ${out}`);
  if (report.failed.length > 0) process.exit(1);
  if (options.strict && report.rows.some((row) => row.verdict === "fail")) process.exit(1);
}
