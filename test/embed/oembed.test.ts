import { expect, describe as group, it } from "vitest";
import { ProblemError } from "../../src/domain/problems";
import type { SoundPayload } from "../../src/domain/sound";
import { embedPageUrl, embedSize, embedTarget, oembedResponse } from "../../src/embed/oembed";
import example from "../fixtures/example-payload.json";
import { EMOJI_SEQUENCES, ZERO_WIDTH_TEXT } from "../support/hostile-text";

const OWN = "https://sounds.example";
const ID = "6703723351497508865";
const kindOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof ProblemError) return { kind: error.kind, errors: error.errors };
    throw error;
  }
  return null;
};

group("embedTarget", () => {
  it.each([
    `https://www.tiktok.com/music/New-Sun-${ID}`,
    `https://www.tiktok.com/music/x-${ID}`,
    `https://www.tiktok.com/music/${ID}`,
    `https://tiktok.com/music/New-Sun-${ID}`,
    `https://m.tiktok.com/music/New-Sun-${ID}/`,
    `http://www.tiktok.com/music/New-Sun-${ID}?lang=en#top`,
    `https://www.tiktok.com/music/%E6%96%B0%E3%81%97%E3%81%84-${ID}`,
    `https://WWW.TIKTOK.COM/music/New-Sun-${ID}`,
  ])("reads the clip id of TikTok music URL %s", (url) => {
    expect(embedTarget(url, OWN)).toEqual({ sound: { clipId: ID, period: 7, region: "US" }, theme: "auto" });
  });

  it("reads this service's own embed URLs with their query", () => {
    expect(embedTarget(`${OWN}/embed/sound/${ID}?period=30&region=gb&theme=dark`, OWN)).toEqual({
      sound: { clipId: ID, period: 30, region: "GB" },
      theme: "dark",
    });
    expect(embedTarget(`${OWN}/embed/sound/42`, OWN)).toEqual({
      sound: { clipId: "42", period: 7, region: "US" },
      theme: "auto",
    });
  });

  it("reads this service's own chart page URLs with the page's query", () => {
    const chart = { period: 7, newToTop100: false, commercialMusic: false, searchKeyword: null, page: 1 };
    expect(embedTarget(`${OWN}/embed/chart`, OWN)).toEqual({
      chart: { ...chart, region: "US", limit: 10 },
      theme: "auto",
    });
    expect(embedTarget(`${OWN}/embed/chart?limit=20&commercial_music=true&region=jp&theme=light`, OWN)).toEqual({
      chart: { ...chart, region: "JP", commercialMusic: true, limit: 20 },
      theme: "light",
    });
  });

  it.each([
    ["a chart page on another origin", "https://other.example/embed/chart?region=US"],
    ["a path under the chart page", `${OWN}/embed/chart/x`],
    ["the chart page with a trailing slash", `${OWN}/embed/chart/`],
    ["the chart card", `${OWN}/v1/tiktok/trending/music/chart.svg?region=US`],
  ])("refuses %s (no-embed → 404)", (_name, url) => {
    expect(kindOf(() => embedTarget(url, OWN))).toEqual({ kind: "no-embed", errors: undefined });
  });

  it("names the problems of an own chart page URL's query as problems of `url`", () => {
    expect(kindOf(() => embedTarget(`${OWN}/embed/chart?search_keyword=sun&limit=21`, OWN))).toEqual({
      kind: "invalid-query",
      errors: [
        { param: "url", message: "search_keyword is not a known parameter" },
        { param: "url", message: "limit must be a whole number from 1 to 20" },
      ],
    });
  });

  it.each([
    ["another host", `https://evil.example/music/New-Sun-${ID}`],
    ["a look-alike host", `https://www.tiktok.com.evil.example/music/New-Sun-${ID}`],
    ["a TikTok video", "https://www.tiktok.com/@user/video/7000000000000000000"],
    ["a TikTok profile", "https://www.tiktok.com/@user"],
    ["a TikTok music URL without an id", "https://www.tiktok.com/music/New-Sun"],
    ["a TikTok music URL with an id too long", `https://www.tiktok.com/music/x-${"9".repeat(21)}`],
    ["a deeper TikTok path", `https://www.tiktok.com/music/New-Sun-${ID}/videos`],
    ["TikTok on another port", `https://www.tiktok.com:8443/music/New-Sun-${ID}`],
    ["credentials in the URL", `https://user:pw@www.tiktok.com/music/New-Sun-${ID}`],
    ["our card, not our embed page", `${OWN}/v1/tiktok/trending/music/card.svg?clip_id=${ID}`],
    ["an embed path on another origin", `https://other.example/embed/sound/${ID}`],
    ["an embed path with more segments", `${OWN}/embed/sound/${ID}/x`],
  ])("refuses %s (no-embed → 404)", (_name, url) => {
    expect(kindOf(() => embedTarget(url, OWN))).toEqual({ kind: "no-embed", errors: undefined });
  });

  it.each([
    ["not a URL", "tiktok.com/music/x-1"],
    ["a relative URL", `/embed/sound/${ID}`],
    ["another scheme", `javascript:alert("https://www.tiktok.com/music/x-${ID}")`],
  ])("refuses %s as an invalid url parameter (400)", (_name, url) => {
    expect(kindOf(() => embedTarget(url, OWN))).toEqual({
      kind: "invalid-query",
      errors: [{ param: "url", message: "must be an absolute http(s) URL" }],
    });
  });

  it("names the problems of an own embed URL's query as problems of `url`", () => {
    expect(kindOf(() => embedTarget(`${OWN}/embed/sound/1x?period=8&utm=1`, OWN))).toEqual({
      kind: "invalid-query",
      errors: [
        { param: "url", message: "utm is not a known parameter" },
        { param: "url", message: "clip_id must be 1 to 20 decimal digits (0-9)" },
        { param: "url", message: "period must be one of 7, 30 or 120" },
      ],
    });
  });
});

group("embedSize", () => {
  it.each([
    [undefined, undefined, { width: 480, height: 252 }],
    [1000, 1000, { width: 480, height: 252 }],
    [320, undefined, { width: 320, height: 179 }],
    [undefined, 200, { width: 366, height: 200 }],
    [400, 150, { width: 257, height: 150 }],
    [200, undefined, { width: 200, height: 124 }],
    [199, undefined, null],
    [undefined, 100, null],
  ])("maxwidth %j, maxheight %j → %j", (maxWidth, maxHeight, expected) => {
    const size = embedSize(maxWidth, maxHeight);
    expect(size).toEqual(expected);
    if (size) {
      expect(size.width).toBeLessThanOrEqual(maxWidth ?? 480);
      expect(size.height).toBeLessThanOrEqual(maxHeight ?? 252);
    }
  });
});

group("oembedResponse", () => {
  const sound = example as SoundPayload;
  const query = { sound: { clipId: ID, period: 7 as const, region: "US" }, theme: "auto" as const };
  const options = { origin: OWN, providerName: "tiktok-sound-edge", size: { width: 480, height: 252 }, cacheAge: 300 };

  it("is a rich oEmbed 1.0 answer with an iframe of the embed page", () => {
    expect(oembedResponse(sound, query, options)).toEqual({
      version: "1.0",
      type: "rich",
      provider_name: "tiktok-sound-edge",
      provider_url: `${OWN}/`,
      title: "New Sun",
      author_name: "Chihei Hatakeyama",
      html:
        `<iframe src="${OWN}/embed/sound/${ID}?region=US&amp;period=7" width="480" height="252" ` +
        `title="TikTok sound: New Sun — Chihei Hatakeyama" style="border:0;max-width:100%" loading="lazy" ` +
        `referrerpolicy="no-referrer" sandbox="allow-popups allow-popups-to-escape-sandbox"></iframe>`,
      width: 480,
      height: 252,
      thumbnail_url: sound.cover,
      thumbnail_width: 720,
      thumbnail_height: 720,
      cache_age: 300,
    });
  });

  it("leaves the thumbnail out, all three fields, when the cover exceeds maxwidth or maxheight or is not https", () => {
    for (const extra of [{ maxWidth: 719 }, { maxHeight: 500 }]) {
      const answer = oembedResponse(sound, query, { ...options, ...extra });
      expect(Object.keys(answer).filter((key) => key.startsWith("thumbnail"))).toEqual([]);
    }
    const plain = oembedResponse({ ...sound, cover: "http://p16.example/a.jpeg" }, query, options);
    expect(Object.keys(plain).filter((key) => key.startsWith("thumbnail"))).toEqual([]);
    expect(oembedResponse(sound, query, { ...options, maxWidth: 720, maxHeight: 720 }).thumbnail_url).toBe(sound.cover);
  });

  it("escapes hostile text in the html and leaves author_name out when there is none", () => {
    const answer = oembedResponse({ ...sound, title: `"><script>x</script>`, author: null }, query, options);
    expect(answer.html).toContain('title="TikTok sound: &quot;&gt;&lt;script&gt;x&lt;/script&gt;"');
    expect(answer.html).not.toContain("<script");
    expect(answer.title).toBe(`"><script>x</script>`);
    expect("author_name" in answer).toBe(false);
  });

  it.each([
    ...ZERO_WIDTH_TEXT,
    ["a 400-character title", "A very long title that goes on ".repeat(13).slice(0, 400)],
    ["400 emoji families", "👩‍👩‍👧‍👦".repeat(400)],
  ])("caps title and author_name at 150 code points, and the iframe's title at 90 more: %s", (_name, value) => {
    const answer = oembedResponse({ ...sound, title: value, author: value }, query, options);
    expect([...answer.title].length).toBeLessThanOrEqual(150);
    expect([...(answer.author_name ?? "")].length).toBeLessThanOrEqual(150);
    const iframeTitle = /title="TikTok sound: ([^"]*)"/.exec(answer.html)?.[1] ?? "";
    expect([...iframeTitle.replace(/&[a-z0-9#]+;/g, "&")].length).toBeLessThanOrEqual(90);
  });

  it("keeps emoji sequences whole in title and author_name", () => {
    const title = EMOJI_SEQUENCES.join(" ");
    const answer = oembedResponse({ ...sound, title, author: title }, query, options);
    expect(answer.title).toBe(title);
    expect(answer.author_name).toBe(title);
  });

  it("keeps a theme in the embed URL", () => {
    expect(embedPageUrl(OWN, { ...query, theme: "dark" })).toBe(
      `${OWN}/embed/sound/${ID}?region=US&period=7&theme=dark`,
    );
  });
});
