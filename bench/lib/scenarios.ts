/**
 * The scenarios of issue 6. Each one runs against workers already serving,
 * counts upstream calls at the mock KeyAPI, and returns raw figures; ratios and
 * pass/fail are computed from them in report.ts.
 */
import { execFile } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { EXAMPLE_CLIP_ID } from "../../mock/keyapi.ts";
import type { RunningMock } from "../../mock/server.ts";
import { type ClientAddresses, cardPath, type LoadResult, runLoad, soundPath, zipfRanks } from "./load.ts";
import type { BenchOptions, ScenarioName } from "./options.ts";
import {
  type Answer,
  httpGet,
  ROOT_DIR,
  type RunningWorker,
  type WorkerSpec,
  WRANGLER_BIN,
  WRANGLER_CONFIG_DIR,
} from "./workers.ts";

/** Clip id prefixes, one per scenario, so no scenario warms another's keys. */
const KEY_PREFIX = { coldBurst: "9100", zipf: "9200", stale: "9300", down: "9400" } as const;
const clipId = (prefix: string, n: number) => `${prefix}${String(n).padStart(12, "0")}`;

export const HIT_PATH = soundPath(EXAMPLE_CLIP_ID);
/** The card for the same key: drawn from the same cached answer. */
export const CARD_HIT_PATH = cardPath(EXAMPLE_CLIP_ID);

export type WorkerId =
  | "ours"
  | "ours-stale"
  | "floor"
  | "platform-floor"
  | "pf-no-ratelimit"
  | "pf-no-log"
  | "pf-observability"
  | "pf-no-assets"
  | "pf-request-log"
  | "naive"
  | "hono-cache";

/** Every worker a scenario may need; the runner starts only those the selected scenarios use. */
export function workerSpecs(options: BenchOptions): Record<WorkerId, WorkerSpec> {
  return {
    ours: { id: "ours", config: "ours.toml" },
    "ours-stale": {
      id: "ours-stale",
      config: "ours.toml",
      vars: { FRESH_TTL_SECONDS: String(options.sizes.freshTtlSeconds) },
    },
    floor: { id: "floor", config: "floor.toml" },
    "platform-floor": { id: "platform-floor", config: "platform-floor.toml" },
    "pf-no-ratelimit": { id: "pf-no-ratelimit", config: "platform-floor.no-ratelimit.toml" },
    "pf-no-log": { id: "pf-no-log", config: "platform-floor.toml", vars: { LOG_LINE: "off" } },
    "pf-observability": {
      id: "pf-observability",
      config: "platform-floor.toml",
      env: { X_LOCAL_OBSERVABILITY: "true" },
    },
    "pf-no-assets": { id: "pf-no-assets", config: "platform-floor.no-assets.toml" },
    "pf-request-log": { id: "pf-request-log", config: "platform-floor.toml", logLevel: "log" },
    naive: { id: "naive", config: "naive.toml" },
    "hono-cache": { id: "hono-cache", config: "hono-cache.toml" },
  };
}

/** The workers each scenario needs (warm hit also needs the feature variants the mode selects). */
export const SCENARIO_WORKERS = {
  "warm-hit": ["ours", "floor", "platform-floor", "naive", "hono-cache"],
  "card-hit": ["ours"],
  "chart-hit": ["ours"],
  "chart-card-hit": ["ours"],
  "chart-paging": ["ours"],
  "cold-burst": ["ours", "naive", "hono-cache"],
  zipf: ["ours"],
  "stale-window": ["ours-stale"],
  "upstream-down": ["ours"],
  bundle: [],
  memory: ["ours"],
  // Runs the built bundle in its own Miniflare, not under wrangler dev.
  "multi-location": [],
} as const satisfies Record<ScenarioName, readonly WorkerId[]>;

export type ScenarioContext = {
  options: BenchOptions;
  mock: RunningMock;
  workers: Map<string, RunningWorker>;
  clients: ClientAddresses;
  progress: (message: string) => void;
};

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

export function worker(context: ScenarioContext, id: string): RunningWorker {
  const running = context.workers.get(id);
  if (!running) throw new Error(`worker ${id} is not running`);
  return running;
}

/** Background work (`ctx.waitUntil` writes, refreshes) gets this long to land before calls are counted. */
function settleMs(context: ScenarioContext) {
  return context.options.latencyMs + 500;
}

/**
 * Zeroes the mock's counters once the upstream has been quiet for a while:
 * requests still queued in a worker when the previous load stopped must not be
 * counted against the next scenario.
 */
async function resetUpstreamCounts(context: ScenarioContext) {
  const quietMs = Math.min(context.options.latencyMs + 150, 1_000);
  const deadline = Date.now() + 10_000;
  let calls = context.mock.mock.stats.calls;
  let quietSince = Date.now();
  while (Date.now() - quietSince < quietMs && Date.now() < deadline) {
    await sleep(50);
    if (context.mock.mock.stats.calls !== calls) {
      calls = context.mock.mock.stats.calls;
      quietSince = Date.now();
    }
  }
  context.mock.mock.reset();
}

export type Got = { status: number; cache: string | null; body: string; headers: Answer["headers"] };

export async function get(context: ScenarioContext, url: string): Promise<Got> {
  const answer = await httpGet(url, { "CF-Connecting-IP": context.clients.next() });
  const cache = answer.headers["x-cache"];
  return { ...answer, cache: typeof cache === "string" ? cache : null };
}

export type Measurement = Omit<LoadResult, "answeredPaths"> & { upstreamCalls: number };

export function measurement(result: LoadResult, upstreamCalls: number): Measurement {
  const { answeredPaths: _answered, ...rest } = result;
  return { ...rest, upstreamCalls };
}

async function hitLoad(context: ScenarioContext, id: string, seconds: number, path = HIT_PATH): Promise<Measurement> {
  const { sizes } = context.options;
  const url = worker(context, id).url;
  const plan = { url, connections: sizes.connections, nextPath: () => path, clients: context.clients };
  if (sizes.warmupSeconds > 0) await runLoad({ ...plan, seconds: sizes.warmupSeconds, maxSeconds: 30 });
  await resetUpstreamCounts(context);
  const result = await runLoad({ ...plan, seconds, maxSeconds: seconds + 30 });
  return measurement(result, context.mock.mock.stats.calls);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** Each measured figure's median over rounds (the rest from the first round). */
function medianOf(results: Measurement[]): Measurement & { rounds: number } {
  return {
    ...(results[0] as Measurement),
    rounds: results.length,
    requests: median(results.map((r) => r.requests)),
    seconds: median(results.map((r) => r.seconds)),
    reqPerSec: median(results.map((r) => r.reqPerSec)),
    p50Ms: median(results.map((r) => r.p50Ms)),
    p99Ms: median(results.map((r) => r.p99Ms)),
    upstreamCalls: median(results.map((r) => r.upstreamCalls)),
  };
}

export type WarmHitFigures = {
  /** Median over rounds of each measured figure, per target. */
  targets: Record<string, Measurement & { rounds: number }>;
  rounds: Record<string, Measurement[]>;
  /** Size of ours' body for the hit key vs the floors' static body: the floors are only fair if these match. */
  oursBodyBytes: number;
  floorBodyBytes: number;
};

/**
 * Warm hit at `connections`: ours, the platform floor and the bare floor in
 * interleaved rounds (the median is kept), then each platform feature switched
 * off or on in its own variant, then the naive proxy and hono/cache for reference.
 */
export async function warmHit(context: ScenarioContext): Promise<WarmHitFigures> {
  const { sizes } = context.options;
  // Prime ours' caches with one miss and let the writes land.
  const primed = await get(context, `${worker(context, "ours").url}${HIT_PATH}`);
  if (primed.status !== 200)
    throw new Error(`warm-hit: priming ours answered ${primed.status}: ${primed.body.slice(0, 300)}`);
  await get(context, `${worker(context, "hono-cache").url}${HIT_PATH}`);
  const floorBody = await get(context, `${worker(context, "floor").url}${HIT_PATH}`);
  await sleep(settleMs(context));

  const rounds: Record<string, Measurement[]> = {};
  const record = (id: string, result: Measurement) => {
    rounds[id] ??= [];
    rounds[id].push(result);
  };
  const main = ["ours", "platform-floor", "floor"];
  for (let round = 0; round < sizes.hitRounds; round++) {
    // Rotate the order so no target always runs first (or last) on a warm CPU.
    const order = main.map((_, i) => main[(i + round) % main.length] as string);
    for (const id of order) {
      context.progress(`warm-hit round ${round + 1}/${sizes.hitRounds}: ${id}`);
      record(id, await hitLoad(context, id, sizes.hitSeconds));
    }
  }
  for (const id of [...context.options.featureVariants, "hono-cache", "naive"]) {
    context.progress(`warm-hit: ${id}`);
    record(id, await hitLoad(context, id, sizes.featureSeconds));
  }

  const targets: WarmHitFigures["targets"] = {};
  for (const [id, results] of Object.entries(rounds)) if (results.length > 0) targets[id] = medianOf(results);
  return {
    targets,
    rounds,
    oursBodyBytes: Buffer.byteLength(primed.body),
    floorBodyBytes: Buffer.byteLength(floorBody.body),
  };
}

/** One side of a paired hit: a path of ours, primed, then loaded in rounds. */
export type HitSide = {
  /** What is asked, as the table names it (`card`, `JSON`, `chart`, …). */
  name: string;
  path: string;
  /** Size of the primed answer's body. */
  bodyBytes: number;
  /** Each measured figure's median over rounds. */
  median: Measurement & { rounds: number };
  rounds: Measurement[];
};

/** Hits on `subject` against hits on `base`, same warm state: the target is subject req/s ÷ base req/s. */
export type PairedHitFigures = {
  subject: HitSide;
  base: HitSide;
  /** What the two share, for the table: `same key`, `same warm chart`. */
  shared: string;
};

type Role = "base" | "subject";

export type PairedHit = {
  scenario: ScenarioName;
  subject: { name: string; path: string };
  base: { name: string; path: string };
  shared: string;
};

/** Primes one path of ours: a miss, then every tier holds it. A card drawn as an error is not a hit to measure. */
export async function prime(context: ScenarioContext, scenario: string, path: string): Promise<Got> {
  const answer = await get(context, `${worker(context, "ours").url}${path}`);
  const cardStatus = answer.headers["x-card-status"];
  if (answer.status !== 200 || (cardStatus !== undefined && cardStatus !== "200")) {
    const drawn = cardStatus === undefined ? "" : ` (X-Card-Status ${cardStatus})`;
    throw new Error(`${scenario}: priming ${path} answered ${answer.status}${drawn}: ${answer.body.slice(0, 300)}`);
  }
  return answer;
}

/**
 * Warm hits on two paths of ours, same warm state and load, in interleaved
 * rounds (order swapped each round, median kept): what serving one costs over
 * serving the other, e.g. the card drawn from the cached answer over its JSON.
 */
export async function pairedHit(context: ScenarioContext, pair: PairedHit): Promise<PairedHitFigures> {
  const { sizes } = context.options;
  const primed = {
    base: await prime(context, pair.scenario, pair.base.path),
    subject: await prime(context, pair.scenario, pair.subject.path),
  };
  await sleep(settleMs(context));

  const measured: Record<Role, Measurement[]> = { base: [], subject: [] };
  for (let round = 0; round < sizes.pairRounds; round++) {
    // Swapped each round, so neither side always runs first (or last) on a warm CPU.
    const order = round % 2 === 0 ? (["base", "subject"] as const) : (["subject", "base"] as const);
    for (const role of order) {
      context.progress(`${pair.scenario} round ${round + 1}/${sizes.pairRounds}: ${pair[role].name}`);
      measured[role].push(await hitLoad(context, "ours", sizes.pairSeconds, pair[role].path));
    }
  }
  const side = (role: Role): HitSide => ({
    ...pair[role],
    bodyBytes: Buffer.byteLength(primed[role].body),
    median: medianOf(measured[role]),
    rounds: measured[role],
  });
  return { subject: side("subject"), base: side("base"), shared: pair.shared };
}

/** Card hits against JSON hits, same key: drawing the card from the cached answer (and its kept rendering). */
export const cardHit = (context: ScenarioContext) =>
  pairedHit(context, {
    scenario: "card-hit",
    subject: { name: "card", path: CARD_HIT_PATH },
    base: { name: "JSON", path: HIT_PATH },
    shared: "same key",
  });

export type ColdBurstFigures = { burst: number; targets: Record<string, Measurement & { bodiesIdentical: boolean }> };

/** `burst` simultaneous requests for one key nobody asked for yet: how many reach the upstream? */
export async function coldBurst(context: ScenarioContext): Promise<ColdBurstFigures> {
  const { burst } = context.options.sizes;
  const targets: ColdBurstFigures["targets"] = {};
  for (const id of ["ours", "naive", "hono-cache"]) {
    context.progress(`cold-burst: ${id}`);
    await resetUpstreamCounts(context);
    const path = soundPath(clipId(KEY_PREFIX.coldBurst, 1));
    const result = await runLoad({
      url: worker(context, id).url,
      connections: burst,
      requests: burst,
      nextPath: () => path,
      clients: context.clients,
      maxSeconds: 60,
    });
    await sleep(settleMs(context));
    targets[id] = {
      ...measurement(result, context.mock.mock.stats.calls),
      // Bodies differ only if different upstream answers were served (fetched_at).
      bodiesIdentical: result.answeredPaths.size === 1 && (result.statuses[200] ?? 0) === burst,
    };
  }
  return { burst, targets };
}

/**
 * Each of `paths` once, in order, to ours at `connections`, counting upstream
 * calls from zero; background work has landed when it returns.
 */
export async function sendPaths(
  context: ScenarioContext,
  paths: readonly string[],
  maxSeconds: number,
): Promise<LoadResult> {
  let next = 0;
  await resetUpstreamCounts(context);
  const result = await runLoad({
    url: worker(context, "ours").url,
    connections: context.options.sizes.connections,
    requests: paths.length,
    nextPath: () => paths[next++] as string,
    clients: context.clients,
    maxSeconds,
  });
  await sleep(settleMs(context));
  return result;
}

export type ZipfFigures = Measurement & {
  requested: number;
  keys: number;
  exponent: number;
  distinctKeysRequested: number;
  /** Answered requests per distinct key, for the memory estimate. */
  meanBodyBytes: number;
};

/** Zipf(s)-distributed keys at `connections`: each distinct key should cost one upstream call. */
export async function zipf(context: ScenarioContext): Promise<ZipfFigures> {
  const { sizes } = context.options;
  const ranks = zipfRanks(sizes.zipfRequests, sizes.zipfKeys, sizes.zipfExponent);
  const paths = ranks.map((rank) => soundPath(clipId(KEY_PREFIX.zipf, rank)));
  context.progress(`zipf: ${sizes.zipfRequests} requests over ${sizes.zipfKeys} keys`);
  const result = await sendPaths(context, paths, sizes.zipfMaxSeconds);
  return {
    ...measurement(result, context.mock.mock.stats.calls),
    requested: sizes.zipfRequests,
    keys: sizes.zipfKeys,
    exponent: sizes.zipfExponent,
    distinctKeysRequested: result.answeredPaths.size,
  };
}

export type StaleWindowFigures = {
  freshTtlSeconds: number;
  windowSeconds: number;
  requests: number;
  statuses: Record<string, number>;
  xCache: Record<string, number>;
  /** Upstream calls per key after the first (cold) one. */
  refreshesPerKey: number[];
};

/**
 * Warms `staleKeys` keys on a worker with a small FRESH_TTL_SECONDS, then keeps
 * asking for them from just after warming until `staleOverrunSeconds` past the
 * end of freshness. Every upstream call after the first one per key is a
 * (background) refresh; the target is exactly one per key.
 */
export async function staleWindow(context: ScenarioContext): Promise<StaleWindowFigures> {
  const { sizes } = context.options;
  const url = worker(context, "ours-stale").url;
  const paths = Array.from({ length: sizes.staleKeys }, (_, i) => soundPath(clipId(KEY_PREFIX.stale, i + 1)));
  await resetUpstreamCounts(context);
  context.progress(`stale-window: FRESH_TTL_SECONDS=${sizes.freshTtlSeconds}, ${sizes.staleKeys} keys`);
  for (const path of paths) {
    const answer = await get(context, `${url}${path}`);
    if (answer.status !== 200) throw new Error(`stale-window: warming answered ${answer.status}`);
  }
  const coldCalls = paths.map((path) => callsFor(context, path));

  const windowSeconds = sizes.freshTtlSeconds + sizes.staleOverrunSeconds;
  const end = Date.now() + windowSeconds * 1000;
  const inFlight: Promise<{ status: number; cache: string | null }>[] = [];
  // A fixed pace, not waiting for answers: the load does not depend on how fast the worker is.
  while (Date.now() < end) {
    for (const path of paths) inFlight.push(get(context, `${url}${path}`));
    await sleep(sizes.staleTickMs);
  }
  const answers = await Promise.all(inFlight);
  await sleep(settleMs(context));

  const statuses: Record<string, number> = {};
  const xCache: Record<string, number> = {};
  for (const answer of answers) {
    statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
    const cache = answer.cache ?? "none";
    xCache[cache] = (xCache[cache] ?? 0) + 1;
  }
  return {
    freshTtlSeconds: sizes.freshTtlSeconds,
    windowSeconds,
    requests: answers.length,
    statuses,
    xCache,
    refreshesPerKey: paths.map((path, i) => callsFor(context, path) - (coldCalls[i] ?? 0)),
  };
}

/** The mock counts per `clip_id:period:region`. */
function callsFor(context: ScenarioContext, path: string): number {
  const query = new URLSearchParams(path.split("?")[1]);
  const key = `${query.get("clip_id")}:${query.get("period")}:${query.get("region")}`;
  return context.mock.mock.stats.byKey[key] ?? 0;
}

export type UpstreamDownFigures = Measurement & { keys: number };

/** Warm `downKeys` keys, make the upstream answer 503 to everything, and count the 200s. */
export async function upstreamDown(context: ScenarioContext): Promise<UpstreamDownFigures> {
  const { sizes } = context.options;
  const url = worker(context, "ours").url;
  const paths = Array.from({ length: sizes.downKeys }, (_, i) => soundPath(clipId(KEY_PREFIX.down, i + 1)));
  context.progress(`upstream-down: warming ${sizes.downKeys} keys`);
  for (const path of paths) {
    const answer = await get(context, `${url}${path}`);
    if (answer.status !== 200) throw new Error(`upstream-down: warming answered ${answer.status}`);
  }
  await resetUpstreamCounts(context);
  context.mock.mock.behave({ mode: "status", status: 503 });
  let next = 0;
  try {
    context.progress(`upstream-down: ${sizes.downRequests} requests while KeyAPI answers 503`);
    const result = await runLoad({
      url,
      connections: sizes.connections,
      requests: sizes.downRequests,
      nextPath: () => paths[next++ % paths.length] as string,
      clients: context.clients,
      maxSeconds: 60,
    });
    return { ...measurement(result, context.mock.mock.stats.calls), keys: sizes.downKeys };
  } finally {
    context.mock.mock.reset();
  }
}

export type BundleFigures = Record<string, { files: string[]; rawBytes: number; gzipBytes: number }>;

/** `wrangler deploy --dry-run --minify` of the production config (and, in a full run, of hono-cache for comparison). */
export async function bundle(context: ScenarioContext, tmpDir: string): Promise<BundleFigures> {
  const run = promisify(execFile);
  const configs: Record<string, string> = { ours: join(ROOT_DIR, "wrangler.toml") };
  if (context.options.mode === "full") configs["hono-cache"] = join(WRANGLER_CONFIG_DIR, "hono-cache.toml");
  const figures: BundleFigures = {};
  for (const [id, config] of Object.entries(configs)) {
    context.progress(`bundle: ${id}`);
    const outdir = join(tmpDir, "bundle", id);
    await run(process.execPath, [WRANGLER_BIN, "deploy", "--dry-run", "--minify", "--outdir", outdir, "-c", config], {
      cwd: ROOT_DIR,
      timeout: 120_000,
      env: {
        ...process.env,
        WRANGLER_SEND_METRICS: "false",
        WRANGLER_SEND_ERROR_REPORTS: "false",
        CLOUDFLARE_CF_FETCH_ENABLED: "false",
      },
      maxBuffer: 16 * 1024 * 1024,
    });
    const files = readdirSync(outdir).filter((file) => /\.(m?js|wasm)$/.test(file));
    let rawBytes = 0;
    let gzipBytes = 0;
    for (const file of files) {
      const path = join(outdir, file);
      rawBytes += statSync(path).size;
      gzipBytes += gzipSync(readFileSync(path)).byteLength;
    }
    figures[id] = { files, rawBytes, gzipBytes };
  }
  return figures;
}

export type MemoryFigures =
  | { hooked: true; entries: number; bytes: number; maxEntries: number | null; maxBytes: number | null }
  | { hooked: false; reason: string; unboundedEstimateBytes: number | null; distinctKeys: number | null };

/**
 * Tier 0's size after the Zipf run, read from `GET /__bench/memory` on ours
 * when the worker exposes it. Until then: what an unbounded tier 0 would hold.
 */
export async function memory(context: ScenarioContext, after: ZipfFigures | undefined): Promise<MemoryFigures> {
  const response = await httpGet(`${worker(context, "ours").url}/__bench/memory`, {
    "CF-Connecting-IP": context.clients.next(),
  });
  const text = response.body;
  if (response.status === 200) {
    try {
      const stats = JSON.parse(text) as Record<string, unknown>;
      if (typeof stats.entries === "number" && typeof stats.bytes === "number") {
        return {
          hooked: true,
          entries: stats.entries,
          bytes: stats.bytes,
          maxEntries: typeof stats.maxEntries === "number" ? stats.maxEntries : null,
          maxBytes: typeof stats.maxBytes === "number" ? stats.maxBytes : null,
        };
      }
    } catch {
      // Not the hook's JSON: fall through.
    }
  }
  return {
    hooked: false,
    reason: `GET /__bench/memory answered ${response.status}: the worker has no memory hook yet`,
    distinctKeys: after?.distinctKeysRequested ?? null,
    unboundedEstimateBytes: after ? after.distinctKeysRequested * after.meanBodyBytes : null,
  };
}
