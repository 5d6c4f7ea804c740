import { expect, describe as group, it, vi } from "vitest";
import type { MockBehaviour } from "../../mock/keyapi";
import { TEST_KEYAPI_KEY } from "../support/constants";
import { fakeKeyApi } from "../support/upstream";
import { describe, SOUND_PATH, testWorker } from "../support/worker";

const behaviours: (MockBehaviour | undefined)[] = [
  undefined,
  { mode: "status", status: 401 },
  { mode: "status", status: 402 },
  { mode: "status", status: 500 },
  { mode: "envelope-error", status: 401 },
  { mode: "garbage" },
  { mode: "odd-shape" },
];

group("the KeyAPI key", () => {
  it.each(behaviours)("never appears in a response or a log line (%j)", async (behaviour) => {
    const logged: string[] = [];
    for (const level of ["log", "info", "warn", "error", "debug"] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        logged.push(args.map(String).join(" "));
      });
    }
    const upstream = fakeKeyApi();
    if (behaviour) upstream.mock.behave(behaviour);
    const worker = testWorker();
    for (const path of [`${SOUND_PATH}?clip_id=1`, `${SOUND_PATH}?clip_id=x`, "/health", "/nope"]) {
      const res = await worker.fetch(path, { headers: { Origin: "https://a.example" } });
      const text = await describe(res);
      expect(text).not.toContain(TEST_KEYAPI_KEY);
      expect(text.toLowerCase()).not.toContain("bearer");
    }
    expect(logged.length).toBeGreaterThan(0);
    for (const line of logged) expect(line).not.toContain(TEST_KEYAPI_KEY);
  });

  it("never reaches KeyAPI unauthenticated: a missing key means no call at all", async () => {
    const upstream = fakeKeyApi();
    const res = await testWorker({ KEYAPI_API_KEY: undefined }).fetch(`${SOUND_PATH}?clip_id=1`);
    expect(res.status, await describe(res)).toBe(500);
    expect(upstream.calls).toBe(0);
  });
});

group("security headers", () => {
  it.each([`${SOUND_PATH}?clip_id=1`, `${SOUND_PATH}?clip_id=x`, "/health", "/nope"])("are on %s", async (path) => {
    fakeKeyApi();
    const res = await testWorker().fetch(path);
    expect(res.headers.get("X-Content-Type-Options"), await describe(res)).toBe("nosniff");
    expect(res.headers.get("Content-Security-Policy")).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(res.headers.get("Referrer-Policy")).toBe("no-referrer");
    expect(res.headers.get("X-Request-Id")).toMatch(/^[\w-]+$/);
  });
});

group("Cross-Origin-Resource-Policy", () => {
  const TIKTOK_URL = "https://www.tiktok.com/music/x-1";
  const embeds = [
    ["the card", "/v1/tiktok/trending/music/card.svg?clip_id=1"],
    ["a card for an unknown sound", "/v1/tiktok/trending/music/card.svg?clip_id=4040000000000000001"],
    ["an error card", "/v1/tiktok/trending/music/card.svg?clip_id=x"],
    ["a POST to the card (405)", "/v1/tiktok/trending/music/card.svg?clip_id=1", "POST"],
    ["the embed page", "/embed/sound/1"],
    ["an embed page for an unknown sound", "/embed/sound/4040000000000000001"],
    ["an embed error page", "/embed/sound/1?theme=sepia"],
    ["the chart card", "/v1/tiktok/trending/music/chart.svg"],
    ["a chart card error", "/v1/tiktok/trending/music/chart.svg?page=2"],
    ["the chart page", "/embed/chart"],
    ["a chart page error", "/embed/chart?page=2"],
    ["oEmbed", `/oembed?url=${encodeURIComponent(TIKTOK_URL)}`],
    ["an oEmbed error", "/oembed?url=x"],
  ];

  // A page isolated with Cross-Origin-Embedder-Policy: require-corp shows another origin's image or frame only then.
  it.each(embeds)("is cross-origin on %s", async (_name, path, method = "GET") => {
    fakeKeyApi();
    const res = await testWorker().fetch(path as string, { method });
    expect(res.headers.get("Cross-Origin-Resource-Policy"), await describe(res)).toBe("cross-origin");
  });

  it("is cross-origin on 304s of the cards and the embed pages", async () => {
    fakeKeyApi();
    const worker = testWorker();
    const paths = ["/v1/tiktok/trending/music/card.svg?clip_id=1", "/embed/sound/1"];
    for (const path of [...paths, "/v1/tiktok/trending/music/chart.svg", "/embed/chart"]) {
      const etag = (await worker.fetch(path)).headers.get("ETag") ?? "";
      const again = await worker.fetch(path, { headers: { "If-None-Match": etag } });
      expect(again.status, await describe(again)).toBe(304);
      expect(again.headers.get("Cross-Origin-Resource-Policy")).toBe("cross-origin");
    }
  });

  it.each([`${SOUND_PATH}?clip_id=1`, "/health", "/nope"])("is left to the browser's default on %s", async (path) => {
    fakeKeyApi();
    const res = await testWorker().fetch(path);
    expect(res.headers.get("Cross-Origin-Resource-Policy"), await describe(res)).toBeNull();
  });
});
