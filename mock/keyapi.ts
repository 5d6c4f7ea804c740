/**
 * A KeyAPI look-alike for the trending music detail and list endpoints, as a plain
 * `(Request) => Response` handler built on web standards only. The same code
 * serves `npm run dev` and the benchmark (through mock/server.ts, a Node HTTP
 * server) and the tests (called in-process from a fetch stub).
 *
 * - The documented example for clip_id 6703723351497508865; plausible,
 *   deterministic data for any other id; `data.sound: null` for ids starting
 *   with 404 ("no such sound").
 * - The documented error envelopes: 401 without or with a wrong key, 400 without clip_id.
 * - Misbehaviour on demand (`behave`): latency, any HTTP status with an error
 *   envelope, an error `code` inside a 200, garbage, an odd shape, a hang.
 * - The "Trending Music" list (mock/charts.ts): a deterministic top 100 per region and period.
 * - Counts every call, per `clip_id:period:region` (the list: per query string).
 *
 * Control endpoints (for the Node server): `GET /__mock/stats`,
 * `POST /__mock/behaviour` (JSON `MockBehaviour`), `POST /__mock/reset`.
 */
import { chartData, chartRow, LIST_PATH, readChartRequest } from "./charts.ts";
import example from "./example-response.json" with { type: "json" };

export const MOCK_API_KEY = "mock-keyapi-key";
export const EXAMPLE_CLIP_ID = "6703723351497508865";
const PATH = "/v1/tiktok/trending/music/detail";

export type MockBehaviour = {
  /** Added before every answer. */
  latencyMs?: number;
  /**
   * - `ok`: normal answers (the default)
   * - `status`: HTTP `status` with the documented error envelope (`code` = status)
   * - `envelope-error`: HTTP 200 carrying `{ code: status }`
   * - `garbage`: HTTP 200 with an HTML body
   * - `odd-shape`: HTTP 200, `code` 0, `data.sound` a string
   * - `hang`: never answers (until the caller gives up)
   */
  mode?: "ok" | "status" | "envelope-error" | "garbage" | "odd-shape" | "hang";
  status?: number;
  /** Sent as `Retry-After` with `status`/`envelope-error`. */
  retryAfter?: number;
  /** Misbehave for this many calls, then answer normally again. */
  times?: number;
};

export type MockStats = { calls: number; byKey: Record<string, number> };

const ERROR_MESSAGES: Record<number, string> = {
  400: "Missing required parameter: clip_id",
  401: "apiKey is invalid",
  402: "apiKey quota is not enough",
  429: "qps limit exceeded",
  500: "Internal server error",
};

export function createMockKeyApi(options: { apiKey?: string; latencyMs?: number } = {}) {
  const apiKey = options.apiKey ?? MOCK_API_KEY;
  const baseLatencyMs = options.latencyMs ?? 0;
  let behaviour: MockBehaviour = {};
  let stats: MockStats = { calls: 0, byKey: {} };

  function behave(next: MockBehaviour) {
    behaviour = { ...next };
  }

  function reset() {
    behaviour = {};
    stats = { calls: 0, byKey: {} };
  }

  async function fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname.startsWith("/__mock/")) return control(request, url);
    if (url.pathname.startsWith("/covers/")) return cover(url);
    if (url.pathname !== PATH && url.pathname !== LIST_PATH) {
      return envelope(404, { code: 404, data: null, message: "Not found" });
    }

    const clipId = url.searchParams.get("clip_id") ?? "";
    const period = url.searchParams.get("period") ?? "7";
    const region = (url.searchParams.get("region") ?? "US").toUpperCase();
    stats.calls += 1;
    const key = url.pathname === LIST_PATH ? `list?${url.searchParams}` : `${clipId}:${period}:${region}`;
    stats.byKey[key] = (stats.byKey[key] ?? 0) + 1;

    const active = behaviour;
    if (active.times !== undefined) {
      active.times -= 1;
      if (active.times <= 0) behaviour = { latencyMs: active.latencyMs };
    }
    const latency = active.latencyMs ?? baseLatencyMs;
    if (latency > 0) await sleep(latency, request.signal);

    const auth = request.headers.get("Authorization");
    if (!auth) return envelope(401, { code: 401, data: null, message: "apiKey is null" });
    if (auth !== `Bearer ${apiKey}`) return envelope(401, { code: 401, data: null, message: ERROR_MESSAGES[401] });

    switch (active.mode ?? "ok") {
      case "status": {
        const status = active.status ?? 500;
        return envelope(
          status,
          { code: status, data: null, message: ERROR_MESSAGES[status] ?? "error" },
          active.retryAfter,
        );
      }
      case "envelope-error": {
        const code = active.status ?? 500;
        return envelope(200, { code, data: null, message: ERROR_MESSAGES[code] ?? "error" }, active.retryAfter);
      }
      case "garbage":
        return new Response("<html><body>502 Bad Gateway</body></html>", { headers: { "Content-Type": "text/html" } });
      case "odd-shape":
        return envelope(200, { code: 0, message: "success", data: { sound: "unavailable" } });
      case "hang":
        await sleep(Number.POSITIVE_INFINITY, request.signal);
        break;
    }

    if (url.pathname === LIST_PATH) {
      const chart = readChartRequest(url.searchParams);
      if ("missing" in chart) {
        return envelope(400, { code: 400, data: null, message: `Missing required parameter: ${chart.missing}` });
      }
      const data = chartData(chart, url.origin, seededRandom);
      return envelope(200, { code: 0, message: "success", data, requestId: requestId(key) });
    }
    if (!clipId) return envelope(400, { code: 400, data: null, message: ERROR_MESSAGES[400] });
    if (clipId.startsWith("404")) {
      return envelope(200, { code: 0, message: "success", data: { sound: null }, requestId: requestId(key) });
    }
    const sound =
      clipId === EXAMPLE_CLIP_ID
        ? exampleSound(period, region)
        : onChart(syntheticSound(clipId, period, region, url.origin), region, Number(period), url.origin);
    return envelope(200, {
      code: 0,
      message: "success",
      data: { disliked: null, like_count: null, liked: null, sound },
      requestId: requestId(key),
    });
  }

  async function control(request: Request, url: URL): Promise<Response> {
    if (url.pathname === "/__mock/stats") return Response.json(stats);
    if (url.pathname === "/__mock/reset" && request.method === "POST") {
      reset();
      return Response.json({ ok: true });
    }
    if (url.pathname === "/__mock/behaviour" && request.method === "POST") {
      behave((await request.json()) as MockBehaviour);
      return Response.json(behaviour);
    }
    return new Response("unknown control endpoint", { status: 404 });
  }

  return {
    fetch,
    behave,
    reset,
    get stats(): MockStats {
      return stats;
    },
  };
}

export type MockKeyApi = ReturnType<typeof createMockKeyApi>;

// ---- answers ---------------------------------------------------------------

/** JSON as KeyAPI writes it: bigint values become bare numbers (64-bit ids that JSON.parse would round). */
export function keyApiJson(body: unknown): string {
  const text = JSON.stringify(body, (_key, value) => (typeof value === "bigint" ? `\u0000big:${value}` : value));
  return text.replace(/"\\u0000big:(-?\d+)"/g, "$1");
}

function envelope(status: number, body: unknown, retryAfter?: number): Response {
  const headers = new Headers({ "Content-Type": "application/json" });
  if (retryAfter !== undefined) headers.set("Retry-After", String(retryAfter));
  return new Response(keyApiJson(body), { status, headers });
}

function exampleSound(period: string, region: string) {
  const sound = structuredClone(example.data.sound) as Record<string, unknown>;
  sound.country_code = region;
  const days = Number(period);
  if (days > 7) {
    // Longer periods: the documented week, preceded by a calm run-up.
    const first = example.data.sound.trend[0]?.time ?? 0;
    const runUp = Array.from({ length: days - 7 }, (_, i) => ({
      time: first - (days - 7 - i) * 86_400,
      value: Math.round(10 * (0.02 + 0.03 * Math.abs(Math.sin(i)))) / 100,
    }));
    sound.trend = [...runUp, ...example.data.sound.trend];
  }
  return sound;
}

const WORDS = [
  "Midnight",
  "Echo",
  "Summer",
  "Neon",
  "Velvet",
  "Paper",
  "Golden",
  "Static",
  "Ocean",
  "Tiny",
  "Wild",
  "Drift",
];
const NAMES = [
  "Mira Sol",
  "The Quiet Hours",
  "DJ Parallax",
  "Lena Voss",
  "Kofi & Co",
  "Aster Lane",
  "Nori",
  "Blue Lantern",
];
const COUNTRIES: [string, string][] = [
  ["US", "United States"],
  ["GB", "United Kingdom"],
  ["DE", "Germany"],
  ["BR", "Brazil"],
  ["JP", "Japan"],
  ["FR", "France"],
  ["MX", "Mexico"],
  ["ID", "Indonesia"],
  ["PH", "Philippines"],
  ["CA", "Canada"],
];
const INTERESTS = ["Dance", "Comedy", "Fitness", "Food & Drink", "Beauty", "Gaming", "Travel", "Pets"];
const AGES = ["18-24", "25-34", "35-44", "45-54", "55+"];

/** Deterministic pseudo-random data for any clip id: same id, same answer. */
function syntheticSound(clipId: string, period: string, region: string, origin: string) {
  const random = seededRandom(`${clipId}:${period}:${region}`);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)] as T;
  const days = Number(period) || 7;
  const lastDay = Date.UTC(2026, 0, 1) / 1000 + Math.floor(random() * 300) * 86_400;
  const trend = Array.from({ length: days }, (_, i) => ({
    time: lastDay - (days - 1 - i) * 86_400,
    value: i === days - 1 ? 1 : Math.round(random() * 100) / 100,
  }));
  const countries = [...COUNTRIES].sort(() => random() - 0.5).slice(0, 5);
  const itemCount = Math.floor(random() * 4);
  return {
    audience_ages: AGES.map((age, i) => ({
      age_info: { id: String(i), label: `age_${i}`, value: age },
      score: Math.floor(random() * 1000),
    })),
    audience_countries: countries.map(([code, name], i) => ({
      country_info: { id: String(1000 + i), label: code, value: name },
      score: Math.floor(2000 - i * 300 - random() * 200),
    })),
    audience_interests: INTERESTS.slice(0, 4).map((name, i) => ({
      interest_info: { id: String(10000 + i), label: `diversify_${10000 + i}`, value: name },
      score: Math.floor(1200 - i * 250 - random() * 100),
    })),
    author: pick(NAMES),
    clip_id: clipId,
    country_code: region,
    cover: `${origin}/covers/${clipId}.svg`,
    duration: 15 + Math.floor(random() * 165),
    if_cml: false,
    is_search: false,
    link: `https://www.tiktok.com/music/x-${clipId}`,
    longevity: { popular_days: Math.floor(random() * 60), current_popularity: Math.floor(random() * 100) },
    music_url: null,
    on_list_times: null,
    promoted: random() < 0.2,
    rank: Math.ceil(random() * 100),
    rank_diff: Math.floor(random() * 21) - 10,
    related_items: Array.from({ length: itemCount }, (_, i) => ({
      // 64-bit ids, as bare JSON numbers: JSON.parse would round them.
      item_id: 7_500_000_000_000_000_000n + BigInt(Math.floor(random() * 1e12)) * 1000n + BigInt(i),
      cover_uri: `${origin}/covers/${clipId}-${i}.svg`,
    })),
    song_id: String(6_700_000_000_000_000_000n + BigInt(Math.floor(random() * 1e15))),
    title: `${pick(WORDS)} ${pick(WORDS)}`,
    trend,
    url_title: "synthetic",
  };
}

/** A synthetic sound that is on the region's and period's chart says what the chart says about it. */
function onChart(sound: ReturnType<typeof syntheticSound>, region: string, period: number, origin: string) {
  const row = chartRow(sound.clip_id, region, period, origin, seededRandom);
  if (!row) return sound;
  const { title, author, cover, duration, trend, rank, rank_diff, song_id, if_cml, promoted, link } = row;
  return { ...sound, title, author, cover, duration, trend, rank, rank_diff, song_id, if_cml, promoted, link };
}

/** A small SVG cover, so pages under `npm run dev` have images without any network. */
function cover(url: URL): Response {
  const random = seededRandom(url.pathname);
  const hue = Math.floor(random() * 360);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="240" height="240" viewBox="0 0 240 240"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${hue} 70% 55%)"/><stop offset="1" stop-color="hsl(${(hue + 60) % 360} 70% 35%)"/></linearGradient></defs><rect width="240" height="240" fill="url(#g)"/><circle cx="120" cy="120" r="56" fill="none" stroke="#fff" stroke-width="10" opacity=".8"/><circle cx="120" cy="120" r="12" fill="#fff"/></svg>`;
  return new Response(svg, { headers: { "Content-Type": "image/svg+xml", "Cache-Control": "public, max-age=86400" } });
}

function requestId(key: string): string {
  const random = seededRandom(key);
  const hex = () =>
    Math.floor(random() * 0x10000)
      .toString(16)
      .padStart(4, "0");
  return `${hex()}${hex()}-${hex()}-4${hex().slice(1)}-a${hex().slice(1)}-${hex()}${hex()}${hex()}`;
}

/** mulberry32 seeded by a string hash. */
function seededRandom(seed: string): () => number {
  let state = 2166136261;
  for (let i = 0; i < seed.length; i++) state = Math.imul(state ^ seed.charCodeAt(i), 16777619);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sleep(ms: number, signal: AbortSignal | null): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = Number.isFinite(ms) ? setTimeout(resolve, ms) : undefined;
    signal?.addEventListener("abort", () => {
      if (timer !== undefined) clearTimeout(timer);
      reject(signal.reason);
    });
  });
}
