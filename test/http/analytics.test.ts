/**
 * One Analytics Engine data point per request, per surface, through a stand-in
 * binding that records the points (`wrangler dev` drops real writes, and tests
 * have no dataset to query).
 */
import { expect, describe as group, it, vi } from "vitest";
import { dataPoint, fitIndex, MAX_INDEX_BYTES } from "../../src/http/analytics";
import { signStandard } from "../../src/webhook/standard";
import { fakeKeyApi } from "../support/upstream";
import { describe, SOUND_PATH, testWorker } from "../support/worker";

const CLIP = "6703723351497508865";
const KEY = `v1:${CLIP}:7:US`;
/** The first upstream page of the US chart, which the chart card and the chart page are drawn from. */
const CHART_KEY = "list-v1:US:7:1:20";
const ADMIN_TOKEN = "admin-token-0123456789";
const WEBHOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

function recorder() {
  const points: AnalyticsEngineDataPoint[] = [];
  return { points, binding: { writeDataPoint: (point?: AnalyticsEngineDataPoint) => point && points.push(point) } };
}

/** A point as the README's SQL reads it. */
function named(point: AnalyticsEngineDataPoint | undefined) {
  const [surface, route, cache, region, colo, upstream] = point?.blobs ?? [];
  const [durationMs, upstreamMs, status] = point?.doubles ?? [];
  return { surface, route, cache, region, colo, upstream, durationMs, upstreamMs, status, index: point?.indexes?.[0] };
}

group("one data point per request", () => {
  it("says the surface, route, X-Cache, status, region, location, times and cache key of each", async () => {
    fakeKeyApi();
    const { points, binding } = recorder();
    const worker = testWorker({ ANALYTICS: binding, ADMIN_TOKEN, WEBHOOK_SECRET });
    const requests: [string, RequestInit?][] = [
      [`${SOUND_PATH}?clip_id=${CLIP}`, { cf: { colo: "FRA" } } as RequestInit],
      [`${SOUND_PATH}?clip_id=${CLIP}&region=us`, { headers: { Origin: "https://blog.example" } }],
      [`${SOUND_PATH}?clip_id=${CLIP}`, { headers: { "Sec-Fetch-Mode": "cors", "Sec-Fetch-Site": "same-origin" } }],
      [`/v1/tiktok/trending/music/card.svg?clip_id=${CLIP}&theme=dark`],
      [`/embed/sound/${CLIP}?region=US`],
      [`/oembed?url=https://www.tiktok.com/music/x-${CLIP}`],
      ["/v1/tiktok/trending/music/chart.svg?region=US&limit=3"],
      ["/embed/chart?region=US&theme=dark"],
      ["/v1/admin/usage", { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } }],
      ["/health"],
      ["/nowhere"],
      [`${SOUND_PATH}?clip_id=x`],
    ];
    for (const [path, init] of requests) await worker.fetch(path, init);
    const body = JSON.stringify({ items: [{ clip_id: CLIP }] });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const key = Uint8Array.from(atob(WEBHOOK_SECRET.slice(6)), (char) => char.charCodeAt(0));
    const refreshed = await worker.fetch("/v1/webhooks/refresh", {
      method: "POST",
      body,
      headers: {
        "Content-Type": "application/json",
        "webhook-id": "msg_analytics",
        "webhook-timestamp": timestamp,
        "webhook-signature": await signStandard(key, "msg_analytics", timestamp, body),
      },
    });
    expect(refreshed.status, await describe(refreshed)).toBe(200);

    expect(points).toHaveLength(requests.length + 1);
    const rows = points.map(named);
    for (const row of rows) {
      expect(row.durationMs).toBeGreaterThanOrEqual(0);
      expect(row.upstreamMs).toBeGreaterThanOrEqual(0);
    }
    const summary = rows.map(({ surface, route, cache, region, colo, upstream, status, index }) => [
      surface,
      route,
      cache,
      region,
      colo,
      upstream,
      status,
      index,
    ]);
    expect(summary).toEqual([
      ["json", SOUND_PATH, "MISS", "US", "FRA", "called", 200, KEY],
      ["widget", SOUND_PATH, "HIT", "US", "", "", 200, KEY],
      ["widget", SOUND_PATH, "HIT", "US", "", "", 200, KEY],
      ["card", "/v1/tiktok/trending/music/card.svg", "HIT", "US", "", "", 200, KEY],
      ["embed", "/embed/sound/:clip_id", "HIT", "US", "", "", 200, KEY],
      ["oembed", "/oembed", "HIT", "US", "", "", 200, KEY],
      ["card", "/v1/tiktok/trending/music/chart.svg", "MISS", "US", "", "called", 200, CHART_KEY],
      ["embed", "/embed/chart", "HIT", "US", "", "", 200, CHART_KEY],
      ["admin", "/v1/admin/usage", "", "", "", "", 200, ""],
      ["other", "/health", "", "", "", "", 200, ""],
      ["other", "", "", "", "", "", 404, ""],
      ["json", SOUND_PATH, "", "", "", "", 400, ""],
      ["webhook", "/v1/webhooks/refresh", "", "", "", "", 200, ""],
    ]);
    // No KeyAPI time on a hit.
    expect(rows[1]?.upstreamMs).toBe(0);
  });

  it("writes nothing, and breaks nothing, without the binding", async () => {
    fakeKeyApi();
    const warn = vi.spyOn(console, "warn");
    const res = await testWorker({ ANALYTICS: undefined }).fetch(`${SOUND_PATH}?clip_id=${CLIP}`);
    expect(res.status, await describe(res)).toBe(200);
    expect(warn).not.toHaveBeenCalled();
  });

  it("a binding that throws costs the data point, not the response", async () => {
    fakeKeyApi();
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const broken = {
      writeDataPoint: () => {
        throw new Error("dataset unavailable");
      },
    };
    const res = await testWorker({ ANALYTICS: broken }).fetch(`${SOUND_PATH}?clip_id=${CLIP}`);
    expect(res.status, await describe(res)).toBe(200);
    expect(warn.mock.calls.map(([line]) => JSON.parse(String(line)).message)).toEqual([
      "analytics data point not written",
    ]);
  });
});

group("the index", () => {
  it.each([
    ["a cache key", KEY, KEY],
    ["96 ASCII bytes", "k".repeat(96), "k".repeat(96)],
    ["97 ASCII bytes", "k".repeat(97), "k".repeat(96)],
    // 47 two-byte letters are 94 bytes; the 48th would end at 96, the 49th does not fit.
    ["two-byte letters", "é".repeat(60), "é".repeat(48)],
    ["a four-byte character across the limit", `${"k".repeat(94)}🎵x`, "k".repeat(94)],
  ])("keeps %s within 96 bytes of UTF-8, never cutting a character", (_name, key, index) => {
    expect(fitIndex(key)).toBe(index);
    expect(new TextEncoder().encode(fitIndex(key)).length).toBeLessThanOrEqual(MAX_INDEX_BYTES);
  });

  it("is the point's only index", () => {
    const point = dataPoint(
      { surface: "json", route: SOUND_PATH, key: "k".repeat(200), region: "US" },
      { status: 200, cache: "HIT", upstream: undefined, durationMs: 3, colo: "AMS" },
    );
    expect(point).toEqual({
      blobs: ["json", SOUND_PATH, "HIT", "US", "AMS", ""],
      doubles: [3, 0, 200],
      indexes: ["k".repeat(96)],
    });
  });
});
