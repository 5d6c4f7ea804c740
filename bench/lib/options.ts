/**
 * What a run does: the scenarios, their sizes and the upstream latency, from
 * command-line flags and environment variables. A smoke run takes the same
 * code paths with tiny counts, so it finishes in seconds.
 */
import { parseArgs } from "node:util";

export const SCENARIOS = [
  "warm-hit",
  "card-hit",
  "chart-hit",
  "chart-card-hit",
  "chart-paging",
  "cold-burst",
  "zipf",
  "stale-window",
  "upstream-down",
  "bundle",
  "memory",
  "multi-location",
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export type Sizes = {
  /** Concurrent connections for the load scenarios (the 50). */
  connections: number;
  /** Unmeasured load before each measured warm-hit run (JIT, sockets, caches). */
  warmupSeconds: number;
  /** Measured seconds per target and round: ours, platform floor, floor. */
  hitSeconds: number;
  /** Rounds of ours / platform floor / floor, interleaved; the median is reported. */
  hitRounds: number;
  /**
   * Rounds of each paired hit (card ÷ JSON, chart ÷ detail, chart card ÷ chart), interleaved: more, shorter rounds
   * than the warm hit, since the ratio is of two close figures.
   */
  pairRounds: number;
  /** Measured seconds per path and round of a paired hit. */
  pairSeconds: number;
  /** Measured seconds for each feature variant and for naive / hono-cache. */
  featureSeconds: number;
  /** Simultaneous requests for one uncached key. */
  burst: number;
  zipfRequests: number;
  zipfKeys: number;
  zipfExponent: number;
  /** Hard stop for the Zipf run, whatever it has done by then (reported as truncated). */
  zipfMaxSeconds: number;
  /** Chart windows (random page and limit) in the paging mix, and the charts they are spread over. */
  chartPagingRequests: number;
  chartPagingCharts: number;
  /** FRESH_TTL_SECONDS of the worker that crosses the fresh→stale boundary. */
  freshTtlSeconds: number;
  /** How long past the end of freshness the stale window keeps asking. */
  staleOverrunSeconds: number;
  staleKeys: number;
  staleTickMs: number;
  downKeys: number;
  downRequests: number;
  /** Locations (workers in one Miniflare) of the multi-location scenario. */
  locations: number;
  locationRequests: number;
  locationKeys: number;
  /** Keys timed one by one for the coordinator hop. */
  hopKeys: number;
};

export type BenchOptions = {
  mode: "full" | "smoke";
  scenarios: ReadonlySet<ScenarioName>;
  /** All scenarios, or a selection with --only. */
  partial: boolean;
  latencyMs: number;
  sizes: Sizes;
  out: string;
  /** Exit 1 when a target is missed (the default only fails on harness errors). */
  strict: boolean;
  /** Keep the temporary directory (wrangler logs, persisted state) for inspection. */
  keep: boolean;
  /** Platform-floor variants to price features with; none in a smoke run (each is a process to start). */
  featureVariants: readonly FeatureVariant[];
};

export type FeatureVariant = "pf-no-ratelimit" | "pf-no-log" | "pf-observability" | "pf-no-assets" | "pf-request-log";
const ALL_VARIANTS: readonly FeatureVariant[] = [
  "pf-no-ratelimit",
  "pf-no-log",
  "pf-observability",
  "pf-no-assets",
  "pf-request-log",
];

const FULL: Sizes = {
  connections: 50,
  warmupSeconds: 1,
  hitSeconds: 5,
  hitRounds: 2,
  pairRounds: 6,
  pairSeconds: 3,
  featureSeconds: 3,
  burst: 200,
  zipfRequests: 10_000,
  zipfKeys: 1_000,
  zipfExponent: 1.1,
  zipfMaxSeconds: 90,
  chartPagingRequests: 1_000,
  chartPagingCharts: 20,
  freshTtlSeconds: 5,
  staleOverrunSeconds: 2,
  staleKeys: 5,
  staleTickMs: 100,
  downKeys: 20,
  downRequests: 1_000,
  locations: 6,
  locationRequests: 1_200,
  locationKeys: 120,
  hopKeys: 30,
};

const SMOKE: Sizes = {
  connections: 10,
  warmupSeconds: 0,
  hitSeconds: 1,
  hitRounds: 1,
  pairRounds: 1,
  pairSeconds: 1,
  featureSeconds: 1,
  burst: 20,
  zipfRequests: 200,
  zipfKeys: 50,
  zipfExponent: 1.1,
  zipfMaxSeconds: 20,
  chartPagingRequests: 100,
  chartPagingCharts: 4,
  freshTtlSeconds: 2,
  staleOverrunSeconds: 1,
  staleKeys: 2,
  staleTickMs: 200,
  downKeys: 4,
  downRequests: 40,
  locations: 3,
  locationRequests: 60,
  locationKeys: 15,
  hopKeys: 3,
};

export const DEFAULT_LATENCY_MS = { full: 150, smoke: 50 } as const;

export const USAGE = `npm run bench -- [options]

  --only <names>      comma-separated scenarios: ${SCENARIOS.join(", ")}
  --smoke             seconds-long run with tiny counts (what the test suite runs)
  --latency <ms>      mock KeyAPI latency (env BENCH_UPSTREAM_LATENCY_MS; default ${DEFAULT_LATENCY_MS.full}, smoke ${DEFAULT_LATENCY_MS.smoke})
  --duration <s>      measured seconds per warm-hit run (default ${FULL.hitSeconds})
  --fresh-ttl <s>     FRESH_TTL_SECONDS for the stale-window worker (default ${FULL.freshTtlSeconds})
  --out <file>        where the JSON goes (default bench/results/latest.json; partial and smoke runs: bench/results/*.tmp)
  --strict            exit 1 when a target is missed
  --keep              keep the temporary directory (wrangler logs, local state)
`;

function positiveNumber(name: string, value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0) throw new Error(`${name} must be a non-negative number, got "${value}"`);
  return number;
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions | "help" {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: "string" },
      smoke: { type: "boolean", default: false },
      latency: { type: "string" },
      duration: { type: "string" },
      "fresh-ttl": { type: "string" },
      out: { type: "string" },
      strict: { type: "boolean", default: false },
      keep: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) return "help";

  const mode = values.smoke ? "smoke" : "full";
  const sizes = { ...(mode === "smoke" ? SMOKE : FULL) };
  if (values.duration !== undefined) sizes.hitSeconds = positiveNumber("--duration", values.duration);
  if (values["fresh-ttl"] !== undefined) sizes.freshTtlSeconds = positiveNumber("--fresh-ttl", values["fresh-ttl"]);

  let scenarios: Set<ScenarioName> = new Set(SCENARIOS);
  if (values.only !== undefined) {
    scenarios = new Set();
    for (const name of values.only.split(",").map((part) => part.trim())) {
      if (!(SCENARIOS as readonly string[]).includes(name)) {
        throw new Error(`unknown scenario "${name}"; known: ${SCENARIOS.join(", ")}`);
      }
      scenarios.add(name as ScenarioName);
    }
  }
  const partial = scenarios.size < SCENARIOS.length;

  const latency = values.latency ?? env.BENCH_UPSTREAM_LATENCY_MS;
  const latencyMs = latency === undefined ? DEFAULT_LATENCY_MS[mode] : positiveNumber("--latency", latency);

  const defaultOut =
    mode === "smoke"
      ? "bench/results/smoke.json.tmp"
      : partial
        ? "bench/results/partial.json.tmp"
        : "bench/results/latest.json";
  return {
    mode,
    scenarios,
    partial,
    latencyMs,
    sizes,
    out: values.out ?? defaultOut,
    strict: values.strict,
    keep: values.keep,
    // Each variant is one more wrangler dev process to start (~3 s of CPU on 2 cores).
    featureVariants: mode === "smoke" ? [] : ALL_VARIANTS,
  };
}
