import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, describe as group, it, vi } from "vitest";
import type { MockBehaviour } from "../../mock/keyapi";
import { CRON_INTERVAL_SECONDS, NOT_FOUND_RECHECK_SECONDS } from "../../src/domain/freshness";
import { warmUp } from "../../src/scheduled";
import { CHART_PATH } from "../support/charts";
import { TEST_KEYAPI_KEY } from "../support/constants";
import { clipIdOf, fakeKeyApi, refusal } from "../support/upstream";
import { describe, SOUND_PATH, testWorker } from "../support/worker";

/** The shipped NEGATIVE_TTL_SECONDS: one cron interval. */
const NEGATIVE_TTL_DEFAULT = 300;

/** Small TTLs and a clock the test moves: fresh 60 s, then stale for 120 s; not-found remembered 30 s. */
const TTLS = { FRESH_TTL_SECONDS: "60", STALE_TTL_SECONDS: "120", NEGATIVE_TTL_SECONDS: "30" };

function setup(overrides: Record<string, unknown> = {}, options = {}) {
  const clock = { now: Date.UTC(2026, 10, 25, 12) };
  const worker = testWorker({ ...TTLS, ...overrides }, { clock: () => clock.now, ...options });
  const upstream = fakeKeyApi();
  const get = (query: string, init?: RequestInit) => worker.fetch(`${SOUND_PATH}?${query}`, init);
  const advance = (seconds: number) => {
    clock.now += seconds * 1000;
  };
  return { clock, worker, upstream, get, advance };
}

const fetchedAt = async (res: Response) => ((await res.json()) as { fetched_at: string }).fetched_at;

group("fresh, stale, expired", () => {
  it("misses once, then hits with the same body and no upstream call", async () => {
    const { upstream, get } = setup();
    const first = await get("clip_id=1");
    expect(first.status, await describe(first)).toBe(200);
    expect(first.headers.get("X-Cache")).toBe("MISS");
    const second = await get("clip_id=1");
    expect(second.headers.get("X-Cache"), await describe(second)).toBe("HIT");
    expect(await second.text()).toBe(await first.text());
    expect(upstream.calls).toBe(1);
  });

  it("describes the copy in its headers", async () => {
    const { get, advance } = setup();
    const miss = await get("clip_id=1");
    expect(miss.headers.get("ETag")).toMatch(/^"[\w-]{22}"$/);
    expect(miss.headers.get("Age")).toBe("0");
    expect(miss.headers.get("Cache-Control")).toBe(
      "public, max-age=60, stale-while-revalidate=120, stale-if-error=120",
    );
    expect(miss.headers.get("Server-Timing")).toMatch(/^cache;desc="upstream", upstream;dur=\d+$/);

    advance(25);
    const hit = await get("clip_id=1");
    expect(hit.headers.get("ETag")).toBe(miss.headers.get("ETag"));
    expect(hit.headers.get("Age")).toBe("25");
    // max-age counts from KeyAPI's answer, like Age: 25 s old + 35 s to go.
    expect(hit.headers.get("Cache-Control")).toBe("public, max-age=60, stale-while-revalidate=120, stale-if-error=120");
    expect(hit.headers.get("Server-Timing")).toBe('cache;desc="memory"');
  });

  it("caps the client max-age at 300 s", async () => {
    const { get } = setup({ FRESH_TTL_SECONDS: "3600" });
    const res = await get("clip_id=1");
    expect(res.headers.get("Cache-Control")).toBe(
      "public, max-age=300, stale-while-revalidate=3420, stale-if-error=3420",
    );
  });

  it("serves a stale copy at once and refreshes it exactly once in the background", async () => {
    const { upstream, get, advance } = setup();
    const original = await fetchedAt(await get("clip_id=1"));
    advance(61);
    // A slow KeyAPI, so that all 20 arrive while the one refresh is under way.
    upstream.mock.behave({ latencyMs: 300 });
    const stale = await Promise.all(Array.from({ length: 20 }, () => get("clip_id=1")));
    for (const res of stale) expect(res.headers.get("X-Cache"), await describe(res)).toBe("STALE");
    expect(await fetchedAt(stale[0] as Response)).toBe(original);
    expect(stale[0]?.headers.get("Cache-Control")).toBe(
      "public, max-age=0, stale-while-revalidate=180, stale-if-error=180",
    );
    expect(upstream.calls).toBe(2);

    const refreshed = await get("clip_id=1");
    expect(refreshed.headers.get("X-Cache")).toBe("HIT");
    expect(await fetchedAt(refreshed)).not.toBe(original);
    expect(upstream.calls).toBe(2);
  });

  it("goes back to KeyAPI once the stale window is over", async () => {
    const { upstream, get, advance } = setup();
    await get("clip_id=1");
    advance(181);
    const res = await get("clip_id=1");
    expect(res.headers.get("X-Cache"), await describe(res)).toBe("MISS");
    expect(upstream.calls).toBe(2);
  });
});

group("tiers", () => {
  it("answers from the Cache API when memory is empty, then from memory again", async () => {
    const { worker, upstream, get } = setup();
    await get("clip_id=1");
    worker.runtime.cache.memory.clear();
    const fromEdge = await get("clip_id=1");
    expect(fromEdge.headers.get("X-Cache"), await describe(fromEdge)).toBe("HIT");
    expect(fromEdge.headers.get("Server-Timing")).toBe('cache;desc="edge"');
    const fromMemory = await get("clip_id=1");
    expect(fromMemory.headers.get("Server-Timing")).toBe('cache;desc="memory"');
    expect(upstream.calls).toBe(1);
  });

  it("answers from KV when memory and the Cache API are empty, and refills both", async () => {
    const clock = { now: Date.UTC(2026, 10, 25, 12) };
    const upstream = fakeKeyApi();
    const options = { clock: () => clock.now };
    const first = testWorker(TTLS, options);
    const original = await first.fetch(`${SOUND_PATH}?clip_id=1`);

    // Another isolate in another data centre: its own memory and its own Cache API.
    const elsewhere = testWorker(TTLS, options);
    const fromKv = await elsewhere.fetch(`${SOUND_PATH}?clip_id=1`);
    expect(fromKv.headers.get("X-Cache"), await describe(fromKv)).toBe("HIT");
    expect(fromKv.headers.get("Server-Timing")).toBe('cache;desc="kv"');
    expect(await fromKv.text()).toBe(await original.text());
    expect(fromKv.headers.get("ETag")).toBe(original.headers.get("ETag"));

    elsewhere.runtime.cache.memory.clear();
    const refilled = await elsewhere.fetch(`${SOUND_PATH}?clip_id=1`);
    expect(refilled.headers.get("Server-Timing")).toBe('cache;desc="edge"');
    expect(upstream.calls).toBe(1);
  });

  it("writes KV for as long as a copy is kept: its servable window, or the cron's recheck period for a not-found", async () => {
    const { get } = setup();
    const put = vi.spyOn(env.SOUND_CACHE, "put");
    await get("clip_id=1");
    expect(put).toHaveBeenCalledTimes(1);
    expect(put.mock.calls[0]?.[0]).toBe("sound:v1:1:7:US");
    expect(put.mock.calls[0]?.[2]).toMatchObject({ expirationTtl: 180, metadata: { status: 200 } });
    await get("clip_id=4040000000000000001");
    expect(put.mock.calls[1]?.[2]).toMatchObject({
      expirationTtl: NOT_FOUND_RECHECK_SECONDS,
      metadata: { status: 404 },
    });
  });

  it("stores a search KV's 512-byte key limit would not take (50 emoji) in KV, and serves it from KV elsewhere", async () => {
    const clock = { now: Date.UTC(2026, 10, 25, 12) };
    const upstream = fakeKeyApi();
    const options = { clock: () => clock.now };
    const warned = vi.spyOn(console, "warn");
    const put = vi.spyOn(env.SOUND_CACHE, "put");
    // 🎵 × 50: the longest search there is, ~600 characters percent-encoded in the cache key.
    const path = `${CHART_PATH}?search_keyword=${"%F0%9F%8E%B5".repeat(50)}`;
    const first = testWorker(TTLS, options);
    const original = await first.fetch(path);
    expect(original.headers.get("X-Cache"), await describe(original)).toBe("MISS");

    // Another location, its own memory and Cache API: KV has it, so its coordinator is not asked.
    const elsewhere = testWorker(TTLS, options);
    const fromKv = await elsewhere.fetch(path);
    expect(fromKv.headers.get("X-Cache"), await describe(fromKv)).toBe("HIT");
    expect(fromKv.headers.get("Server-Timing")).toBe('cache;desc="kv"');
    expect(await fromKv.text()).toBe(await original.text());
    // And tier 1 takes the key as it is (a URL of about 1 KB).
    elsewhere.runtime.cache.memory.clear();
    const fromEdge = await elsewhere.fetch(path);
    expect(fromEdge.headers.get("Server-Timing"), await describe(fromEdge)).toBe('cache;desc="edge"');
    expect(upstream.calls).toBe(1);
    expect(warned).not.toHaveBeenCalled();
    expect(put).toHaveBeenCalledTimes(1);
    expect(new TextEncoder().encode(String(put.mock.calls[0]?.[0])).length).toBeLessThanOrEqual(512);
  });

  it("keeps tier 0 within its bound", async () => {
    const { worker, get } = setup({}, { memory: { maxEntries: 3, maxBytes: 1 << 20 } });
    for (const clip of [1, 2, 3, 4, 5]) await get(`clip_id=${clip}`);
    expect(worker.runtime.cache.memory.stats()).toMatchObject({ entries: 3, maxEntries: 3 });
  });
});

group("the cache key", () => {
  it("ignores parameter order and region case", async () => {
    const { upstream, get } = setup();
    await get("region=gb&period=30&clip_id=5");
    const res = await get("clip_id=5&period=30&region=GB");
    expect(res.headers.get("X-Cache")).toBe("HIT");
    await get("clip_id=5&region=Gb&period=30");
    expect(upstream.calls).toBe(1);
  });

  it("tells different periods and regions apart", async () => {
    const { upstream, get } = setup();
    await get("clip_id=5");
    await get("clip_id=5&period=30");
    await get("clip_id=5&region=GB");
    expect(upstream.calls).toBe(3);
  });

  it("cannot be bypassed by the client", async () => {
    const { upstream, get } = setup();
    await get("clip_id=5");
    for (const headers of <Record<string, string>[]>[
      { "Cache-Control": "no-cache" },
      { "Cache-Control": "no-store, max-age=0" },
      { Pragma: "no-cache" },
      { "X-Forwarded-Host": "other.example" },
    ]) {
      const res = await get("clip_id=5", { headers });
      expect(res.headers.get("X-Cache"), JSON.stringify(headers)).toBe("HIT");
    }
    const busted = await get("clip_id=5&_=1700000000");
    expect(busted.status).toBe(400);
    expect(upstream.calls).toBe(1);
  });
});

group("coalescing", () => {
  it("200 simultaneous cold requests for one key cost one upstream call and share one body", async () => {
    const { upstream, get } = setup();
    upstream.mock.behave({ latencyMs: 20 });
    // 200 widgets on 200 different machines.
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) => get("clip_id=77", { headers: { "CF-Connecting-IP": `198.51.100.${i}` } })),
    );
    const bodies = new Set(await Promise.all(responses.map((res) => res.text())));
    expect(responses.every((res) => res.status === 200)).toBe(true);
    expect(bodies.size).toBe(1);
    expect(upstream.calls).toBe(1);
  });
});

group("stale-if-error", () => {
  const failures: [string, MockBehaviour][] = [
    ["timeout", { mode: "hang" }],
    ["HTTP 500", { mode: "status", status: 500 }],
    ["HTTP 503", { mode: "status", status: 503 }],
    ["HTTP 429", { mode: "status", status: 429 }],
    ["HTTP 402", { mode: "status", status: 402 }],
    ["garbage", { mode: "garbage" }],
    ["an odd shape", { mode: "odd-shape" }],
  ];

  it.each(failures)("keeps serving the stale copy when KeyAPI fails with %s", async (_name, behaviour) => {
    const { upstream, get, advance } = setup({ UPSTREAM_TIMEOUT_MS: "100" });
    const original = await fetchedAt(await get("clip_id=1"));
    advance(61);
    upstream.mock.behave(behaviour);

    const during = await get("clip_id=1");
    expect(during.status, await describe(during)).toBe(200);
    expect(during.headers.get("X-Cache")).toBe("STALE");
    expect(await fetchedAt(during)).toBe(original);

    // The failure was not cached: once KeyAPI recovers, the next refresh succeeds.
    upstream.mock.behave({});
    advance(31);
    await get("clip_id=1");
    const after = await get("clip_id=1");
    expect(after.headers.get("X-Cache"), await describe(after)).toBe("HIT");
    expect(await fetchedAt(after)).not.toBe(original);
  });

  it("does not retry a failed refresh on every request", async () => {
    const { upstream, get, advance } = setup();
    await get("clip_id=1");
    advance(61);
    upstream.mock.behave({ mode: "status", status: 500 });
    for (let i = 0; i < 10; i++) await get("clip_id=1");
    expect(upstream.calls).toBe(2);
  });

  it("never caches errors", async () => {
    const { upstream, get } = setup();
    upstream.mock.behave({ mode: "status", status: 500, times: 1 });
    expect((await get("clip_id=1")).status).toBe(502);
    const res = await get("clip_id=1");
    expect(res.status, await describe(res)).toBe(200);
    expect(res.headers.get("X-Cache")).toBe("MISS");
    expect(upstream.calls).toBe(2);
  });
});

group("negative caching", () => {
  it("remembers a sound that does not exist for NEGATIVE_TTL_SECONDS", async () => {
    const { upstream, get, advance } = setup();
    const first = await get("clip_id=4040000000000000001");
    expect(first.status, await describe(first)).toBe(404);
    expect(first.headers.get("X-Cache")).toBe("MISS");
    expect(first.headers.get("Content-Type")).toBe("application/problem+json");

    advance(10);
    const second = await get("clip_id=4040000000000000001");
    expect(second.status).toBe(404);
    expect(second.headers.get("X-Cache")).toBe("HIT");
    expect(second.headers.get("Age")).toBe("10");
    expect(second.headers.get("Cache-Control")).toBe("public, max-age=30");
    expect(await second.json()).toMatchObject({ type: "urn:tiktok-sound-edge:problem:sound-not-found" });
    expect(upstream.calls).toBe(1);

    advance(21);
    expect((await get("clip_id=4040000000000000001")).headers.get("X-Cache")).toBe("MISS");
    expect(upstream.calls).toBe(2);
  });
});

group("conditional requests", () => {
  it("answers 304 with ETag, Cache-Control and CORS headers when If-None-Match matches", async () => {
    const { get } = setup({ ALLOWED_ORIGINS: "https://a.example" });
    const headers = { Origin: "https://a.example" };
    const first = await get("clip_id=1", { headers });
    const etag = first.headers.get("ETag") ?? "";

    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`]) {
      const res = await get("clip_id=1", { headers: { ...headers, "If-None-Match": ifNoneMatch } });
      expect(res.status, await describe(res)).toBe(304);
      expect(await res.text()).toBe("");
      expect(res.headers.get("ETag")).toBe(etag);
      expect(res.headers.get("Cache-Control")).toMatch(
        /^public, max-age=\d+, stale-while-revalidate=\d+, stale-if-error=\d+$/,
      );
      expect(res.headers.get("Access-Control-Allow-Origin")).toBe("https://a.example");
      expect(res.headers.get("Access-Control-Expose-Headers")).toContain("ETag");
      expect(res.headers.get("Vary")).toBe("Origin");
    }
    const changed = await get("clip_id=1", { headers: { ...headers, "If-None-Match": '"old"' } });
    expect(changed.status).toBe(200);
  });
});

group("circuit breaker", () => {
  it("opens after 5 consecutive failures, answers 503 without calling KeyAPI, serves stale, then recovers", async () => {
    const { upstream, get, advance } = setup({ STALE_TTL_SECONDS: "3600" });
    await get("clip_id=99");
    advance(61);
    upstream.mock.behave({ mode: "status", status: 500 });
    for (const clip of [1, 2, 3, 4, 5]) expect((await get(`clip_id=${clip}`)).status).toBe(502);
    expect(upstream.calls).toBe(6);

    const refused = await get("clip_id=6");
    expect(refused.status, await describe(refused)).toBe(503);
    expect(refused.headers.get("Retry-After")).toBe("30");
    expect(await refused.json()).toMatchObject({ type: "urn:tiktok-sound-edge:problem:upstream-unavailable" });
    const stale = await get("clip_id=99");
    expect(stale.status).toBe(200);
    expect(stale.headers.get("X-Cache")).toBe("STALE");
    expect(upstream.calls).toBe(6);

    // Half-open after 30 s: one trial call; it succeeds and closes the breaker.
    upstream.mock.behave({});
    advance(30);
    const trial = await get("clip_id=6");
    expect(trial.status, await describe(trial)).toBe(200);
    expect((await get("clip_id=7")).status).toBe(200);
    expect(upstream.calls).toBe(8);
  });
});

group("the breaker, against one client's inputs", () => {
  /** Ids starting with 4000 are refused by KeyAPI as `refuse` says; every other id is the mock's. */
  function refusingSetup(refuse: () => Response, overrides: Record<string, unknown> = {}) {
    const clock = { now: Date.UTC(2026, 10, 25, 12) };
    const worker = testWorker({ ...TTLS, ...overrides }, { clock: () => clock.now });
    const upstream = fakeKeyApi((request, mock) =>
      clipIdOf(request).startsWith("4000") ? refuse() : mock.fetch(request),
    );
    const attacker = { headers: { "CF-Connecting-IP": "203.0.113.66" } };
    const victim = { headers: { "CF-Connecting-IP": "198.51.100.7" } };
    const get = (clipId: string, init: RequestInit) => worker.fetch(`${SOUND_PATH}?clip_id=${clipId}`, init);
    return { worker, upstream, attacker, victim, get };
  }

  const refusals: [string, () => Response][] = [
    ['HTTP 400 "Invalid parameter"', () => refusal(400)],
    ["HTTP 200 with code 400", () => refusal(400, { inEnvelope: true })],
    ["HTTP 404", () => refusal(404)],
    ["HTTP 200 with code 404", () => refusal(404, { inEnvelope: true })],
    ["HTTP 422", () => refusal(422)],
    ["HTTP 400 that is not JSON", () => new Response("<h1>Bad Request</h1>", { status: 400 })],
  ];

  it.each(refusals)(
    "five cold requests KeyAPI refuses with %s do not open it for another client",
    async (_name, refuse) => {
      const { upstream, attacker, victim, get } = refusingSetup(refuse);
      for (let i = 1; i <= 5; i++) {
        const res = await get(`400000000000000000${i}`, attacker);
        expect(res.status, await describe(res)).toBe(502);
        expect(await res.json()).toMatchObject({ type: "urn:tiktok-sound-edge:problem:upstream-error" });
      }
      const res = await get("1", victim);
      expect(res.status, await describe(res)).toBe(200);
      expect(res.headers.get("X-Cache")).toBe("MISS");
      expect(upstream.callsFor("1")).toBe(1);
      expect(upstream.calls).toBe(6);
    },
  );

  it("nor do they through the direct-call fallback (coordinator unreachable)", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const unreachable = {
      idFromName: (name: string) => ({ name }),
      get: () => ({ obtain: () => Promise.reject(new Error("Durable Object is overloaded")) }),
    };
    // Without a budget: with one, an unreachable coordinator fails closed and no direct call is made at all.
    const { upstream, attacker, victim, get } = refusingSetup(() => refusal(400), {
      SOUND_COORDINATOR: unreachable,
      CREDIT_BUDGET_PER_DAY: "0",
    });
    for (let i = 1; i <= 5; i++) expect((await get(`400000000000000000${i}`, attacker)).status).toBe(502);
    const res = await get("1", victim);
    expect(res.status, await describe(res)).toBe(200);
    expect(upstream.callsFor("1")).toBe(1);
  });

  const unwell: [string, MockBehaviour][] = [
    ["HTTP 500", { mode: "status", status: 500 }],
    ["HTTP 200 with code 500", { mode: "envelope-error", status: 500 }],
    ["HTTP 429", { mode: "status", status: 429 }],
    ["HTTP 200 with code 429", { mode: "envelope-error", status: 429 }],
    ["a timeout", { mode: "hang" }],
    ["an answer that is not JSON", { mode: "garbage" }],
    ["data of the wrong shape", { mode: "odd-shape" }],
    ["HTTP 401 (our key)", { mode: "status", status: 401 }],
    ["HTTP 402 (our quota)", { mode: "status", status: 402 }],
  ];

  it.each(unwell)("opens after five failures that say KeyAPI is unwell: %s", async (_name, behaviour) => {
    const { upstream, get } = setup({ UPSTREAM_TIMEOUT_MS: "100" });
    upstream.mock.behave(behaviour);
    for (let i = 1; i <= 5; i++) expect((await get(`clip_id=${i}`)).status).toBeGreaterThanOrEqual(500);
    const calls = upstream.calls;
    upstream.mock.behave({});
    const res = await get("clip_id=6");
    expect(res.status, await describe(res)).toBe(503);
    expect(await res.json()).toMatchObject({ type: "urn:tiktok-sound-edge:problem:upstream-unavailable" });
    expect(upstream.calls).toBe(calls);
  });
});

group("cron warm-up", () => {
  /** One run of the cron in `worker`'s isolate, waiting for its background work. */
  async function runCronIn(worker: ReturnType<typeof testWorker>) {
    const ctx = createExecutionContext();
    await warmUp(worker.runtime, worker.env, ctx);
    await waitOnExecutionContext(ctx);
  }

  it("refreshes WARM_CLIP_IDS entries that are missing or near the end of their freshness", async () => {
    const clock = { now: Date.UTC(2026, 10, 25, 12) };
    const upstream = fakeKeyApi();
    const worker = testWorker({ FRESH_TTL_SECONDS: "3600", WARM_CLIP_IDS: "1, 2:30:gb" }, { clock: () => clock.now });
    const runCron = () => runCronIn(worker);

    await runCron();
    expect(upstream.requests.map((request) => new URL(request.url).search)).toEqual([
      "?clip_id=1&period=7&region=US",
      "?clip_id=2&period=30&region=GB",
    ]);
    expect(await env.SOUND_CACHE.get("sound:v1:2:30:GB")).not.toBeNull();

    clock.now += 60_000;
    await runCron();
    expect(upstream.calls).toBe(2);

    // Listed sounds never miss, in this isolate or any other (through KV).
    const res = await testWorker({}, { clock: () => clock.now }).fetch(`${SOUND_PATH}?clip_id=2&period=30&region=GB`);
    expect(res.headers.get("X-Cache"), await describe(res)).toBe("HIT");

    // Fresh until the next run (5 minutes on): left alone; a millisecond later it would not be, so it is refreshed.
    clock.now = Date.UTC(2026, 10, 25, 12) + (3600 - 300) * 1000;
    await runCron();
    expect(upstream.calls).toBe(2);
    clock.now += 1;
    await runCron();
    expect(upstream.calls).toBe(4);
  });

  it("asks about a sound KeyAPI does not know once an hour, not every run, with the default negative TTL", async () => {
    const { upstream, worker, get, advance } = setup({
      WARM_CLIP_IDS: "4040000000000000001",
      NEGATIVE_TTL_SECONDS: String(NEGATIVE_TTL_DEFAULT),
    });
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    await runCronIn(worker);
    expect(upstream.calls).toBe(1);
    // Eleven more runs, five minutes apart: the not-found copy outlives its 300 s TTL for the cron's sake.
    for (let run = 1; run < 12; run++) {
      advance(CRON_INTERVAL_SECONDS);
      await runCronIn(worker);
    }
    expect(upstream.calls).toBe(1);
    const summaries = log.mock.calls.map(([line]) => JSON.parse(String(line))).filter((l) => l.message === "warm-up");
    expect(summaries).toHaveLength(12);
    expect(summaries.every(({ refreshed, not_found }) => refreshed === 0 && not_found === 1)).toBe(true);
    // An hour after the check, asked again.
    advance(CRON_INTERVAL_SECONDS);
    await runCronIn(worker);
    expect(upstream.calls).toBe(2);
    // A client asking after the negative TTL still gets a fresh check.
    advance(NEGATIVE_TTL_DEFAULT + 1);
    const res = await get("clip_id=4040000000000000001");
    expect(res.status, await describe(res)).toBe(404);
    expect(res.headers.get("X-Cache")).toBe("MISS");
    expect(upstream.calls).toBe(3);
  });

  it("leaves a copy that stays fresh until the next run, even when FRESH_TTL_SECONDS is under 10 minutes", async () => {
    const { upstream, worker, get, advance } = setup({ WARM_CLIP_IDS: "1", FRESH_TTL_SECONDS: "400" });
    await get("clip_id=1");
    advance(60);
    await runCronIn(worker);
    expect(upstream.calls).toBe(1);
    // 299 s of freshness left: not enough to reach the next run.
    advance(41);
    await runCronIn(worker);
    expect(upstream.calls).toBe(2);
  });

  it("does not try a failing entry again within the failure backoff, in any isolate, and logs the skip", async () => {
    const { upstream, worker, clock, advance } = setup({ WARM_CLIP_IDS: "5" });
    const info = vi.spyOn(console, "log").mockImplementation(() => {});
    upstream.mock.behave({ mode: "status", status: 500 });
    await runCronIn(worker);
    expect(upstream.calls).toBe(1);

    // The next run lands in another isolate (as cron invocations may), 10 s later.
    advance(10);
    const other = testWorker({ ...TTLS, WARM_CLIP_IDS: "5" }, { clock: () => clock.now });
    await runCronIn(other);
    expect(upstream.calls).toBe(1);
    const lines = info.mock.calls.map(([line]) => JSON.parse(String(line)));
    expect(lines).toContainEqual(
      expect.objectContaining({ message: "warm-up entry skipped", key: "v1:5:7:US", retry_after: 20 }),
    );
    expect(lines.filter((line) => line.message === "warm-up").at(-1)).toMatchObject({ entries: 1, skipped: 1 });

    // Past the 30 s backoff: tried again.
    advance(21);
    upstream.mock.behave({});
    await runCronIn(other);
    expect(upstream.calls).toBe(2);
  });

  it.each([503, 502, 504])(
    "makes one call a run for an entry KeyAPI answers %i: the next run is its retry",
    async (status) => {
      const { upstream, worker } = setup({ WARM_CLIP_IDS: "5" });
      vi.spyOn(console, "log").mockImplementation(() => {});
      upstream.mock.behave({ mode: "status", status });
      await runCronIn(worker);
      // A request waiting for its answer gets one quick retry on these statuses; the cron does not wait for anyone.
      expect(upstream.calls).toBe(1);
    },
  );

  it("is wired to the Worker's scheduled handler", async () => {
    const worker = (await import("../../src/index")).default;
    expect(typeof worker.scheduled).toBe("function");
    fakeKeyApi();
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController(), env, ctx);
    await waitOnExecutionContext(ctx);
  });

  it("refuses an invalid WARM_CLIP_IDS as a configuration error", async () => {
    const { get, upstream } = setup({ WARM_CLIP_IDS: "1:8" });
    const res = await get("clip_id=1");
    expect(res.status).toBe(500);
    expect(upstream.calls).toBe(0);
  });
});

group("request log", () => {
  it("writes one JSON line per request with the exchange's facts and never the key", async () => {
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((line: unknown) => {
      lines.push(String(line));
    });
    const { get } = setup();
    const res = await get("clip_id=1", { headers: { "X-Request-Id": "trace-123" } });
    await get("clip_id=1");
    expect(lines).toHaveLength(3);
    const [call, miss, hit] = lines.map((line) => JSON.parse(line));
    expect(call).toEqual({
      event: "upstream_call",
      endpoint: "detail",
      key: "1:7:US",
      status: 200,
      duration_ms: expect.any(Number),
      credits: 2,
      attempt: 1,
      request_id: "trace-123",
    });
    expect(miss).toEqual({
      method: "GET",
      path: SOUND_PATH,
      status: 200,
      cache: "MISS",
      upstream: "called",
      upstream_status: 200,
      upstream_ms: expect.any(Number),
      duration_ms: expect.any(Number),
      request_id: "trace-123",
    });
    expect(res.headers.get("X-Request-Id")).toBe("trace-123");
    expect(hit).toMatchObject({ cache: "HIT", upstream: null, upstream_status: null, upstream_ms: null });
    for (const line of lines) expect(line).not.toContain(TEST_KEYAPI_KEY);
  });

  /** Console lines of the test, parsed, split into KeyAPI calls and request lines. */
  function captureLog() {
    const lines: Record<string, unknown>[] = [];
    vi.spyOn(console, "log").mockImplementation((line: unknown) => {
      lines.push(JSON.parse(String(line)));
    });
    return {
      calls: () => lines.filter((line) => line.event === "upstream_call"),
      requests: () => lines.filter((line) => line.method !== undefined),
    };
  }

  it("marks a burst of 20 simultaneous cold requests as 1 called and 19 joined, with one upstream_call line", async () => {
    const log = captureLog();
    const { upstream, get } = setup();
    upstream.mock.behave({ latencyMs: 30 });
    await Promise.all(Array.from({ length: 20 }, () => get("clip_id=20")));
    const roles = log.requests().map((line) => line.upstream);
    expect(roles.filter((role) => role === "called")).toHaveLength(1);
    expect(roles.filter((role) => role === "joined")).toHaveLength(19);
    expect(log.calls()).toHaveLength(upstream.calls);
    expect(upstream.calls).toBe(1);
  });

  it("logs each attempt of a retry, and the last attempt's status on the request line", async () => {
    const log = captureLog();
    const { upstream, get } = setup();
    upstream.mock.behave({ mode: "status", status: 503, times: 1 });
    expect((await get("clip_id=21")).status).toBe(200);
    expect(log.calls().map((line) => [line.attempt, line.status, line.credits])).toEqual([
      [1, 503, 2],
      [2, 200, 2],
    ]);
    expect(log.requests()[0]).toMatchObject({ upstream: "called", upstream_status: 200 });
    expect(upstream.calls).toBe(2);
  });

  it("fills upstream_status and upstream_ms on failures too", async () => {
    const log = captureLog();
    const { upstream, get } = setup();
    upstream.mock.behave({ mode: "status", status: 500 });
    expect((await get("clip_id=22")).status).toBe(502);
    expect(log.requests()[0]).toMatchObject({
      status: 502,
      upstream: "called",
      upstream_status: 500,
      upstream_ms: expect.any(Number),
    });
    expect(log.calls()).toHaveLength(upstream.calls);
  });

  it("logs a refresh's and the cron's calls too: lines always equal the calls KeyAPI received", async () => {
    const log = captureLog();
    const { upstream, get, advance, worker } = setup({ WARM_CLIP_IDS: "23,24" });
    await get("clip_id=23");
    advance(61);
    await get("clip_id=23");
    const ctx = createExecutionContext();
    await warmUp(worker.runtime, worker.env, ctx);
    await waitOnExecutionContext(ctx);
    expect(upstream.calls).toBe(4);
    expect(log.calls()).toHaveLength(4);
  });
});
