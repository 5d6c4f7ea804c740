import { expect, describe as group, it } from "vitest";
import { EXAMPLE_CLIP_ID } from "../../mock/keyapi";
import { withinOneRateWindow } from "../support/rate-window";
import { fakeKeyApi } from "../support/upstream";
import { describe, SOUND_PATH, testWorker } from "../support/worker";

const TIKTOK_URL = `https://www.tiktok.com/music/New-Sun-${EXAMPLE_CLIP_ID}`;
const oembed = (params: Record<string, string>) => `/oembed?${new URLSearchParams(params)}`;
const problem = (kind: string) => `urn:tiktok-sound-edge:problem:${kind}`;

group("oEmbed", () => {
  it("answers a TikTok music URL with a rich oEmbed 1.0 document, from one KeyAPI call", async () => {
    const upstream = fakeKeyApi();
    const now = Date.now();
    const worker = testWorker({}, { clock: () => now });
    const res = await worker.fetch(oembed({ url: TIKTOK_URL }), { headers: { Origin: "https://cms.example" } });
    expect(res.status, await describe(res)).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("application/json");
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(res.headers.get("X-Cache")).toBe("MISS");
    expect(res.headers.get("Cache-Control")).toBe(
      "public, max-age=300, stale-while-revalidate=176100, stale-if-error=176100",
    );
    expect(res.headers.get("ETag")).toBeNull();
    const src = `${worker.origin}/embed/sound/${EXAMPLE_CLIP_ID}?region=US&amp;period=7`;
    expect(await res.json()).toEqual({
      version: "1.0",
      type: "rich",
      provider_name: "tiktok-sound-edge",
      provider_url: `${worker.origin}/`,
      title: "New Sun",
      author_name: "Chihei Hatakeyama",
      html: expect.stringMatching(
        new RegExp(`^<iframe src="${src.replace(/[?.]/g, "\\$&")}" width="480" height="252" `),
      ),
      width: 480,
      height: 252,
      thumbnail_url:
        "https://p16-sg.tiktokcdn.com/aweme/720x720/tos-alisg-v-2774/ocjWmiaBw4AAcY8ifAzsAAB5EQd8FDEDsu3Awo.jpeg",
      thumbnail_width: 720,
      thumbnail_height: 720,
      cache_age: 300,
    });
    expect(upstream.calls).toBe(1);
  });

  it("fits maxwidth/maxheight and then leaves the 720×720 thumbnail out", async () => {
    fakeKeyApi();
    const res = await testWorker().fetch(oembed({ url: TIKTOK_URL, maxwidth: "320", maxheight: "600" }));
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ width: 320, height: 179 });
    expect(body.html).toContain('width="320" height="179"');
    expect(Object.keys(body).filter((key) => key.startsWith("thumbnail"))).toEqual([]);
  });

  it("answers its own embed URLs, keeping their period, region and theme, from the JSON's cached answer", async () => {
    const upstream = fakeKeyApi();
    const worker = testWorker();
    await worker.fetch(`${SOUND_PATH}?clip_id=12&period=30&region=JP`);
    const url = `${worker.origin}/embed/sound/12?period=30&region=jp&theme=dark`;
    const res = await worker.fetch(oembed({ url, format: "json", dnt: "1" }));
    expect(res.status, await describe(res)).toBe(200);
    expect(res.headers.get("X-Cache")).toBe("HIT");
    const body = (await res.json()) as { html: string };
    expect(body.html).toContain(`src="${worker.origin}/embed/sound/12?region=JP&amp;period=30&amp;theme=dark"`);
    expect(upstream.calls).toBe(1);
  });

  it.each([
    ["no url", {}, 400, "invalid-query"],
    ["an empty url", { url: "" }, 400, "invalid-query"],
    ["a malformed url", { url: "tiktok music 1" }, 400, "invalid-query"],
    ["a bad maxwidth", { url: TIKTOK_URL, maxwidth: "wide" }, 400, "invalid-query"],
    ["a repeated url", "url=a&url=b", 400, "invalid-query"],
    ["format=xml", { url: TIKTOK_URL, format: "xml" }, 501, "unsupported-format"],
    ["another format", { url: TIKTOK_URL, format: "yaml" }, 501, "unsupported-format"],
    ["another host", { url: `https://evil.example/music/x-${EXAMPLE_CLIP_ID}` }, 404, "no-embed"],
    ["another TikTok path", { url: "https://www.tiktok.com/@someone/video/7000000000000000001" }, 404, "no-embed"],
    ["a size nothing fits", { url: TIKTOK_URL, maxwidth: "120" }, 404, "no-embed"],
    ["an unknown sound", { url: "https://www.tiktok.com/music/x-4040000000000000001" }, 404, "sound-not-found"],
  ])("%s → %i %s", async (_name, params, status, kind) => {
    const upstream = fakeKeyApi();
    const path = typeof params === "string" ? `/oembed?${params}` : oembed(params as Record<string, string>);
    const res = await testWorker().fetch(path);
    expect(res.status, await describe(res)).toBe(status);
    expect(res.headers.get("Content-Type")).toBe("application/problem+json");
    expect(await res.json()).toMatchObject({ type: problem(kind), status });
    expect(upstream.calls).toBe(kind === "sound-not-found" ? 1 : 0);
  });

  it("is rate limited like the API", async () => {
    await withinOneRateWindow();
    fakeKeyApi();
    const worker = testWorker();
    const client = { "CF-Connecting-IP": "203.0.113.90" };
    for (let i = 0; i < 120; i++) {
      expect((await worker.fetch(oembed({ url: TIKTOK_URL }), { headers: client })).status).toBe(200);
    }
    const res = await worker.fetch(oembed({ url: TIKTOK_URL }), { headers: client });
    expect(res.status, await describe(res)).toBe(429);
    expect(res.headers.get("Retry-After")).toBe("60");
  }, 30_000);
});
