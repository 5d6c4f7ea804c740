import { expect, describe as group, it } from "vitest";
import { EXAMPLE_CLIP_ID } from "../../mock/keyapi";
import { expectEmbedHeaders, HTML } from "../support/embeds";
import { ZERO_WIDTH_TEXT } from "../support/hostile-text";
import { withinOneRateWindow } from "../support/rate-window";
import { fakeKeyApi } from "../support/upstream";
import { describe, SOUND_PATH, testWorker } from "../support/worker";
import { allText, inertnessProblems, parseXml } from "../support/xml";

const page = (clipId: string, query = "") => `/embed/sound/${clipId}${query ? `?${query}` : ""}`;
/** The tags a page may contain: its own, and the card's. */
const PAGE_TAGS = new Set([
  "!doctype",
  "html",
  "head",
  "meta",
  "title",
  "link",
  "style",
  "body",
  "main",
  "h1",
  "p",
  "a",
  "span",
]);
const CARD_TAGS = new Set(["svg", "title", "desc", "style", "rect", "circle", "path", "polygon", "polyline", "text"]);

const decode = (value: string) =>
  value.replace(
    /&(amp|lt|gt|quot|#39);/g,
    (_, name: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" })[name] as string,
  );

/** `<meta property|name="key" content="…">`, decoded; undefined when absent. */
function metaOf(html: string, key: string): string | undefined {
  const match = new RegExp(`<meta (?:property|name)="${key}" content="([^"<>]*)">`).exec(html);
  return match ? decode(match[1] as string) : undefined;
}

/** Checks the page's markup: only known tags, and the inline card well-formed and inert. */
function checkPage(html: string) {
  const tags = [...html.matchAll(/<\/?([!a-zA-Z][\w:-]*)/g)].map((match) => (match[1] as string).toLowerCase());
  for (const tag of tags) expect(PAGE_TAGS.has(tag) || CARD_TAGS.has(tag), `<${tag}>`).toBe(true);
  const svg = html.slice(html.indexOf("<svg"), html.lastIndexOf("</svg>") + 6);
  const root = parseXml(svg);
  expect(inertnessProblems(root)).toEqual([]);
  return root;
}

/** The text of the page's one `<h1>`, decoded. */
function headingOf(html: string): string | undefined {
  const headings = [...html.matchAll(/<h1 class="vh">([^<]*)<\/h1>/g)];
  expect(headings.length).toBeLessThanOrEqual(1);
  return headings[0] ? decode(headings[0][1] as string) : undefined;
}

group("the embed page", () => {
  it("shows the card server-rendered, with link previews and oEmbed discovery", async () => {
    const upstream = fakeKeyApi();
    const worker = testWorker({ ALLOWED_ORIGINS: "https://blog.example,https://cms.example" });
    const res = await worker.fetch(page(EXAMPLE_CLIP_ID));
    expect(res.status, await describe(res)).toBe(200);
    expect(res.headers.get("Content-Type")).toBe(HTML);
    expectEmbedHeaders(res, "'self' https://blog.example https://cms.example");
    expect(res.headers.get("X-Cache")).toBe("MISS");
    expect(res.headers.get("ETag")).toMatch(/^"[\w-]+-embed-auto-\d+"$/);
    const html = await res.text();
    const root = checkPage(html);
    expect(root.children[0]?.text).toBe("New Sun — Chihei Hatakeyama");
    expect(allText(root)).toContain("Latvia");

    const url = `${worker.origin}/embed/sound/${EXAMPLE_CLIP_ID}?region=US&period=7`;
    expect(html).toContain("<title>New Sun — Chihei Hatakeyama · TikTok sound</title>");
    expect(metaOf(html, "og:title")).toBe("New Sun — Chihei Hatakeyama");
    expect(metaOf(html, "og:description")).toBe(
      "Over 7 days (Jan 27 – Feb 2) popularity rose from 6 to 100, peaking on Feb 2. 1:00 · US · last 7 days.",
    );
    expect(metaOf(html, "og:image")).toBe(
      "https://p16-sg.tiktokcdn.com/aweme/720x720/tos-alisg-v-2774/ocjWmiaBw4AAcY8ifAzsAAB5EQd8FDEDsu3Awo.jpeg",
    );
    expect(metaOf(html, "og:url")).toBe(url);
    expect(metaOf(html, "og:type")).toBe("music.song");
    expect(metaOf(html, "twitter:card")).toBe("summary");
    expect(metaOf(html, "author")).toBe("Chihei Hatakeyama");
    expect(headingOf(html)).toBe("New Sun — Chihei Hatakeyama");
    expect(html).toContain('<link rel="icon" href="/favicon.ico" sizes="32x32">');
    expect(html).toContain('<link rel="icon" href="/favicon.svg" type="image/svg+xml">');
    expect(html).toContain(
      `<link rel="alternate" type="application/json+oembed" href="${worker.origin}/oembed?url=${encodeURIComponent(url)}"`,
    );
    expect(html).toContain(
      `<a href="https://www.tiktok.com/music/x-${EXAMPLE_CLIP_ID}" target="_blank" rel="noopener noreferrer">Listen on TikTok`,
    );
    expect(html).not.toMatch(/<script/i);
    expect(upstream.calls).toBe(1);
  });

  it("shares the JSON endpoint's cached answer, and has its own ETag and 304", async () => {
    const upstream = fakeKeyApi();
    const worker = testWorker();
    const json = await worker.fetch(`${SOUND_PATH}?clip_id=9&period=30&region=fr`);
    const res = await worker.fetch(page("9", "region=FR&period=30&theme=dark"));
    expect(res.status, await describe(res)).toBe(200);
    expect(res.headers.get("X-Cache")).toBe("HIT");
    const etag = res.headers.get("ETag") ?? "";
    expect(etag).not.toBe(json.headers.get("ETag"));
    const again = await worker.fetch(page("9", "region=FR&period=30&theme=dark"), {
      headers: { "If-None-Match": etag },
    });
    expect(again.status).toBe(304);
    expectEmbedHeaders(again, "*");
    expect(upstream.calls).toBe(1);
  });

  it("is framable by any site when ALLOWED_ORIGINS is *", async () => {
    fakeKeyApi();
    const res = await testWorker({ ALLOWED_ORIGINS: "*" }).fetch(page("1"));
    expectEmbedHeaders(res, "*");
  });

  it("keeps hostile text from KeyAPI out of the markup and the previews", async () => {
    const hostile = `"><script>alert(1)</script>\u202E<meta http-equiv="refresh" content="0;url=https://evil.example">`;
    fakeKeyApi(() =>
      Response.json({
        code: 0,
        data: {
          sound: {
            clip_id: "1",
            title: hostile,
            author: hostile,
            cover: `https://cdn.example/a.jpeg?"><script>x</script>`,
            link: "https://evil.example/phish",
            audience_interests: [{ interest_info: { value: hostile }, score: 1 }],
          },
        },
      }),
    );
    const res = await testWorker().fetch(page("1"));
    expect(res.status, await describe(res)).toBe(200);
    const html = await res.text();
    checkPage(html);
    expect(html).not.toMatch(/<script|<meta http-equiv|\u202E/i);
    expect(metaOf(html, "og:title")).toMatch(/^"><script>alert\(1\)<\/script><meta http-equiv="refresh"/);
    expect(metaOf(html, "author")).toMatch(/^"><script>alert\(1\)<\/script><meta http-equiv="refresh"/);
    expect(headingOf(html)).toMatch(/^"><script>alert\(1\)<\/script><meta http-equiv="refresh"/);
    expect(metaOf(html, "og:image")).toBe("https://cdn.example/a.jpeg?%22%3E%3Cscript%3Ex%3C/script%3E");
    // The link goes to TikTok, whatever KeyAPI says.
    expect(html).toContain('<a href="https://www.tiktok.com/music/x-1"');
  });

  it.each(ZERO_WIDTH_TEXT)(
    "keeps titles and previews short when the text measures as zero width: %s",
    async (_n, value) => {
      fakeKeyApi(() => Response.json({ code: 0, data: { sound: { clip_id: "1", title: value, author: value } } }));
      const res = await testWorker().fetch(page("1"));
      expect(res.status, await describe(res)).toBe(200);
      const html = await res.text();
      checkPage(html);
      expect(html.length).toBeLessThan(10_000);
      const title = decode(/<title>([^<]*) · TikTok sound<\/title>/.exec(html)?.[1] ?? "");
      for (const shown of [title, metaOf(html, "og:title"), metaOf(html, "author"), headingOf(html)]) {
        expect([...(shown ?? "")].length, shown).toBeLessThanOrEqual(90);
      }
    },
  );

  it("caps the facts in its description, whatever KeyAPI calls the region", async () => {
    fakeKeyApi(() =>
      Response.json({ code: 0, data: { sound: { clip_id: "1", title: "x", country_code: "R".repeat(1000) } } }),
    );
    const html = await (await testWorker().fetch(page("1"))).text();
    const description = metaOf(html, "og:description") ?? "";
    expect(description).toMatch(/^No trend data for the last 7 days\. R+…\.$/);
    expect([...description].length).toBeLessThanOrEqual("No trend data for the last 7 days. ".length + 60 + 1);
  });

  it("has no author meta when KeyAPI names none, and a heading all the same", async () => {
    fakeKeyApi(() => Response.json({ code: 0, data: { sound: { clip_id: "1", title: "Untold", author: "" } } }));
    const html = await (await testWorker().fetch(page("1"))).text();
    expect(metaOf(html, "author")).toBeUndefined();
    expect(headingOf(html)).toBe("Untold");
  });

  it("has no og:image when the cover is not https", async () => {
    fakeKeyApi(() =>
      Response.json({ code: 0, data: { sound: { clip_id: "1", title: "x", cover: "http://a.example/c.jpeg" } } }),
    );
    const html = await (await testWorker().fetch(page("1"))).text();
    expect(metaOf(html, "og:image")).toBeUndefined();
    expect(metaOf(html, "og:title")).toBe("x");
  });
});

group("embed page errors are pages", () => {
  it("an unknown sound → 404 page in the same style, cached like the JSON's 404", async () => {
    const upstream = fakeKeyApi();
    const now = Date.now();
    const worker = testWorker({ ALLOWED_ORIGINS: "https://blog.example" }, { clock: () => now });
    const res = await worker.fetch(page("4040000000000000001"));
    expect(res.status, await describe(res)).toBe(404);
    expect(res.headers.get("Content-Type")).toBe(HTML);
    expect(res.headers.get("Cache-Control")).toBe("public, max-age=300");
    expectEmbedHeaders(res, "'self' https://blog.example");
    const html = await res.text();
    const root = checkPage(html);
    expect(html).toContain("<title>Sound not found · TikTok sound</title>");
    expect(headingOf(html)).toBe("Sound not found");
    expect(root.children[1]?.text).toBe(
      "No trending sound with clip id 4040000000000000001 in US over the last 7 days.",
    );
    expect(upstream.calls).toBe(1);
  });

  it.each([
    ["a bad clip id", page("12a"), "clip_id must be 1 to 20 decimal digits (0-9)"],
    [
      "markup as the clip id",
      page("%3Cscript%3Ealert(1)%3C%2Fscript%3E"),
      "clip_id must be 1 to 20 decimal digits (0-9)",
    ],
    ["a NUL in the clip id", page("1%00"), "clip_id must be 1 to 20 decimal digits (0-9)"],
    ["a malformed escape in the clip id", page("1%E0%A4%A"), "clip_id must be 1 to 20 decimal digits (0-9)"],
    ["a bad theme", page("1", "theme=sepia"), "theme must be one of light, dark or auto"],
    ["clip_id in the query", page("1", "clip_id=2"), "clip_id is not a known parameter"],
    ["an unknown parameter", page("1", "utm_source=x"), "utm_source is not a known parameter"],
  ])("%s → 400 page, no-store, no KeyAPI call", async (_name, path, message) => {
    const upstream = fakeKeyApi();
    const res = await testWorker().fetch(path);
    expect(res.status, await describe(res)).toBe(400);
    expect(res.headers.get("Content-Type")).toBe(HTML);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expectEmbedHeaders(res, "*");
    expect(allText(checkPage(await res.text()))).toContain(message);
    expect(upstream.calls).toBe(0);
  });

  it("an upstream failure → the JSON's status, as a page", async () => {
    fakeKeyApi().mock.behave({ mode: "status", status: 402 });
    const res = await testWorker().fetch(page("1", "theme=dark"));
    expect(res.status, await describe(res)).toBe(503);
    expect(res.headers.get("Retry-After")).toBe("600");
    expect(res.headers.get("Content-Type")).toBe(HTML);
    expect(await res.text()).toContain("The sound service is busy");
  });

  it("is rate limited like the API: past RATE_LIMITER → 429 page with Retry-After", async () => {
    await withinOneRateWindow();
    const upstream = fakeKeyApi();
    const worker = testWorker();
    const client = { "CF-Connecting-IP": "203.0.113.80" };
    for (let i = 0; i < 120; i++) {
      const res = await worker.fetch(i % 2 ? page("1") : `${SOUND_PATH}?clip_id=1`, { headers: client });
      expect(res.status).toBe(200);
    }
    const res = await worker.fetch(page("1"), { headers: client });
    expect(res.status, await describe(res)).toBe(429);
    expect(res.headers.get("Retry-After")).toBe("60");
    expect(res.headers.get("Content-Type")).toBe(HTML);
    expectEmbedHeaders(res, "*");
    expect(await res.text()).toContain("Too many requests right now");
    expect(upstream.calls).toBe(1);
  }, 30_000);
});

group("every other path keeps the API's framing rules", () => {
  it.each([
    `${SOUND_PATH}?clip_id=1`,
    `${SOUND_PATH}?clip_id=x`,
    "/v1/tiktok/trending/music/card.svg?clip_id=1",
    `/oembed?url=${encodeURIComponent("https://www.tiktok.com/music/x-1")}`,
    "/health",
    "/embed/sound/1/more",
    "/nope",
  ])("%s: frame-ancestors 'none' and X-Frame-Options DENY", async (path) => {
    fakeKeyApi();
    const res = await testWorker().fetch(path);
    expect(res.headers.get("Content-Security-Policy"), await describe(res)).toMatch(/frame-ancestors 'none'$/);
    expect(res.headers.get("X-Frame-Options")).toBe("DENY");
  });
});
