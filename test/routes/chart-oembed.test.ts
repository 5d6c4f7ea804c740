/**
 * `GET /oembed?url=` for this service's own `/embed/chart?…` URLs: the `rich` chart answer from the chart's
 * cached upstream pages, sized by `limit` within `maxwidth`/`maxheight`, with the view's caching headers; and
 * every other URL answered as before. The answer's shape is tested in test/embed/chart-oembed.test.ts.
 */
import { expect, describe as group, it } from "vitest";
import { EXAMPLE_CLIP_ID } from "../../mock/keyapi";
import { EXAMPLE_COVER, keyApiList } from "../support/chart";
import { fakeKeyApi } from "../support/upstream";
import { describe, testWorker } from "../support/worker";

const LIST_PATH = "/v1/tiktok/trending/music";
const PUBLIC_URL = "https://sounds.example.com";
const oembed = (params: Record<string, string>) => `/oembed?${new URLSearchParams(params)}`;
const problem = (kind: string) => `urn:tiktok-sound-edge:problem:${kind}`;

type Answer = Record<string, unknown> & { html: string };

/** The iframe an answer embeds: its src (entities decoded), width, height and title. */
function iframeOf(answer: Answer) {
  const match = /^<iframe src="([^"]*)" width="(\d+)" height="(\d+)" title="([^"]*)" /.exec(answer.html);
  expect(match, answer.html).not.toBeNull();
  const [, src, width, height, title] = match as unknown as string[];
  return { src: src?.replaceAll("&amp;", "&"), width: Number(width), height: Number(height), title };
}

group("oEmbed for a chart page", () => {
  it("answers this service's own /embed/chart URL with the rich chart answer, from the JSON's cached page", async () => {
    const upstream = fakeKeyApi();
    const now = Date.now();
    const worker = testWorker({}, { clock: () => now });
    const json = await worker.fetch(`${LIST_PATH}?limit=3`);
    expect(json.status, await describe(json)).toBe(200);
    const url = `${worker.origin}/embed/chart?limit=10&period=7&region=us`;
    const res = await worker.fetch(oembed({ url, format: "json", dnt: "1" }), {
      headers: { Origin: "https://cms.example" },
    });
    expect(res.status, await describe(res)).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("application/json");
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(res.headers.get("Cross-Origin-Resource-Policy")).toBe("cross-origin");
    expect(res.headers.get("X-Cache")).toBe("HIT");
    expect(res.headers.get("Cache-Control")).toBe(json.headers.get("Cache-Control"));
    expect(res.headers.get("Age")).toBe("0");
    expect(res.headers.get("ETag")).toBeNull();
    expect(res.headers.get("Vary")).toBe("Host");
    const page = `${worker.origin}/embed/chart?region=US&amp;period=7&amp;limit=10`;
    expect(await res.json()).toEqual({
      version: "1.0",
      type: "rich",
      provider_name: "tiktok-sound-edge",
      provider_url: `${worker.origin}/`,
      title: "Trending TikTok sounds in US, last 7 days",
      html:
        `<iframe src="${page}" width="480" height="552" title="Trending TikTok sounds in US, last 7 days" ` +
        `style="border:0;max-width:100%" loading="lazy" referrerpolicy="no-referrer" ` +
        `sandbox="allow-popups allow-popups-to-escape-sandbox"></iframe>`,
      width: 480,
      height: 552,
      thumbnail_url: EXAMPLE_COVER,
      thumbnail_width: 720,
      thumbnail_height: 720,
      cache_age: 300,
    });
    expect(upstream.calls).toBe(1);
  });

  it("titles the answer as the page's og:title, and frames the page oEmbed discovery names", async () => {
    fakeKeyApi();
    const worker = testWorker();
    const pageRes = await worker.fetch("/embed/chart?region=GB&period=30&new_to_top_100=true&limit=4&theme=dark");
    const html = await pageRes.text();
    const discovery = /<link rel="alternate" type="application\/json\+oembed" href="([^"]*)"/.exec(html)?.[1];
    const ogTitle = /<meta property="og:title" content="([^"]*)">/.exec(html)?.[1];
    const res = await worker.fetch((discovery ?? "").replaceAll("&amp;", "&"));
    expect(res.status, await describe(res)).toBe(200);
    const answer = (await res.json()) as Answer;
    expect(answer.title).toBe(ogTitle);
    expect(answer.title).toBe("Trending TikTok sounds in GB, last 30 days, new to top 100");
    expect(iframeOf(answer)).toEqual({
      src: `${worker.origin}/embed/chart?region=GB&period=30&new_to_top_100=true&limit=4&theme=dark`,
      width: 480,
      height: 64 + 48 * 4 + 8,
      title: answer.title,
    });
  });

  it.each([
    ["limit=1", {}, { width: 480, height: 120 }],
    ["limit=20", {}, { width: 480, height: 1032 }],
    ["limit=10", { maxwidth: "320" }, { width: 320, height: 552 }],
    ["limit=10", { maxwidth: "900", maxheight: "300" }, { width: 480, height: 300 }],
    ["limit=5", { maxheight: "120" }, { width: 480, height: 120 }],
  ])("sizes the iframe by %s within %j", async (query, bounds, size) => {
    fakeKeyApi();
    const worker = testWorker();
    const res = await worker.fetch(oembed({ url: `${worker.origin}/embed/chart?${query}`, ...bounds }));
    expect(res.status, await describe(res)).toBe(200);
    const answer = (await res.json()) as Answer;
    expect({ width: answer.width, height: answer.height }).toEqual(size);
    expect({ width: iframeOf(answer).width, height: iframeOf(answer).height }).toEqual(size);
    // The 720×720 thumbnail only where it fits the consumer's bounds.
    const fits = Object.values(bounds).every((bound) => Number(bound) >= 720);
    expect(answer.thumbnail_url).toBe(fits ? EXAMPLE_COVER : undefined);
  });

  it.each([
    ["narrower than 200 px", { maxwidth: "199" }],
    ["lower than the heading and one row", { maxheight: "119" }],
  ])("a size nothing fits (%s) → 404 no-embed, no KeyAPI call", async (_name, bounds) => {
    const upstream = fakeKeyApi();
    const worker = testWorker();
    const res = await worker.fetch(oembed({ url: `${worker.origin}/embed/chart`, ...bounds }));
    expect(res.status, await describe(res)).toBe(404);
    expect(await res.json()).toMatchObject({ type: problem("no-embed"), status: 404 });
    expect(upstream.calls).toBe(0);
  });

  it("a bad query inside url → 400 naming url, no KeyAPI call", async () => {
    const upstream = fakeKeyApi();
    const worker = testWorker();
    const res = await worker.fetch(oembed({ url: `${worker.origin}/embed/chart?page=2&limit=30&region=US` }));
    expect(res.status, await describe(res)).toBe(400);
    expect(res.headers.get("Content-Type")).toBe("application/problem+json");
    expect(await res.json()).toMatchObject({
      type: problem("invalid-query"),
      errors: [
        { param: "url", message: "page is not a known parameter" },
        { param: "url", message: "limit must be a whole number from 1 to 20" },
      ],
    });
    expect(upstream.calls).toBe(0);
  });

  it("an empty chart → the rich answer without a thumbnail", async () => {
    fakeKeyApi(() => keyApiList([]));
    const worker = testWorker();
    const res = await worker.fetch(oembed({ url: `${worker.origin}/embed/chart?limit=3` }));
    expect(res.status, await describe(res)).toBe(200);
    const answer = (await res.json()) as Answer;
    expect(answer.title).toBe("Trending TikTok sounds in US, last 7 days");
    expect(Object.keys(answer).filter((key) => key.startsWith("thumbnail"))).toEqual([]);
  });

  it("KeyAPI failing → its problem, as for a sound", async () => {
    fakeKeyApi().mock.behave({ mode: "status", status: 500 });
    const worker = testWorker();
    const res = await worker.fetch(oembed({ url: `${worker.origin}/embed/chart` }));
    expect(res.status, await describe(res)).toBe(502);
    expect(await res.json()).toMatchObject({ type: problem("upstream-error") });
  });

  it("accepts chart URLs under PUBLIC_URL only, and links there whatever the Host", async () => {
    fakeKeyApi();
    const worker = testWorker({ PUBLIC_URL });
    const own = `${PUBLIC_URL}/embed/chart?region=jp&limit=2`;
    const res = await worker.fetch(`https://attacker.example${oembed({ url: own })}`, {
      headers: { Host: "attacker.example" },
    });
    expect(res.status, await describe(res)).toBe(200);
    expect(res.headers.get("Vary")).toBeNull();
    const answer = (await res.json()) as Answer;
    expect(answer.provider_url).toBe(`${PUBLIC_URL}/`);
    expect(iframeOf(answer).src).toBe(`${PUBLIC_URL}/embed/chart?region=JP&period=7&limit=2`);
    for (const host of ["https://attacker.example", worker.origin]) {
      const other = await worker.fetch(oembed({ url: `${host}/embed/chart?region=jp&limit=2` }));
      expect(other.status, await describe(other)).toBe(404);
      expect(await other.json()).toMatchObject({ type: problem("no-embed") });
    }
  });
});

group("oEmbed for every other URL, as before", () => {
  it("a TikTok music URL → the sound's rich answer", async () => {
    fakeKeyApi();
    const worker = testWorker();
    const res = await worker.fetch(oembed({ url: `https://www.tiktok.com/music/New-Sun-${EXAMPLE_CLIP_ID}` }));
    expect(res.status, await describe(res)).toBe(200);
    const answer = (await res.json()) as Answer;
    expect(answer).toMatchObject({ title: "New Sun", author_name: "Chihei Hatakeyama", width: 480, height: 252 });
    expect(iframeOf(answer).src).toBe(`${worker.origin}/embed/sound/${EXAMPLE_CLIP_ID}?region=US&period=7`);
  });

  it("its own sound embed URL → the sound's rich answer", async () => {
    fakeKeyApi();
    const worker = testWorker();
    const res = await worker.fetch(oembed({ url: `${worker.origin}/embed/sound/${EXAMPLE_CLIP_ID}?theme=dark` }));
    expect(res.status, await describe(res)).toBe(200);
    expect(iframeOf((await res.json()) as Answer).src).toBe(
      `${worker.origin}/embed/sound/${EXAMPLE_CLIP_ID}?region=US&period=7&theme=dark`,
    );
  });

  it.each([
    ["another host's chart page", "https://elsewhere.example/embed/chart"],
    ["a path under the chart page", "{origin}/embed/chart/1"],
    ["another path that starts like it", "{origin}/embed/charts?region=US"],
    ["the chart's JSON", `{origin}${LIST_PATH}?region=US`],
    ["the chart card", `{origin}${LIST_PATH}/chart.svg?region=US`],
  ])("%s → 404 no-embed, no KeyAPI call", async (_name, url) => {
    const upstream = fakeKeyApi();
    const worker = testWorker();
    const res = await worker.fetch(oembed({ url: url.replace("{origin}", worker.origin) }));
    expect(res.status, await describe(res)).toBe(404);
    expect(await res.json()).toMatchObject({ type: problem("no-embed") });
    expect(upstream.calls).toBe(0);
  });
});
