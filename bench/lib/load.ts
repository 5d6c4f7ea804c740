/**
 * Load over loopback with autocannon, always bounded (a duration or a request
 * count, plus a hard stop), and the traffic shapes the scenarios need: the
 * request paths, a distinct client address per request, Zipf-distributed keys.
 */
import autocannon from "autocannon";

export const SOUND_PATH = "/v1/tiktok/trending/music/detail";

export function soundPath(clipId: string, period = 7, region = "US"): string {
  return `${SOUND_PATH}?clip_id=${clipId}&period=${period}&region=${region}`;
}

export const CARD_PATH = "/v1/tiktok/trending/music/card.svg";

/** The SVG card for the same key as `soundPath`. */
export function cardPath(clipId: string, period = 7, region = "US"): string {
  return `${CARD_PATH}?clip_id=${clipId}&period=${period}&region=${region}`;
}

export const CHART_PATH = "/v1/tiktok/trending/music";

/** A window of a chart, in the list endpoint's terms. */
export type ChartWindow = { region: string; period: number; page: number; limit: number };

export function chartPath({ region, period, page, limit }: ChartWindow): string {
  return `${CHART_PATH}?region=${region}&period=${period}&page=${page}&limit=${limit}`;
}

export const CHART_CARD_PATH = "/v1/tiktok/trending/music/chart.svg";

/** The chart card: the top `limit` of a chart. */
export function chartCardPath(region: string, period: number, limit: number): string {
  return `${CHART_CARD_PATH}?region=${region}&period=${period}&limit=${limit}`;
}

/**
 * Distinct `CF-Connecting-IP` values (IPv6 documentation prefix, RFC 3849), one
 * per request: the worker's per-client limits (120/60 s, 30 misses/60 s) then
 * never trip, and the rate-limit binding still does its full work per request.
 * These are header values only; all traffic goes to 127.0.0.1.
 */
export class ClientAddresses {
  #next = 1;
  next(): string {
    const n = this.#next++;
    // One /64 per request: the worker counts an IPv6 client per /64.
    return `2001:db8:${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}::1`;
  }
}

export type LoadPlan = {
  url: string;
  connections: number;
  /** The path of each request, in order (called once per request sent). */
  nextPath: () => string;
  clients: ClientAddresses;
  /** Exactly one of: seconds of load, or a number of requests. */
  seconds?: number;
  requests?: number;
  /** Stop whatever happens after this long. */
  maxSeconds: number;
};

export type LoadResult = {
  requests: number;
  seconds: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  statuses: Record<string, number>;
  xCache: Record<string, number>;
  errors: number;
  timeouts: number;
  truncated: boolean;
  /** Paths that got an answer, with how many. */
  answeredPaths: Map<string, number>;
  /** Mean size of the bodies received. */
  meanBodyBytes: number;
};

type ConnectionContext = { path?: string };

export async function runLoad(plan: LoadPlan): Promise<LoadResult> {
  const statuses: Record<string, number> = {};
  const xCache: Record<string, number> = {};
  const answeredPaths = new Map<string, number>();
  let bodyBytes = 0;
  let bodies = 0;

  // At run time autocannon returns its tracker, a thenable with stop(); the types only know the promise.
  const instance = autocannon({
    url: plan.url,
    connections: plan.connections,
    ...(plan.requests !== undefined ? { amount: plan.requests } : { duration: plan.seconds ?? 1 }),
    timeout: 30,
    requests: [
      {
        setupRequest(request, context: ConnectionContext) {
          const path = plan.nextPath();
          context.path = path;
          return { ...request, path, headers: { ...request.headers, "cf-connecting-ip": plan.clients.next() } };
        },
        onResponse(status, body, context: ConnectionContext, headers) {
          statuses[status] = (statuses[status] ?? 0) + 1;
          const cache = headerValue(headers, "x-cache") ?? "none";
          xCache[cache] = (xCache[cache] ?? 0) + 1;
          if (context.path) answeredPaths.set(context.path, (answeredPaths.get(context.path) ?? 0) + 1);
          bodyBytes += Buffer.byteLength(body);
          bodies += 1;
        },
      },
    ],
  }) as Promise<autocannon.Result> & { stop(): void };
  let truncated = false;
  const hardStop = setTimeout(() => {
    truncated = true;
    instance.stop();
  }, plan.maxSeconds * 1000);
  const result = await instance;
  clearTimeout(hardStop);

  const requests = result.requests.total;
  return {
    requests,
    seconds: result.duration,
    reqPerSec: result.duration > 0 ? requests / result.duration : 0,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    statuses,
    xCache,
    errors: result.errors,
    timeouts: result.timeouts,
    truncated,
    answeredPaths,
    meanBodyBytes: bodies > 0 ? Math.round(bodyBytes / bodies) : 0,
  };
}

function headerValue(headers: Record<string, unknown> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? String(value[0]) : String(value);
  }
  return undefined;
}

/** mulberry32: a small seeded generator, so every run asks for the same keys in the same order. */
export function seededRandom(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `count` ranks in 1..`keys`, rank k drawn with probability ∝ 1/k^`exponent`
 * (Zipf), from a fixed seed.
 */
export function zipfRanks(count: number, keys: number, exponent: number, seed = 6): number[] {
  const cumulative = new Float64Array(keys);
  let total = 0;
  for (let rank = 1; rank <= keys; rank++) {
    total += 1 / rank ** exponent;
    cumulative[rank - 1] = total;
  }
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const target = random() * total;
    let low = 0;
    let high = keys - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((cumulative[middle] ?? 0) < target) low = middle + 1;
      else high = middle;
    }
    return low + 1;
  });
}

/** `count` distinct charts (region, period), drawn from a fixed seed. */
export function pickCharts(
  count: number,
  regions: readonly string[],
  periods: readonly number[],
  seed = 16,
): { region: string; period: number }[] {
  const all = regions.flatMap((region) => periods.map((period) => ({ region, period })));
  if (count > all.length) throw new Error(`only ${all.length} charts to pick ${count} from`);
  const random = seededRandom(seed);
  // A partial Fisher–Yates shuffle: the first `count` places.
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (all.length - i));
    [all[i], all[j]] = [all[j] as (typeof all)[number], all[i] as (typeof all)[number]];
  }
  return all.slice(0, count);
}

export type WindowMix = {
  /** Largest `limit`; each request's is uniform in 1..maxLimit. */
  maxLimit: number;
  /** Deepest position a window may end at (`page × limit`). */
  maxDepth: number;
  /** Most windows end within the top `top` positions... */
  top: number;
  /** ...this share of them; the rest anywhere down to `maxDepth`. */
  topShare: number;
};

/**
 * `count` windows from a fixed seed: a chart uniformly, `limit` uniformly, and
 * `page` uniformly among the pages whose window ends within the top (most of
 * the time) or within the deepest position allowed.
 */
export function chartWindows(
  count: number,
  charts: readonly { region: string; period: number }[],
  mix: WindowMix,
  seed = 17,
): ChartWindow[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const chart = charts[Math.floor(random() * charts.length)] as (typeof charts)[number];
    const limit = 1 + Math.floor(random() * mix.maxLimit);
    const depth = random() < mix.topShare ? mix.top : mix.maxDepth;
    const page = 1 + Math.floor(random() * Math.floor(depth / limit));
    return { ...chart, page, limit };
  });
}
