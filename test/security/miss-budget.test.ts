/**
 * README, Security: one client costs at most 30 KeyAPI calls a minute in a location (MISS_LIMITER), also when the
 * calls are the background refreshes of stale copies it finds (stale-while-revalidate), its own or others'.
 */
import { expect, describe as group, it } from "vitest";
import { withinOneRateWindow } from "../support/rate-window";
import { fakeKeyApi } from "../support/upstream";
import { describe, SOUND_PATH, testWorker } from "../support/worker";

const MISS_LIMIT = 30;
const CHART = "/v1/tiktok/trending/music";

group("one client's KeyAPI calls per minute in a location", () => {
  it("stay within MISS_LIMITER when the client revisits stale keys", async () => {
    await withinOneRateWindow(60, 20);
    const upstream = fakeKeyApi();
    const clock = { now: Date.UTC(2026, 10, 25, 12) };
    const worker = testWorker({ FRESH_TTL_SECONDS: "60", STALE_TTL_SECONDS: "172800" }, { clock: () => clock.now });
    const client = { headers: { "CF-Connecting-IP": "203.0.113.77" } };

    // The client spends its miss budget: 30 cold keys, then a 429.
    for (let clip = 1; clip <= MISS_LIMIT; clip++) {
      expect((await worker.fetch(`${SOUND_PATH}?clip_id=${clip}`, client)).status).toBe(200);
    }
    const refused = await worker.fetch(`${SOUND_PATH}?clip_id=999`, client);
    expect(refused.status, await describe(refused)).toBe(429);
    expect(upstream.calls).toBe(MISS_LIMIT);

    // Still within the same rate-limit minute (the wall clock), the copies turn stale (the worker's clock).
    clock.now += 61_000;
    for (let clip = 1; clip <= MISS_LIMIT; clip++) {
      const res = await worker.fetch(`${SOUND_PATH}?clip_id=${clip}`, client);
      expect(res.headers.get("X-Cache")).toBe("STALE");
    }
    // Stale copies are served; their refreshes are charged to the client, which has no budget left.
    expect(upstream.calls).toBe(MISS_LIMIT);
  }, 40_000);

  it("stay within MISS_LIMITER with two-page chart windows (a refresh per page, each charged)", async () => {
    await withinOneRateWindow(60, 20);
    const upstream = fakeKeyApi();
    const clock = { now: Date.UTC(2026, 10, 25, 12) };
    const worker = testWorker({ FRESH_TTL_SECONDS: "60", STALE_TTL_SECONDS: "172800" }, { clock: () => clock.now });
    const client = { headers: { "CF-Connecting-IP": "203.0.113.78" } };
    const regions = ["US", "GB", "DE", "FR", "IT", "ES", "JP", "KR", "BR", "MX", "CA", "AU", "IN", "ID", "TR"];
    for (const region of regions) {
      expect((await worker.fetch(`${CHART}?region=${region}&page=3&limit=7`, client)).status).toBe(200);
    }
    expect(upstream.calls).toBe(MISS_LIMIT);
    clock.now += 61_000;
    for (const region of regions) {
      const res = await worker.fetch(`${CHART}?region=${region}&page=3&limit=7`, client);
      expect(res.headers.get("X-Cache")).toBe("STALE");
    }
    expect(upstream.calls).toBeLessThanOrEqual(MISS_LIMIT);
  }, 40_000);
});

group("what one client can really spend in a minute", () => {
  it("120 requests for stale two-page chart windows others fetched earlier cost it at most 30 KeyAPI calls", async () => {
    const { REGION_CODES } = await import("../../src/domain/regions");
    const upstream = fakeKeyApi();
    const clock = { now: Date.UTC(2026, 10, 25, 12) };
    const worker = testWorker({ FRESH_TTL_SECONDS: "60", STALE_TTL_SECONDS: "172800" }, { clock: () => clock.now });
    const charts = [...REGION_CODES]
      .slice(0, 40)
      .flatMap((region) => ["7", "30", "120"].map((period) => `region=${region}&period=${period}&page=3&limit=7`));
    expect(charts).toHaveLength(120);
    // Earlier, eight ordinary clients looked at these charts (15 windows, 30 misses each).
    for (const [i, chart] of charts.entries()) {
      const helper = { headers: { "CF-Connecting-IP": `198.51.100.${Math.floor(i / 15) + 1}` } };
      expect((await worker.fetch(`${CHART}?${chart}`, helper)).status).toBe(200);
    }
    expect(upstream.calls).toBe(240);

    // Later (the pages are stale now), one fresh client asks each window once: RATE_LIMITER's 120 requests.
    clock.now += 61_000;
    await withinOneRateWindow(60, 20);
    const attacker = { headers: { "CF-Connecting-IP": "203.0.113.79" } };
    for (const chart of charts) {
      const res = await worker.fetch(`${CHART}?${chart}`, attacker);
      expect(res.headers.get("X-Cache")).toBe("STALE");
    }
    // README: at most 30 KeyAPI calls a minute for one client in one location.
    expect(upstream.calls - 240).toBeLessThanOrEqual(MISS_LIMIT);
  }, 60_000);
});
