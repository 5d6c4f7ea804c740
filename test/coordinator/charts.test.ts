/**
 * Chart pages across locations: each upstream page of a chart has its own
 * coordinator (one object per page key), so all locations together pay one
 * KeyAPI call per page per freshness window. Each `testWorker()` is a location
 * of its own (its own isolate state and Cache API host); they share the
 * Durable Object namespaces and KV, as Cloudflare's locations do.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, describe as group, it } from "vitest";
import type { ChartPageQuery } from "../../src/domain/chart";
import { cacheKey } from "../../src/domain/endpoint";
import { listEndpoint } from "../../src/endpoints/list";
import { CHART_PATH, pagesAsked } from "../support/charts";
import { fakeKeyApi } from "../support/upstream";
import { describe, testWorker } from "../support/worker";

const TTLS = { FRESH_TTL_SECONDS: "60", STALE_TTL_SECONDS: "120", NEGATIVE_TTL_SECONDS: "30" };
const NOON = Date.UTC(2026, 10, 25, 12);

function locations(count: number) {
  const clock = { now: NOON };
  const workers = Array.from({ length: count }, () => testWorker(TTLS, { clock: () => clock.now }));
  return { clock, workers };
}

const pageKey = (page: number, region = "US") => {
  const query: ChartPageQuery = {
    region,
    period: 7,
    newToTop100: false,
    commercialMusic: false,
    searchKeyword: null,
    page,
    pageSize: 20,
  };
  return cacheKey(listEndpoint, query);
};

group("a cold chart asked in six locations at once", () => {
  it("costs one call per upstream page: a window across pages 1 and 2 costs two", async () => {
    const upstream = fakeKeyApi();
    upstream.mock.behave({ latencyMs: 50 });
    const { workers } = locations(6);
    const responses = await Promise.all(
      workers.flatMap((worker) => Array.from({ length: 10 }, () => worker.fetch(`${CHART_PATH}?page=3&limit=7`))),
    );
    for (const res of responses) expect(res.status, await describe(res)).toBe(200);
    expect(new Set(await Promise.all(responses.map((res) => res.text()))).size).toBe(1);
    expect(new Set(responses.map((res) => res.headers.get("ETag"))).size).toBe(1);
    expect(pagesAsked(upstream.requests).sort()).toEqual([1, 2]);
  });

  it("costs one call for every window of the same page, whichever location asks for which", async () => {
    const upstream = fakeKeyApi();
    upstream.mock.behave({ latencyMs: 50 });
    const { workers } = locations(6);
    const windows = ["limit=5", "limit=10", "limit=20", "page=2&limit=7", "region=us&page=4&limit=5", ""];
    const responses = await Promise.all(
      workers.flatMap((worker, index) =>
        windows.map((_, offset) => worker.fetch(`${CHART_PATH}?${windows[(index + offset) % windows.length]}`)),
      ),
    );
    for (const res of responses) expect(res.status, await describe(res)).toBe(200);
    expect(upstream.calls).toBe(1);
  });

  it("keeps each page's copy in its own coordinator, and hands it to a location with empty tiers", async () => {
    const upstream = fakeKeyApi();
    const { workers } = locations(2);
    const [here, there] = workers as [ReturnType<typeof testWorker>, ReturnType<typeof testWorker>];
    const first = await here.fetch(`${CHART_PATH}?page=3&limit=7`);
    expect(first.headers.get("X-Cache"), await describe(first)).toBe("MISS");

    for (const page of [1, 2]) {
      const stub = env.SOUND_COORDINATOR.get(env.SOUND_COORDINATOR.idFromName(pageKey(page)));
      const stored = await runInDurableObject(stub, (_instance, state) =>
        state.storage.sql.exec<{ status: number; stored_at: number }>("SELECT status, stored_at FROM copy").toArray(),
      );
      expect(stored, `page ${page}`).toEqual([{ status: 200, stored_at: NOON }]);
      // KV is one namespace in these tests; empty it so "there" must ask the coordinators.
      await env.SOUND_CACHE.delete(`sound:${pageKey(page)}`);
    }
    const second = await there.fetch(`${CHART_PATH}?page=3&limit=7`);
    expect(second.status, await describe(second)).toBe(200);
    expect(second.headers.get("X-Cache")).toBe("HIT");
    expect(second.headers.get("Server-Timing")).toBe('cache;desc="coordinator"');
    expect(await second.text()).toBe(await first.text());
    expect(second.headers.get("ETag")).toBe(first.headers.get("ETag"));
    expect(upstream.calls).toBe(2);
  });
});

group("a stale chart page in every location", () => {
  it("is refreshed once for all of them, and every location then serves the new copy", async () => {
    const upstream = fakeKeyApi();
    const { clock, workers } = locations(6);
    await Promise.all(workers.map((worker) => worker.fetch(`${CHART_PATH}?limit=5`)));
    expect(upstream.calls).toBe(1);

    clock.now += 61_000;
    upstream.mock.behave({ latencyMs: 30 });
    const stale = await Promise.all(
      workers.flatMap((worker) => [worker.fetch(`${CHART_PATH}?limit=5`), worker.fetch(`${CHART_PATH}?limit=12`)]),
    );
    for (const res of stale) expect(res.headers.get("X-Cache"), await describe(res)).toBe("STALE");
    expect(upstream.calls).toBe(2);

    const fresh = await Promise.all(workers.map((worker) => worker.fetch(`${CHART_PATH}?limit=5`)));
    for (const res of fresh) expect(res.headers.get("X-Cache"), await describe(res)).toBe("HIT");
    const bodies = await Promise.all(fresh.map(async (res) => (await res.json()) as { fetched_at: string }));
    expect(new Set(bodies.map((body) => body.fetched_at))).toEqual(new Set([new Date(NOON + 61_000).toISOString()]));
    expect(new Set(fresh.map((res) => res.headers.get("ETag"))).size).toBe(1);
    expect(upstream.calls).toBe(2);
  });
});
