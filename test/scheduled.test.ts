/**
 * The cron keeps the first upstream page of every chart in `WARM_CHARTS`
 * fresh in KV, next to the sounds of `WARM_CLIP_IDS` (their own tests:
 * test/cache/tiered-cache.test.ts). A refused WARM_CHARTS: test/routes/chart.error.test.ts.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { warmUp } from "../src/scheduled";
import { CHART_PATH } from "./support/charts";
import { logged, loggedLines } from "./support/logs";
import { fakeKeyApi } from "./support/upstream";
import { describe, testWorker } from "./support/worker";

const NOON = Date.UTC(2026, 10, 25, 12);

function setup(overrides: Record<string, unknown>) {
  const clock = { now: NOON };
  const worker = testWorker({ FRESH_TTL_SECONDS: "3600", ...overrides }, { clock: () => clock.now });
  const runCron = async () => {
    const ctx = createExecutionContext();
    await warmUp(worker.runtime, worker.env, ctx);
    await waitOnExecutionContext(ctx);
  };
  return { clock, worker, runCron };
}

const searchOf = (request: Request) => new URL(request.url).search;

it("refreshes the first page of each WARM_CHARTS chart, one call each, and leaves them alone while fresh", async () => {
  const upstream = fakeKeyApi();
  const { clock, runCron } = setup({ WARM_CHARTS: "US:7,GB:30" });

  await runCron();
  expect(upstream.requests.map(searchOf).sort()).toEqual([
    "?search_keyword=FALSE&page=1&limit=20&period=30&region=GB&new_to_top_100=false&commercial_music=false",
    "?search_keyword=FALSE&page=1&limit=20&period=7&region=US&new_to_top_100=false&commercial_music=false",
  ]);
  expect(await env.SOUND_CACHE.get("sound:list-v1:US:7:1:20")).not.toBeNull();
  expect(await env.SOUND_CACHE.get("sound:list-v1:GB:30:1:20")).not.toBeNull();

  clock.now += 60_000;
  await runCron();
  expect(upstream.calls).toBe(2);

  // Warm charts never miss, in this isolate or any other (through KV).
  const res = await testWorker({}, { clock: () => clock.now }).fetch(`${CHART_PATH}?region=gb&period=30&limit=5`);
  expect(res.headers.get("X-Cache"), await describe(res)).toBe("HIT");
  expect(res.headers.get("Server-Timing")).toBe('cache;desc="kv"');
  expect(upstream.calls).toBe(2);

  // Fresh until the next run (5 minutes on): left alone; a millisecond later it would not be, so it is refreshed.
  clock.now = NOON + (3600 - 300) * 1000;
  await runCron();
  expect(upstream.calls).toBe(2);
  clock.now += 1;
  await runCron();
  expect(upstream.calls).toBe(4);
});

it("counts chart pages in its summary next to WARM_CLIP_IDS, and logs their calls as the list endpoint's", async () => {
  const upstream = fakeKeyApi();
  const lines = logged("upstream_call");
  const { runCron } = setup({ WARM_CHARTS: "US:7", WARM_CLIP_IDS: "1" });
  const summaries = loggedLines((line) => line.message === "warm-up");
  const summary = () => summaries().at(-1);
  await runCron();
  expect(summary()).toEqual({
    message: "warm-up",
    entries: 2,
    refreshed: 2,
    fresh: 0,
    not_found: 0,
    skipped_budget: 0,
    skipped: 0,
    failed: 0,
  });
  await runCron();
  expect(summary()).toMatchObject({ entries: 2, refreshed: 0, fresh: 2 });
  expect(upstream.calls).toBe(2);
  expect(lines().find((line) => line.endpoint === "list")).toMatchObject({
    event: "upstream_call",
    key: "US:7:1:20",
    status: 200,
    request_id: expect.stringMatching(/^cron-/),
  });
});

it("warms the first page in KeyAPI's page size: KEYAPI_LIST_PAGE_SIZE=10 asks for 10", async () => {
  const upstream = fakeKeyApi();
  const { clock, runCron } = setup({ WARM_CHARTS: "DE", KEYAPI_LIST_PAGE_SIZE: "10" });
  await runCron();
  expect(upstream.requests.map(searchOf)).toEqual([
    "?search_keyword=FALSE&page=1&limit=10&period=7&region=DE&new_to_top_100=false&commercial_music=false",
  ]);
  const res = await testWorker({ KEYAPI_LIST_PAGE_SIZE: "10" }, { clock: () => clock.now }).fetch(
    `${CHART_PATH}?region=DE&limit=10`,
  );
  expect(res.headers.get("X-Cache"), await describe(res)).toBe("HIT");
  expect(upstream.calls).toBe(1);
});
